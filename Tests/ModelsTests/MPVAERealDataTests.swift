import Datasets
import Foundation
import SeededRandom
import Testing
import TestSupport
@testable import Models
@testable import Tensors

/// Micro-F1 at threshold 0.5 of probabilities against 0/1 targets.
func microF1(_ probabilities: ArraySlice<Float>, _ targets: ArraySlice<Float>) -> Double {
    var truePositives = 0.0, predicted = 0.0, actual = 0.0
    for (p, y) in zip(probabilities, targets) {
        if p >= 0.5 { predicted += 1 }
        if y == 1 { actual += 1 }
        if p >= 0.5 && y == 1 { truePositives += 1 }
    }
    return predicted + actual > 0 ? 2 * truePositives / (predicted + actual) : 0
}

@Suite(.serialized) struct MPVAERealDataTests {
    /// corel5k (5000 × 499 → 374) from the mirror, features min–max scaled.
    static func corel5k() throws -> (x: [Float], y: [Float], rows: Int) {
        let folder = TestSupport.temporaryFolder()
        let catalog = try Catalog.load(TestSupport.packageRoot.appendingPathComponent("Datasets/catalog.yaml"))
        let entry = try catalog.entry(named: "corel5k")
        _ = try Unpacker().unpack(TestSupport.datasetsMirror.appendingPathComponent(entry.archive), into: folder)
        let dataset = try DatasetLoader.load(entry, from: folder, origin: .catalog("catalog.yaml")).dataset
        let n = dataset.count, d = dataset.featureNames.count
        var x = dataset.features.denseValues(columns: d)
        for c in 0..<d {
            var low = Float.infinity, high = -Float.infinity
            for r in 0..<n { low = min(low, x[r * d + c]); high = max(high, x[r * d + c]) }
            for r in 0..<n { x[r * d + c] = high > low ? (x[r * d + c] - low) / (high - low) : 0 }
        }
        return (x, dataset.labels.map(Float.init), n)
    }

    /// Over one epoch on corel5k (published defaults, lr 1e-3) the loss falls and the
    /// micro-F1 of the training-mode p_train rises; nothing is NaN.
    @Test func oneEpochOnCorel5kLearns() throws {
        let data = try Self.corel5k()
        let d = 499, q = 374, b = 128
        #expect(data.rows == 5000)
        let model = try MPVAEModel(inputDimension: d, labelCount: q, seed: 42)
        let session = TrainingSession(model: model, learningRate: 1e-3, weightDecay: 0)
        var generator = SeededGenerator(seed: 8, stream: "test.order")
        let order = generator.permutation(data.rows)
        var losses: [Float] = [], scores: [Double] = []
        var batchX = [Float](repeating: 0, count: b * d), batchY = [Float](repeating: 0, count: b * q)
        var p = [Float](repeating: 0, count: b * q)
        for start in stride(from: 0, to: data.rows - b + 1, by: b) {
            for (slot, row) in order[start..<(start + b)].enumerated() {
                batchX.replaceSubrange((slot * d)..<((slot + 1) * d), with: data.x[(row * d)..<((row + 1) * d)])
                batchY.replaceSubrange((slot * q)..<((slot + 1) * q), with: data.y[(row * q)..<((row + 1) * q)])
            }
            let loss = batchX.withUnsafeBufferPointer { x in
                batchY.withUnsafeBufferPointer { y in
                    p.withUnsafeMutableBufferPointer { session.step(features: x, targets: y, batchSize: b, probabilities: $0) }
                }
            }
            losses.append(loss)
            scores.append(microF1(p[...], batchY[...]))
        }
        #expect(losses.allSatisfy(\.isFinite) && p.allSatisfy(\.isFinite))
        let early = losses.prefix(3).reduce(0, +) / 3, late = losses.suffix(3).reduce(0, +) / 3
        let earlyF1 = scores.prefix(3).reduce(0, +) / 3, lateF1 = scores.suffix(3).reduce(0, +) / 3
        #expect(late < 0.8 * early, "losses \(losses)")
        #expect(lateF1 > earlyF1, "micro-F1 \(scores)")
        print("mpvae corel5k one epoch: loss \(early) → \(late), p_train micro-F1 \(earlyF1) → \(lateF1)")
    }
}
