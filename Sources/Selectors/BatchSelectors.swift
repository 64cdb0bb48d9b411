import Formats

/// Creates batch selectors.
public enum BatchSelectors {
    /// A selector for the training part of a fold.
    ///
    /// - Parameters:
    ///   - labels: training labels [n, q] (0/1), row-major; n = labels.count / q.
    ///   - features: training features [n, d] Float32 (min–max scaled, as the model sees them); only
    ///     `hard-imbalance` reads them (its k-NN, a blocked GEMM of O(n²·d) flops, runs here once).
    ///     Other selectors accept an empty array.
    ///   - seed: the run seed; each epoch's draws use the sub-stream ("batch-selection", epoch).
    /// - Precondition: the options lie in the ranges `TrainParameters` declares (warm-up below epochs).
    public static func make(options: SelectorOptions, labels: [UInt8], labelCount q: Int,
                            features: [Float] = [], featureCount d: Int = 0, seed: UInt64) -> any BatchSelector {
        precondition(options.warmupEpochs >= 0 && options.warmupEpochs < options.epochs && options.batchSize >= 1 && options.window >= 1,
                     "selector options out of range: \(options)")
        precondition(q >= 1 && labels.count % q == 0, "labels must be [n, q]")
        let n = labels.count / q
        switch options.selector {
        case .random, .balance:
            return ShuffleSelector(options: options, labels: labels, sampleCount: n, labelCount: q, seed: seed)
        case .uncertainty, .activeBias, .recencyBias, .hardImbalance:
            if options.selector == .hardImbalance {
                precondition(features.count == n * d && d >= 1, "hard-imbalance needs features [n, d]")
            }
            return SampledSelector(options: options, labels: labels, sampleCount: n, labelCount: q,
                                   features: features, featureCount: d, seed: seed)
        }
    }
}
