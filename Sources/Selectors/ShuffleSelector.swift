import Formats
import SeededRandom

/// Builds the plans shared by every selector.
enum Plans {
    /// The generator of one epoch's batch draws: a sub-stream of the seed per epoch.
    static func generator(seed: UInt64, epoch: Int) -> SeededGenerator {
        SeededGenerator(seed: seed, stream: "batch-selection", index: epoch)
    }

    /// A shuffle of all n rows split into ⌈n/b⌉ consecutive batches (the last may be smaller).
    static func shuffle(epoch: Int, sampleCount n: Int, batchSize b: Int, seed: UInt64, identity: [Float]) -> EpochPlan {
        var generator = generator(seed: seed, epoch: epoch)
        var order = [Int32](repeating: 0, count: n)
        for i in 0..<n { order[i] = Int32(i) }
        generator.shuffle(&order)
        return consecutiveBatches(of: order, epoch: epoch, batchSize: b, identity: identity)
    }

    /// The rows in stored order 0…n−1 split into ⌈n/b⌉ consecutive batches: the same every epoch.
    static func storedOrder(epoch: Int, sampleCount n: Int, batchSize b: Int, identity: [Float]) -> EpochPlan {
        consecutiveBatches(of: (0..<Int32(n)).map { $0 }, epoch: epoch, batchSize: b, identity: identity)
    }

    /// Every row once: in stored order when `stored`, else a shuffle.
    static func everyRowOnce(stored: Bool, epoch: Int, sampleCount n: Int, batchSize b: Int, seed: UInt64,
                             identity: [Float]) -> EpochPlan {
        stored ? storedOrder(epoch: epoch, sampleCount: n, batchSize: b, identity: identity)
               : shuffle(epoch: epoch, sampleCount: n, batchSize: b, seed: seed, identity: identity)
    }

    /// Every row once, in `order`, cut into batches of b (the last may be smaller); weights and counts all 1.
    private static func consecutiveBatches(of order: [Int32], epoch: Int, batchSize b: Int, identity: [Float]) -> EpochPlan {
        let n = order.count
        var offsets = Array(stride(from: 0, to: n, by: b))
        offsets.append(n)
        return EpochPlan(epoch: epoch, indices: order, offsets: offsets,
                         weights: [Float](repeating: 1, count: n),
                         selectionCounts: [Int32](repeating: 1, count: n), correlation: identity, pressure: 1)
    }
}

/// `random` (a fresh shuffle each epoch), `balance` (the same batches with loss weights that
/// restore each label's training-set positive rate π_j inside the batch) and `sequential` (the
/// stored order, the same batches every epoch).
final class ShuffleSelector: BatchSelector {
    let parameters: TrainParameters
    let sampleCount: Int
    let labelCount: Int
    private let seed: UInt64
    private let labels: [UInt8]
    private let positiveRate: [Double]
    private let identity: [Float]

    init(parameters: TrainParameters, labels: [UInt8], sampleCount n: Int, labelCount q: Int, seed: UInt64) {
        self.parameters = parameters
        sampleCount = n
        labelCount = q
        self.seed = seed
        self.labels = labels
        var rate = [Double](repeating: 0, count: q)
        for i in 0..<n { for j in 0..<q where labels[i * q + j] != 0 { rate[j] += 1 } }
        positiveRate = rate.map { n > 0 ? $0 / Double(n) : 0 }
        identity = LabelCorrelation.identity(q)
    }

    func plan(epoch: Int) -> EpochPlan {
        Plans.everyRowOnce(stored: parameters.selector == .sequential, epoch: epoch, sampleCount: sampleCount,
                           batchSize: parameters.batchSize, seed: seed, identity: identity)
    }

    func observe(epoch: Int, probabilities: [Float]) {}
    func observe(rows: ArraySlice<Int32>, probabilities: [Float]) {}

    /// `balance`: positives of label j weigh π_j / r_j, negatives (1 − π_j)/(1 − r_j), where r_j is
    /// the batch's positive rate; all 1 for a label with r_j ∈ {0, 1}. O(|rows|·q).
    func lossWeights(rows: ArraySlice<Int32>) -> [Float]? {
        guard parameters.selector == .balance else { return nil }
        let q = labelCount, m = rows.count
        var positives = [Int32](repeating: 0, count: q)
        var positiveWeight = [Float](repeating: 1, count: q), negativeWeight = [Float](repeating: 1, count: q)
        var weights = [Float](repeating: 1, count: m * q)
        // Branch-free loops over contiguous label rows (they vectorise).
        labels.withUnsafeBufferPointer { labels in
            positives.withUnsafeMutableBufferPointer { positives in
                for row in rows {
                    let y = labels.baseAddress! + Int(row) * q
                    for j in 0..<q { positives[j] &+= y[j] != 0 ? 1 : 0 }
                }
            }
            for j in 0..<q where positives[j] > 0 && Int(positives[j]) < m {
                let r = Double(positives[j]) / Double(m)
                positiveWeight[j] = Float(positiveRate[j] / r)
                negativeWeight[j] = Float((1 - positiveRate[j]) / (1 - r))
            }
            positiveWeight.withUnsafeBufferPointer { up in
                negativeWeight.withUnsafeBufferPointer { down in
                    weights.withUnsafeMutableBufferPointer { weights in
                        for (k, row) in rows.enumerated() {
                            let y = labels.baseAddress! + Int(row) * q, out = weights.baseAddress! + k * q
                            for j in 0..<q { out[j] = y[j] != 0 ? up[j] : down[j] }
                        }
                    }
                }
            }
        }
        return weights
    }

    func checkpoint() -> SelectorCheckpoint { SelectorCheckpoint() }

    func restore(_ checkpoint: SelectorCheckpoint) throws(SelectorCheckpointError) {
        guard checkpoint == SelectorCheckpoint() else {
            throw .sizeMismatch(selector: parameters.selector.rawValue, field: "window")
        }
    }
}
