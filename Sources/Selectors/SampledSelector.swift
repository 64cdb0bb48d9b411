import Formats
import Foundation
import SeededRandom

/// `uncertainty`, `active-bias`, `recency-bias` and `hard-imbalance`: plain shuffles in epochs 1…γ,
/// then batches drawn by the quantised exponential sampler (Eq. 8–11) from the selector's criterion.
final class SampledSelector: BatchSelector {
    let parameters: TrainParameters
    let sampleCount: Int
    let labelCount: Int
    private let seed: UInt64
    private let labels: [UInt8]
    private let identity: [Float]
    /// hard-imbalance's a_i [n], computed once at creation.
    private let imbalance: [Float]
    private var window: PredictionWindow?
    private var moments: RunningMoments?
    // Per-epoch scratch buffers, reused.
    private var uncertainty: [Float] = []
    /// Bin codes of U [n, q] (`uncertainty-levels: centres`).
    private var levelCodes: [UInt8] = []
    private var scores: [Double] = []

    init(parameters: TrainParameters, labels: [UInt8], sampleCount n: Int, labelCount q: Int,
         features: [Float], featureCount d: Int, seed: UInt64) {
        self.parameters = parameters
        sampleCount = n
        labelCount = q
        self.seed = seed
        self.labels = labels
        identity = LabelCorrelation.identity(q)
        switch parameters.selector {
        case .uncertainty, .recencyBias:
            window = PredictionWindow(capacity: parameters.window, sampleCount: n, labelCount: q)
        case .hardImbalance:
            window = PredictionWindow(capacity: 1, sampleCount: n, labelCount: q)
        case .activeBias:
            moments = RunningMoments(sampleCount: n, labelCount: q)
        case .random, .balance, .sequential:
            preconditionFailure("\(parameters.selector.rawValue) does not use the sampler")
        }
        imbalance = parameters.selector == .hardImbalance
            ? ImbalanceWeights.weights(labels: labels, sampleCount: n, labelCount: q, features: features, featureCount: d)
            : []
    }

    func plan(epoch: Int) -> EpochPlan {
        let n = sampleCount
        guard epoch > parameters.warmupEpochs, n > 0 else {
            return Plans.everyRowOnce(stored: parameters.warmupOrder == .stored, epoch: epoch, sampleCount: n,
                                      batchSize: parameters.batchSize, seed: seed, identity: identity)
        }
        let correlation = computeScores()
        SelectionPressure.normalise(&scores)
        let pressure = SelectionPressure.pressure(epoch: epoch, parameters: parameters)
        let samplingWeights = SelectionPressure.samplingWeights(normalisedScores: scores, pressure: pressure,
                                                                rounding: parameters.quantiser)
        var sampler = WeightedSampler(weights: samplingWeights)
        var generator = Plans.generator(seed: seed, epoch: epoch)
        let b = min(parameters.batchSize, n)
        let batchCount = (n + parameters.batchSize - 1) / parameters.batchSize
        var indices: [Int32] = []
        indices.reserveCapacity(batchCount * b)
        var offsets = [0]
        for _ in 0..<batchCount {
            sampler.drawBatch(size: b, using: &generator, into: &indices)
            offsets.append(indices.count)
        }
        var counts = [Int32](repeating: 0, count: n)
        for row in indices { counts[Int(row)] += 1 }
        var weights = [Float](repeating: 0, count: n)
        for i in 0..<n { weights[i] = Float(scores[i]) }
        return EpochPlan(epoch: epoch, indices: indices, offsets: offsets, weights: weights,
                         selectionCounts: counts, correlation: correlation, pressure: pressure, samplingWeights: samplingWeights)
    }

    /// Fills `scores` [n] with the raw criterion; returns the correlation matrix used.
    private func computeScores() -> [Float] {
        let n = sampleCount, q = labelCount
        switch parameters.selector {
        case .uncertainty:
            if parameters.saturation == .topLevel {
                UncertaintyLevels.authorsCodes(window: window!, lambda1: parameters.lambda1, bins: parameters.bins, into: &levelCodes)
            } else {
                Uncertainty.labelUncertainty(window: window!, lambda1: parameters.lambda1, into: &uncertainty)
                if parameters.uncertaintyLevels == .centres {
                    UncertaintyLevels.codes(of: uncertainty, bins: parameters.bins, into: &levelCodes)
                }
            }
            switch parameters.correlation {
            case .mi, .nmi:
                let correlation = LabelCorrelation.matrix(u: uncertainty, sampleCount: n, labelCount: q,
                                                          bins: parameters.bins, mode: parameters.correlation)
                correlatedRowSums(correlation)
                return correlation
            case .none:
                rowSums(uncertainty)
            case .ones:
                onesRowSums()
            }
        case .activeBias:
            moments!.activeBiasScores(into: &scores)
        case .recencyBias:
            Uncertainty.recencyEntropy(window: window!, into: &scores)
        case .hardImbalance:
            hardImbalanceScores()
        case .random, .balance, .sequential:
            preconditionFailure("unreachable")
        }
        return identity
    }

    /// scores_i = Σ_j U_ij (Eq. 8 before normalisation, C = I).
    private func rowSums(_ matrix: [Float]) {
        weightedRowSums(matrix, weights: [Double](repeating: 1, count: labelCount))
    }

    /// scores_i = Σ_j (U·1)_ij with C a matrix of ones (the authors' code): each of the q columns of
    /// U·1 is the row sum S_i (summed left to right, like the GEMM), and the q copies are summed in
    /// NumPy's order (``UncertaintyLevels/numpyRowSum(repeating:count:)``).
    private func onesRowSums() {
        rowSums(uncertainty)
        for i in 0..<sampleCount { scores[i] = UncertaintyLevels.numpyRowSum(repeating: scores[i], count: labelCount) }
    }

    /// scores_i = Σ_j Ū_ij (Eq. 7–8) without forming Ū = U·C: Σ_j Σ_k U_ik C_kj = Σ_k U_ik (Σ_j C_kj),
    /// so one O(q²) pass over C and one O(n·q) pass over U replace the O(n·q²) product.
    private func correlatedRowSums(_ correlation: [Float]) {
        let q = labelCount
        var columnWeight = [Double](repeating: 0, count: q)
        correlation.withUnsafeBufferPointer { c in
            for k in 0..<q {
                var total = 0.0
                for j in 0..<q { total += Double(c[k * q + j]) }
                columnWeight[k] = total
            }
        }
        weightedRowSums(uncertainty, weights: columnWeight)
    }

    /// scores_i = Σ_k U_ik · weights_k in Double, summed in order of k, where U_ik is `matrix` or,
    /// with `uncertainty-levels: centres`, the centre of its bin. O(n·q).
    private func weightedRowSums(_ matrix: [Float], weights: [Double]) {
        let n = sampleCount, q = labelCount, bins = parameters.bins
        if scores.count != n { scores = [Double](repeating: 0, count: n) }
        let centres = (0..<bins).map { UncertaintyLevels.centre($0, bins: bins) }
        let useLevels = parameters.uncertaintyLevels == .centres
        matrix.withUnsafeBufferPointer { m in
            levelCodes.withUnsafeBufferPointer { codes in
                weights.withUnsafeBufferPointer { w in
                    scores.withUnsafeMutableBufferPointer { scores in
                        orderedRowSums(rows: n, columns: q, into: scores.baseAddress!) { i, terms in
                            if useLevels {
                                for k in 0..<q { terms[k] = centres[Int(codes[i * q + k])] * w[k] }
                            } else {
                                for k in 0..<q { terms[k] = Double(m[i * q + k]) * w[k] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// scores_i = a_i · Σ_j BCE(p̂_ij, y_ij) at the latest record (0 for rows never recorded),
    /// the sum as one logarithm of a product (``BinaryCrossEntropy/rowLoss(probabilities:labels:count:)``).
    private func hardImbalanceScores() {
        let n = sampleCount, q = labelCount, window = window!
        if scores.count != n { scores = [Double](repeating: 0, count: n) }
        window.storage.withUnsafeBufferPointer { store in
            labels.withUnsafeBufferPointer { labels in
                for i in 0..<n {
                    guard window.filled[i] > 0 else { scores[i] = 0; continue }
                    let loss = BinaryCrossEntropy.rowLoss(probabilities: store.baseAddress! + i * q,
                                                          labels: labels.baseAddress! + i * q, count: q)
                    scores[i] = Double(imbalance[i]) * loss
                }
            }
        }
    }

    func observe(epoch: Int, probabilities: [Float]) {
        guard parameters.history == .epoch else { return }
        precondition(probabilities.count == sampleCount * labelCount, "observe(epoch:) needs [n, q] probabilities")
        probabilities.withUnsafeBufferPointer { values in
            window?.recordAll(values: values)
            moments?.record(rows: 0..<Int32(sampleCount), values: values)
        }
    }

    func observe(rows: ArraySlice<Int32>, probabilities: [Float]) {
        guard parameters.history == .batch else { return }
        probabilities.withUnsafeBufferPointer { values in
            window?.record(rows: rows, values: values)
            moments?.record(rows: rows, values: values)
        }
    }

    func lossWeights(rows: ArraySlice<Int32>) -> [Float]? { nil }

    func checkpoint() -> SelectorCheckpoint {
        SelectorCheckpoint(window: window?.storage ?? [], windowNextSlot: window?.nextSlot ?? [],
                           windowFilled: window?.filled ?? [], windowSlotRevisions: window?.slotRevisions ?? [],
                           momentCount: moments?.count ?? [],
                           momentMean: moments?.mean ?? [], momentM2: moments?.m2 ?? [])
    }

    func restore(_ checkpoint: SelectorCheckpoint) throws(SelectorCheckpointError) {
        let name = parameters.selector.rawValue
        if let current = window {
            guard let restored = PredictionWindow(capacity: current.capacity, sampleCount: sampleCount, labelCount: labelCount,
                                                  storage: checkpoint.window, nextSlot: checkpoint.windowNextSlot,
                                                  filled: checkpoint.windowFilled,
                                                  slotRevisions: checkpoint.windowSlotRevisions.isEmpty
                                                      ? nil : checkpoint.windowSlotRevisions) else {
                throw .sizeMismatch(selector: name, field: "window")
            }
            window = restored
        } else if !checkpoint.window.isEmpty {
            throw .sizeMismatch(selector: name, field: "window")
        }
        if moments != nil {
            guard let restored = RunningMoments(sampleCount: sampleCount, labelCount: labelCount, count: checkpoint.momentCount,
                                                mean: checkpoint.momentMean, m2: checkpoint.momentM2) else {
                throw .sizeMismatch(selector: name, field: "moments")
            }
            moments = restored
        } else if !checkpoint.momentMean.isEmpty {
            throw .sizeMismatch(selector: name, field: "moments")
        }
    }
}
