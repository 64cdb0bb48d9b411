import StageKit
import Formats
import Foundation
import NumpyIO
import SeededRandom
import Selectors
import Testing
import TestSupport

/// The weighted sampler's distribution, and the structure and determinism of epoch plans.
@Suite struct SamplerTests {
    /// Pearson's statistic Σ (observed − expected)² / expected.
    func chiSquare(observed: [Int], probabilities: [Double], draws: Int) -> Double {
        zip(observed, probabilities).reduce(0) { total, pair in
            let expected = pair.1 * Double(draws)
            return total + (Double(pair.0) - expected) * (Double(pair.0) - expected) / expected
        }
    }

    /// Single draws follow P of Eq. 10 (selection.npz's P_s100): χ² with 5 degrees of freedom
    /// below its 99.99% quantile 25.74 (deterministic seed, so the outcome is fixed).
    @Test func singleDrawsFollowEquationTen() throws {
        let p = try Fixtures.doubles(try Fixtures.npz("selection"), "out/P_s100")
        var sampler = WeightedSampler(weights: p)
        var generator = SeededGenerator(seed: 11, stream: "chi-square")
        let draws = 100_000
        var batch: [Int32] = []
        batch.reserveCapacity(draws)
        for _ in 0..<draws { sampler.drawBatch(size: 1, using: &generator, into: &batch) }
        var counts = [Int](repeating: 0, count: p.count)
        for index in batch { counts[Int(index)] += 1 }
        #expect(chiSquare(observed: counts, probabilities: p, draws: draws) < 25.74)
    }

    /// Batches of 2 are drawn exactly without replacement: the unordered pair {i, j} has probability
    /// p_i p_j/(1 − p_i) + p_j p_i/(1 − p_j); χ² over the 15 pairs (14 dof) below 42.58.
    @Test func pairsFollowSamplingWithoutReplacement() {
        let weights: [Double] = [1, 2, 3, 4, 5, 6]
        let p = weights.map { $0 / 21 }
        var expected: [Double] = [], pairIndex = [[Int]](repeating: [Int](repeating: -1, count: 6), count: 6)
        for i in 0..<6 {
            for j in (i + 1)..<6 {
                pairIndex[i][j] = expected.count
                pairIndex[j][i] = expected.count
                expected.append(p[i] * p[j] / (1 - p[i]) + p[j] * p[i] / (1 - p[j]))
            }
        }
        var sampler = WeightedSampler(weights: weights)
        var generator = SeededGenerator(seed: 12, stream: "pairs")
        let batches = 60_000
        var counts = [Int](repeating: 0, count: expected.count)
        var batch: [Int32] = []
        for _ in 0..<batches {
            batch.removeAll(keepingCapacity: true)
            sampler.drawBatch(size: 2, using: &generator, into: &batch)
            #expect(batch[0] != batch[1])
            counts[pairIndex[Int(batch[0])][Int(batch[1])]] += 1
        }
        #expect(chiSquare(observed: counts, probabilities: expected, draws: batches) < 42.58)
    }

    /// A full-size batch is a permutation: every item exactly once.
    @Test func fullBatchIsAPermutation() {
        var sampler = WeightedSampler(weights: [1e-6, 1, 0.5, 3, 1, 1, 2])
        var generator = SeededGenerator(seed: 5)
        var batch: [Int32] = []
        sampler.drawBatch(size: 7, using: &generator, into: &batch)
        sampler.drawBatch(size: 7, using: &generator, into: &batch)
        #expect(batch[0..<7].sorted() == Array(0..<7))
        #expect(batch[7..<14].sorted() == Array(0..<7))
    }

    static func randomProbabilities(n: Int, q: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        var values = [Float](repeating: 0, count: n * q)
        for k in values.indices { values[k] = generator.nextFloat() }
        return values
    }

    static func labels(n: Int, q: Int) -> [UInt8] {
        var generator = SeededGenerator(seed: 99)
        return (0..<(n * q)).map { _ in generator.nextFloat() < 0.3 ? 1 : 0 }
    }

    func runSelector(_ kind: SelectorKind, seed: UInt64, epochs: Int = 4, n: Int = 50, q: Int = 4) throws -> [EpochPlan] {
        var generator = SeededGenerator(seed: 8)
        let features = (0..<(n * 3)).map { _ in generator.nextFloat() }
        let selector = BatchSelectors.make(
            parameters: TrainParameters().with { $0.selector = kind; $0.warmupEpochs = 2; $0.epochs = 10; $0.batchSize = 16 },
            labels: Self.labels(n: n, q: q), labelCount: q, features: features, featureCount: 3, seed: seed)
        var plans: [EpochPlan] = []
        for epoch in 1...epochs {
            plans.append(selector.plan(epoch: epoch))
            selector.observe(epoch: epoch, probabilities: Self.randomProbabilities(n: n, q: q, seed: UInt64(epoch)))
        }
        return plans
    }

    @Test(arguments: SelectorKind.allCases)
    func planStructure(_ kind: SelectorKind) throws {
        let n = 50
        for plan in try runSelector(kind, seed: 1) {
            #expect(plan.batchCount == 4, "⌈50/16⌉ batches")
            #expect(plan.selectionCounts.count == n && plan.weights.count == n && plan.correlation.count == 16)
            #expect(Int(plan.selectionCounts.reduce(0, +)) == plan.indices.count)
            if plan.epoch <= 2 || !kind.usesSampler {
                // Warm-up and shuffles: a permutation cut into 16, 16, 16, 2.
                #expect(plan.indices.sorted() == (0..<Int32(n)).map { $0 })
                #expect(plan.offsets == [0, 16, 32, 48, 50])
                #expect(plan.pressure == 1 && plan.weights.allSatisfy { $0 == 1 })
            } else {
                #expect(plan.offsets == [0, 16, 32, 48, 64])
                for k in 0..<plan.batchCount { #expect(Set(plan.batch(k)).count == 16, "rows in a batch are distinct") }
                #expect(plan.weights.min() == 0 && plan.weights.max() == 1)
                #expect(plan.pressure > 1 && plan.pressure < 100)
            }
            if kind != .uncertainty || plan.epoch <= 2 {
                #expect(plan.correlation == LabelCorrelation.identity(4))
            }
        }
    }

    @Test(arguments: SelectorKind.allCases)
    func sameSeedSamePlansOtherSeedOtherPlans(_ kind: SelectorKind) throws {
        let first = try runSelector(kind, seed: 21), second = try runSelector(kind, seed: 21)
        let other = try runSelector(kind, seed: 22)
        for (a, b) in zip(first, second) {
            #expect(a.indices == b.indices && a.weights == b.weights && a.correlation == b.correlation)
        }
        // `sequential` feeds the stored order whatever the seed; every other selector's draws follow it.
        #expect((first.map(\.indices) == other.map(\.indices)) == (kind == .sequential))
    }

    /// Higher criterion weight → drawn more often: the most uncertain rows dominate after warm-up.
    @Test func uncertainRowsAreDrawnMoreOften() throws {
        let n = 40, q = 3
        let selector = BatchSelectors.make(parameters: TrainParameters().with { $0.warmupEpochs = 1; $0.epochs = 50; $0.batchSize = 8 },
                                               labels: Self.labels(n: n, q: q), labelCount: q, seed: 4)
        // Rows 0..<10 sit at 0.5 (maximal entropy); the rest are confident (0.01).
        var probabilities = [Float](repeating: 0.01, count: n * q)
        for k in 0..<(10 * q) { probabilities[k] = 0.5 }
        selector.observe(epoch: 1, probabilities: probabilities)
        let plan = selector.plan(epoch: 2)
        let uncertainDraws = plan.selectionCounts[0..<10].reduce(0, +)
        // P(uncertain row) = 1/(10 + 30/s) with s ≈ 100: about 97% of the 40 draws.
        #expect(uncertainDraws >= 30)
    }

    @Test func checkpointRestoresTheSamePlans() throws {
        let n = 30, q = 3
        for kind in [SelectorKind.uncertainty, .activeBias, .recencyBias] {
            let options = TrainParameters().with { $0.selector = kind; $0.warmupEpochs = 2; $0.epochs = 10; $0.batchSize = 8 }
            let original = BatchSelectors.make(parameters: options, labels: Self.labels(n: n, q: q), labelCount: q, seed: 6)
            for epoch in 1...3 {
                _ = original.plan(epoch: epoch)
                original.observe(epoch: epoch, probabilities: Self.randomProbabilities(n: n, q: q, seed: UInt64(epoch)))
            }
            let resumed = BatchSelectors.make(parameters: options, labels: Self.labels(n: n, q: q), labelCount: q, seed: 6)
            try resumed.restore(original.checkpoint())
            #expect(resumed.plan(epoch: 4).indices == original.plan(epoch: 4).indices)
            #expect(resumed.checkpoint() == original.checkpoint())
        }
        let uncertainty = BatchSelectors.make(parameters: TrainParameters(), labels: Self.labels(n: n, q: q),
                                                  labelCount: q, seed: 6)
        #expect(throws: SelectorCheckpointError.self) { try uncertainty.restore(SelectorCheckpoint(window: [1, 2])) }
    }

    /// `history: batch` records only the rows of each batch; `observe(epoch:)` is then ignored.
    @Test func batchHistoryRecordsOnlyObservedRows() throws {
        let q = 1
        let selector = BatchSelectors.make(
            parameters: TrainParameters().with { $0.selector = .uncertainty; $0.lambda1 = 0; $0.warmupEpochs = 1; $0.epochs = 5; $0.batchSize = 4; $0.correlation = .none; $0.history = .batch },
            labels: [0, 1, 0, 1], labelCount: q, seed: 2)
        selector.observe(epoch: 1, probabilities: [0.5, 0.5, 0.5, 0.5])
        selector.observe(rows: [1, 3], probabilities: [0.5, 0.1])
        // e = (0, 1, 0, 0.469) for rows never seen, at 0.5, never seen, at 0.1 → w = (0, 1, 0, 0.469).
        let plan = selector.plan(epoch: 2)
        #expect(close(plan.weights.doubles, [0, 1, 0, 0.4689956]))
    }
}
