import StageKit
import Formats
import Foundation
import SeededRandom
import Selectors
import Testing
import TestSupport

/// Small cases worked out by hand (the arithmetic is in the comments).
@Suite struct HandWorkedTests {
    /// A 4 × 2 history (n = 4 samples, q = 2 labels, T = 3 epochs, λ1 = 0.5, τ = 2), oldest first:
    ///
    ///     sample 0: label 0 = 0.5, 0.5, 0.5   label 1 = 1, 0, 1
    ///     sample 1: label 0 = 0.5, 0.5, 0     label 1 = 0.5, 0.5, 0.5
    ///     sample 2: label 0 = 1, 1, 1         label 1 = 0, 0, 0
    ///     sample 3: label 0 = 0, 0.5, 0.5     label 1 = 1, 1, 0.5
    ///
    /// Eq. 1 (latest value; 0 and 1 are clamped to 1e-7, whose entropy ≈ 3e-6 ≈ 0):
    ///     e = [1, 0], [0, 1], [0, 0], [1, 1]
    /// Eq. 4 (mean of the two absolute steps):
    ///     d = [0, 1], [0.25, 0], [0, 0], [0.25, 0.25]
    /// Eq. 5 (u = (d + e)/2):
    ///     u = [0.5, 0.5], [0.125, 0.5], [0, 0], [0.625, 0.625]
    static let history: [[Float]] = [
        [0.5, 1, 0.5, 0.5, 1, 0, 0, 1],
        [0.5, 0, 0.5, 0.5, 1, 0, 0.5, 1],
        [0.5, 1, 0, 0.5, 1, 0, 0.5, 0.5],
    ]
    static let (n, q) = (4, 2)

    static func window() -> PredictionWindow {
        var window = PredictionWindow(capacity: 3, sampleCount: n, labelCount: q)
        for epoch in history { epoch.withUnsafeBufferPointer { window.recordAll(values: $0) } }
        return window
    }

    @Test func equationsOneFourFive() {
        var e: [Float] = [], d: [Float] = [], u: [Float] = []
        Uncertainty.labelUncertainty(window: Self.window(), lambda1: 0, into: &e)
        Uncertainty.labelUncertainty(window: Self.window(), lambda1: 1, into: &d)
        Uncertainty.labelUncertainty(window: Self.window(), lambda1: 0.5, into: &u)
        #expect(close(e.doubles, [1, 0, 0, 1, 0, 0, 1, 1]))
        #expect(close(d.doubles, [0, 1, 0.25, 0, 0, 0, 0.25, 0.25]))
        #expect(close(u.doubles, [0.5, 0.5, 0.125, 0.5, 0, 0, 0.625, 0.625]))
        // The clamp keeps exact 0/1 finite: e(1e-7) = −(1e-7·log2 1e-7 + (1 − 1e-7)·log2(1 − 1e-7)) ≈ 2.47e-6.
        #expect(e[1] > 0 && e[1] < 1e-5)
    }

    /// Eq. 6 with τ = 2 (bins [0, 0.5) and [0.5, 1]): codes of label 0 = 1, 0, 0, 1; label 1 = 1, 1, 0, 1.
    /// Joint p(0,0) = p(0,1) = 1/4, p(1,1) = 1/2, p(1,0) = 0; marginals p_0 = (1/2, 1/2), p_1 = (1/4, 3/4).
    /// MI = ½ ln(½ / (½·¾)) + ¼ ln(¼ / (½·¾)) + ¼ ln(¼ / (½·¼)) = ½ ln(4/3) + ¼ ln(2/3) + ¼ ln 2
    ///    = ¾ ln(4/3) = 0.2157615543.
    /// NMI: H_0 = ln 2 = 0.6931472, H_1 = −(¼ ln ¼ + ¾ ln ¾) = 0.5623351; √(H_0 H_1) = 0.6243271, NMI = 0.3455920.
    @Test func equationSixMutualInformation() {
        var u: [Float] = []
        Uncertainty.labelUncertainty(window: Self.window(), lambda1: 0.5, into: &u)
        for counting in [LabelCorrelation.PairCounting.dense, .sparse] {
            let mi = LabelCorrelation.matrix(u: u, sampleCount: 4, labelCount: 2, bins: 2, mode: .mi, counting: counting)
            #expect(close(mi.doubles, [1, 0.2157615543, 0.2157615543, 1]))
        }
        let nmi = LabelCorrelation.matrix(u: u, sampleCount: 4, labelCount: 2, bins: 2, mode: .nmi)
        #expect(close(nmi.doubles, [1, 0.3455920, 0.3455920, 1]))
        #expect(LabelCorrelation.matrix(u: u, sampleCount: 4, labelCount: 2, bins: 2, mode: .none) == [1, 0, 0, 1])
    }

    /// Eq. 7–10 on the same case, C = [[1, c], [c, 1]] with c = 0.21576155:
    /// Σ_j Ū_ij = (1 + c)(u_i0 + u_i1) = 1.21576·(1, 0.625, 0, 1.25); min–max → w = (0.8, 0.5, 0, 1).
    /// Q = ⌊(1 − w)·4⌋ = (0, 2, 4, 0) (0.8 → ⌊0.8⌋; the clamped ≈3e-6 entropies keep w_0 just below 0.8).
    /// P ∝ s^(−Q/4) with s = 100: (1, 0.1, 0.01, 1)/2.11.
    @Test func equationsSevenToTen() throws {
        let selector = BatchSelectors.make(
            parameters: TrainParameters().with { $0.window = 3; $0.bins = 2; $0.warmupEpochs = 3; $0.epochs = 10; $0.batchSize = 2 },
            labels: [UInt8](repeating: 0, count: 8), labelCount: 2, seed: 7)
        for (t, epoch) in Self.history.enumerated() { selector.observe(epoch: t + 1, probabilities: epoch) }
        let plan = selector.plan(epoch: 4)
        #expect(close(plan.weights.doubles, [0.8, 0.5, 0, 1]))
        #expect(close(plan.correlation.doubles, [1, 0.2157615543, 0.2157615543, 1]))
        let w = plan.weights.map(Double.init)
        #expect(w.map { SelectionPressure.quantise($0, sampleCount: 4) } == [0, 2, 4, 0])
        let unnormalised: [Double] = [1, 0.1, 0.01, 1]
        #expect(close(SelectionPressure.probabilities(normalisedScores: w, pressure: 100), unnormalised.map { $0 / 2.11 }))
        // Eq. 11 at the first selecting epoch: s_4 = 100^(1 − 1/7).
        #expect(close(plan.pressure, pow(100, 6.0 / 7), relative: 1e-12))
    }

    /// active-bias on one (sample, label) with history 0, 1, 0: mean 1/3, unbiased variance
    /// ((1/9) + (4/9) + (1/9))/2 = 1/3; std = √(1/3 + (1/3)²/2) = √(7/18) = 0.6236096.
    /// A second label with history 0.2, 0.2, 0.2 has variance 0 and adds nothing.
    @Test func activeBiasStandardDeviation() {
        var moments = RunningMoments(sampleCount: 1, labelCount: 2)
        for values: [Float] in [[0, 0.2], [1, 0.2], [0, 0.2]] {
            values.withUnsafeBufferPointer { moments.record(rows: [Int32(0)], values: $0) }
        }
        var scores: [Double] = []
        moments.activeBiasScores(into: &scores)
        #expect(close(scores, [0.6236096]))
        var single = RunningMoments(sampleCount: 1, labelCount: 1)
        [Float(0.7)].withUnsafeBufferPointer { single.record(rows: [Int32(0)], values: $0) }
        single.activeBiasScores(into: &scores)
        #expect(scores == [0])
    }

    /// recency-bias over a window of 4: label 0 = 0.2, 0.9, 0.7, 0.4 → 2/4 above 0.5 → entropy 1;
    /// label 1 = 0.6, 0.6, 0.6, 0.1 → 3/4 → −(¾ log2 ¾ + ¼ log2 ¼) = 0.8112781; total 1.8112781.
    @Test func recencyBiasEntropy() {
        var window = PredictionWindow(capacity: 4, sampleCount: 1, labelCount: 2)
        for values: [Float] in [[0.2, 0.6], [0.9, 0.6], [0.7, 0.6], [0.4, 0.1]] {
            values.withUnsafeBufferPointer { window.recordAll(values: $0) }
        }
        var scores: [Double] = []
        Uncertainty.recencyEntropy(window: window, into: &scores)
        #expect(close(scores, [1.8112781]))
    }

    /// hard-imbalance on 7 samples with one feature x = 0, 1, 2, 3, 10, 11, 12 and two labels.
    /// Label 0 is positive for samples 0…5 (N = 6), label 1 for samples 0, 1, 4 (N = 3):
    /// IRLbl = (1, 2), mean 1.5, so label 1 is the minority label.
    /// 5-NN: sample 0 → 1, 2, 3, 4, 5 (negatives for label 1: 2, 3, 5 → c = 0.6);
    /// sample 1 → 0, 2 (tie at distance 1, smaller index first), 3, 4, 5 → c = 0.6;
    /// sample 4 → 5, 6, 3, 2, 1 → c = 0.8. Σ c = 2, so ĉ = 0.3, 0.3, 0.4 and
    /// a = (1.3, 1.3, 1, 1, 1.4, 1, 1).
    static let features: [Float] = [0, 1, 2, 3, 10, 11, 12]
    static let labels: [UInt8] = [1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0]

    @Test func nearestNeighboursByBlockedProduct() {
        let neighbours = NearestNeighbours.search(features: Self.features, sampleCount: 7, featureCount: 1,
                                                  queries: [0, 1, 4], k: 5, blockSize: 2)
        #expect(neighbours == [1, 2, 3, 4, 5, 0, 2, 3, 4, 5, 5, 6, 3, 2, 1])
    }

    @Test func hardImbalanceWeights() throws {
        #expect(ImbalanceWeights.minorityLabels(labels: Self.labels, sampleCount: 7, labelCount: 2) == [false, true])
        let a = ImbalanceWeights.weights(labels: Self.labels, sampleCount: 7, labelCount: 2,
                                         features: Self.features, featureCount: 1)
        #expect(close(a.doubles, [1.3, 1.3, 1, 1, 1.4, 1, 1]))
        // With every prediction 0.5 the loss is 2·ln 2 for all samples, so w ∝ a:
        // min–max of (1.3, 1.3, 1, 1, 1.4, 1, 1) = (0.75, 0.75, 0, 0, 1, 0, 0).
        let selector = BatchSelectors.make(
            parameters: TrainParameters().with { $0.selector = .hardImbalance; $0.warmupEpochs = 1; $0.epochs = 5; $0.batchSize = 3 },
            labels: Self.labels, labelCount: 2, features: Self.features, featureCount: 1, seed: 3)
        selector.observe(epoch: 1, probabilities: [Float](repeating: 0.5, count: 14))
        #expect(close(selector.plan(epoch: 2).weights.doubles, [0.75, 0.75, 0, 0, 1, 0, 0]))
    }

    /// balance: a batch of rows 0, 2, 5, 6 (labels (1,1), (1,0), (1,0), (0,0)) of the labels above.
    /// Training rates π = (6/7, 3/7).
    /// Label 0 batch rate r = 3/4: positives (6/7) ÷ (3/4) = 8/7 = 24/21, negatives (1/7) ÷ (1/4) = 4/7 = 12/21.
    /// Label 1 batch rate r = 1/4: positives (3/7) ÷ (1/4) = 12/7 = 36/21, negatives (4/7) ÷ (3/4) = 16/21.
    /// A batch where every label is all positive (rows 0, 1: r = 1) keeps weight 1.
    @Test func balanceLossWeights() throws {
        let selector = BatchSelectors.make(parameters: TrainParameters().with { $0.selector = .balance },
                                               labels: Self.labels, labelCount: 2, seed: 1)
        let weights = try #require(selector.lossWeights(rows: [0, 2, 5, 6]))
        let twentyFirsts: [Double] = [24, 36, 24, 16, 24, 16, 12, 16]
        #expect(close(weights.doubles, twentyFirsts.map { $0 / 21 }))
        let allPositive = try #require(selector.lossWeights(rows: [0, 1]))
        #expect(close(allPositive.doubles, [1, 1, 1, 1]))
        let random = BatchSelectors.make(parameters: TrainParameters().with { $0.selector = .random }, labels: Self.labels,
                                             labelCount: 2, seed: 1)
        #expect(random.lossWeights(rows: [0, 1]) == nil)
    }
}

/// Dense (ssyrk) and sparse pair counting give bit-identical matrices on skewed and spread data.
@Suite struct PairCountingTests {
    @Test(arguments: [0.5, 3.0])
    func denseAndSparseAgree(_ skew: Double) {
        let n = 300, q = 12
        var generator = SeededRandom.SeededGenerator(seed: 17)
        var u = [Float](repeating: 0, count: n * q)
        for k in u.indices { u[k] = Float(pow(generator.nextDouble(), skew)) }
        u[5] = 1  // u = 1 belongs to the last bin
        for mode in [CorrelationMode.mi, .nmi] {
            let dense = LabelCorrelation.matrix(u: u, sampleCount: n, labelCount: q, bins: 5, mode: mode, counting: .dense)
            let sparse = LabelCorrelation.matrix(u: u, sampleCount: n, labelCount: q, bins: 5, mode: mode, counting: .sparse)
            #expect(dense == sparse)
            #expect((0..<q).allSatisfy { dense[$0 * q + $0] == 1 })
            #expect(dense.contains { $0 > 0 && $0 < 1 })
        }
    }
}

/// At q = 1,100 and τ = 5 (≈ 940 informative labels) the pair counts come in four blocks of labels (16 MB each): dense and
/// sparse counting agree bit for bit, and every entry equals the mutual information computed from
/// its pair's τ × τ joint histogram by the definition, Σ_rs p_rs ln(p_rs / (p_r p_s)). Most
/// entries are 0 with a few in other bins (as late in training), so most pairs are never counted
/// together and take the closed form; a few labels are spread over every bin.
@Suite struct PairCountingBlockTests {
    static let n = 240, q = 1100, tau = 5

    static func uncertainty() -> [Float] {
        var generator = SeededRandom.SeededGenerator(seed: 29)
        var u = [Float](repeating: 0, count: n * q)
        for i in 0..<n {
            for a in 0..<q {
                let spread = a % 97 == 0
                if spread || generator.nextDouble() < 0.01 { u[i * q + a] = Float(generator.nextDouble()) }
            }
        }
        return u
    }

    /// MI of columns a and b of u by the definition (the bins as ``LabelCorrelation`` describes them).
    static func definition(_ u: [Float], _ a: Int, _ b: Int) -> Double {
        func bin(_ value: Float) -> Int { min(Int(value * Float(tau)), tau - 1) }
        var joint = [Double](repeating: 0, count: tau * tau), pa = [Double](repeating: 0, count: tau)
        var pb = [Double](repeating: 0, count: tau)
        for i in 0..<n {
            let r = bin(u[i * q + a]), s = bin(u[i * q + b])
            joint[r * tau + s] += 1 / Double(n)
            pa[r] += 1 / Double(n)
            pb[s] += 1 / Double(n)
        }
        var information = 0.0
        for r in 0..<tau {
            for s in 0..<tau where joint[r * tau + s] > 0 {
                information += joint[r * tau + s] * log(joint[r * tau + s] / (pa[r] * pb[s]))
            }
        }
        return max(information, 0)
    }

    @Test func blocksAgreeWithTheDefinition() {
        let u = Self.uncertainty(), q = Self.q
        let sparse = LabelCorrelation.matrix(u: u, sampleCount: Self.n, labelCount: q, bins: Self.tau, mode: .mi, counting: .sparse)
        let dense = LabelCorrelation.matrix(u: u, sampleCount: Self.n, labelCount: q, bins: Self.tau, mode: .mi, counting: .dense)
        #expect(sparse == dense)
        var checked = 0, positive = 0
        for a in stride(from: 0, to: q, by: 13) {
            for b in stride(from: 1, to: q, by: 7) where b != a {
                let expected = Self.definition(u, a, b)
                #expect(abs(Double(sparse[a * q + b]) - expected) <= 1e-6 * max(1, expected), "C[\(a), \(b)]")
                #expect(sparse[a * q + b] == sparse[b * q + a])
                checked += 1
                if expected > 1e-3 { positive += 1 }
            }
        }
        // Two spread labels leave their common bin in more rows than n together: always counted.
        for a in stride(from: 0, to: q, by: 97) {
            for b in stride(from: a + 97, to: q, by: 97) {
                #expect(abs(Double(sparse[a * q + b]) - Self.definition(u, a, b)) <= 1e-6, "C[\(a), \(b)]")
            }
        }
        #expect((0..<q).allSatisfy { sparse[$0 * q + $0] == 1 })
        #expect(checked > 10_000 && positive > 100)
    }
}
