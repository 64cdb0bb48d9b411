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
    /// - Precondition: the parameters passed `TrainParameters.validate()` (warm-up below epochs).
    public static func make(parameters: TrainParameters, labels: [UInt8], labelCount q: Int,
                            features: [Float] = [], featureCount d: Int = 0, seed: UInt64) -> any BatchSelector {
        precondition(parameters.warmupEpochs >= 0 && parameters.warmupEpochs < parameters.epochs && parameters.batchSize >= 1 && parameters.window >= 1,
                     "selector parameters out of range: \(parameters)")
        precondition(q >= 1 && labels.count % q == 0, "labels must be [n, q]")
        let n = labels.count / q
        switch parameters.selector {
        case .random, .balance, .sequential:
            return ShuffleSelector(parameters: parameters, labels: labels, sampleCount: n, labelCount: q, seed: seed)
        case .uncertainty, .activeBias, .recencyBias, .hardImbalance:
            if parameters.selector == .hardImbalance {
                precondition(features.count == n * d && d >= 1, "hard-imbalance needs features [n, d]")
            }
            return SampledSelector(parameters: parameters, labels: labels, sampleCount: n, labelCount: q,
                                   features: features, featureCount: d, seed: seed)
        }
    }
}
