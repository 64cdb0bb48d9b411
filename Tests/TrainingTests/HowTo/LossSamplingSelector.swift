import Formats
import Foundation
import SeededRandom
import Selectors

/// `loss-sampling`, the worked example of docs/how-to-selector.md: after the warm-up, each batch
/// draws its rows without replacement with probability proportional to their current loss (the
/// mean binary cross-entropy of the latest eval-mode predictions), so rows the model gets wrong
/// are seen more often.
final class LossSamplingSelector: BatchSelector {
    let parameters: TrainParameters
    let sampleCount: Int
    let labelCount: Int
    private let labels: [UInt8]
    private let seed: UInt64
    /// The latest eval-mode probabilities [n, q]; empty until the first epoch is observed.
    private var probabilities: [Float] = []

    /// `labels`: the training labels [n, q], row-major.
    init(parameters: TrainParameters, labels: [UInt8], labelCount q: Int, seed: UInt64) {
        self.parameters = parameters
        self.labels = labels
        self.labelCount = q
        self.sampleCount = labels.count / q
        self.seed = seed
    }

    func plan(epoch: Int) -> EpochPlan {
        let n = sampleCount, b = min(parameters.batchSize, n)
        // Every random choice comes from the seed and the epoch, so a resumed run draws the same.
        var generator = SeededGenerator(seed: seed, stream: "loss-sampling", index: epoch)
        let losses = rowLosses()
        var indices: [Int32] = []
        var offsets = [0]
        if epoch <= parameters.warmupEpochs || losses.isEmpty {
            indices = generator.permutation(n).map(Int32.init)
            offsets = Array(stride(from: 0, to: n, by: b)) + [n]
        } else {
            // As many rows per epoch as a shuffle (⌈n/b⌉ batches, the last one smaller); a batch's
            // rows are the smallest exponential clocks −ln(u)/loss (Efraimidis–Spirakis).
            for start in stride(from: 0, to: n, by: b) {
                let clocks = losses.map { -log(1 - generator.nextDouble()) / $0 }
                indices += clocks.indices.sorted { clocks[$0] < clocks[$1] }.prefix(min(b, n - start)).map(Int32.init)
                offsets.append(indices.count)
            }
        }
        var counts = [Int32](repeating: 0, count: n)
        for row in indices { counts[Int(row)] += 1 }
        let largest = losses.max() ?? 1
        var identity = [Float](repeating: 0, count: labelCount * labelCount)
        for j in 0..<labelCount { identity[j * labelCount + j] = 1 }
        return EpochPlan(epoch: epoch, indices: indices, offsets: offsets,
                         weights: losses.isEmpty ? [Float](repeating: 1, count: n) : losses.map { Float($0 / largest) },
                         selectionCounts: counts, correlation: identity, pressure: 1)
    }

    func observe(epoch: Int, probabilities: [Float]) {
        if parameters.history == .epoch { self.probabilities = probabilities }
    }

    /// This selector reads the eval-mode pass only.
    func observe(rows: ArraySlice<Int32>, probabilities: [Float]) {}

    func lossWeights(rows: ArraySlice<Int32>) -> [Float]? { nil }

    func checkpoint() -> SelectorCheckpoint { SelectorCheckpoint(window: probabilities) }

    func restore(_ checkpoint: SelectorCheckpoint) throws(SelectorCheckpointError) {
        guard checkpoint.window.isEmpty || checkpoint.window.count == sampleCount * labelCount else {
            throw .sizeMismatch(selector: "loss-sampling", field: "window")
        }
        probabilities = checkpoint.window
    }

    /// Each row's mean binary cross-entropy, plus 1e-3 so that every row can be drawn; empty
    /// before the first observation.
    private func rowLosses() -> [Double] {
        guard !probabilities.isEmpty else { return [] }
        return (0..<sampleCount).map { i in
            var sum = 0.0
            for j in 0..<labelCount {
                let p = min(max(Double(probabilities[i * labelCount + j]), 1e-7), 1 - 1e-7)
                sum -= labels[i * labelCount + j] == 1 ? log(p) : log(1 - p)
            }
            return sum / Double(labelCount) + 1e-3
        }
    }
}
