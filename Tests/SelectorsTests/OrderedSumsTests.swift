import Formats
import Foundation
import SeededRandom
import Selectors
import Testing

/// The per-row criteria sum their terms four rows at a time and count bins with vector
/// comparisons; each must give exactly the Doubles of the plain per-row loop of docs/method.md.
@Suite struct OrderedSumsTests {
    /// n = 7 (one block of four rows and three left over), q = 5, values in [0, 1).
    static let (n, q) = (7, 5)

    static func epochs(_ count: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in (0..<(n * q)).map { _ in generator.nextFloat() } }
    }

    @Test func activeBiasScoresEqualThePlainLoop() {
        var moments = RunningMoments(sampleCount: Self.n, labelCount: Self.q)
        for values in Self.epochs(4, seed: 1) {
            values.withUnsafeBufferPointer { moments.record(rows: 0..<Int32(Self.n), values: $0) }
        }
        var scores: [Double] = []
        moments.activeBiasScores(into: &scores)
        var expected = [Double](repeating: 0, count: Self.n), direct = expected
        for i in 0..<Self.n {
            let d = Double(moments.count[i] - 1)
            var total = 0.0, twoDivisions = 0.0
            for j in 0..<Self.q {
                let moment = max(moments.m2[i * Self.q + j], 0)
                total += (moment * (d * d + moment)).squareRoot()
                let variance = moment / d
                twoDivisions += (variance + variance * variance / d).squareRoot()
            }
            expected[i] = total / (d * d.squareRoot())
            direct[i] = twoDivisions
        }
        #expect(scores == expected)
        // The same criterion as the per-label formula √(var + var²/d), var = M2/d, to within a few ulp.
        #expect(zip(scores, direct).allSatisfy { abs($0 - $1) <= 1e-14 * $1 })
    }

    @Test func recencyEntropyEqualsThePlainLoop() {
        var window = PredictionWindow(capacity: 3, sampleCount: Self.n, labelCount: Self.q)
        let history = Self.epochs(4, seed: 2)
        for values in history { values.withUnsafeBufferPointer { window.recordAll(values: $0) } }
        var scores: [Double] = []
        Uncertainty.recencyEntropy(window: window, into: &scores)
        var expected = [Double](repeating: 0, count: Self.n)
        for i in 0..<Self.n {
            var total = 0.0
            for j in 0..<Self.q {
                let above = history.suffix(3).filter { $0[i * Self.q + j] > 0.5 }.count
                let f = Double(above) / 3
                if f > 0 && f < 1 { total -= f * log2(f) + (1 - f) * log2(1 - f) }
            }
            expected[i] = total
        }
        #expect(scores == expected)
    }

    /// Bin edges (τ = 5): u·τ exactly 1, 2, 3, 4 opens bins 1…4, 1 and above go in bin 4, just below an
    /// edge stays in the lower bin. Label 0 of these eight rows has codes 0 1 2 3 4 4 0 1, label 1 is
    /// label 0's codes shifted by one row; MI from those codes by the plain formula.
    @Test func correlationBinsAtTheEdges() {
        let column: [Float] = [0, 0.2, 0.4, 0.6, 0.8, 1, 0.19999999, 0.39999998]
        let codes = [0, 1, 2, 3, 4, 4, 0, 1]
        let n = column.count
        var u = [Float](repeating: 0, count: 2 * n)
        for i in 0..<n {
            u[2 * i] = column[i]
            u[2 * i + 1] = column[(i + 1) % n]
        }
        var joint = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 5)
        var first = [Double](repeating: 0, count: 5), second = [Double](repeating: 0, count: 5)
        for i in 0..<n {
            joint[codes[i]][codes[(i + 1) % n]] += 1
            first[codes[i]] += 1
            second[codes[(i + 1) % n]] += 1
        }
        var information = 0.0
        for r in 0..<5 {
            for s in 0..<5 where joint[r][s] > 0 {
                information += joint[r][s] / Double(n) * log(joint[r][s] * Double(n) / (first[r] * second[s]))
            }
        }
        for counting in [LabelCorrelation.PairCounting.dense, .sparse] {
            let c = LabelCorrelation.matrix(u: u, sampleCount: n, labelCount: 2, bins: 5, mode: .mi, counting: counting)
            #expect(abs(Double(c[1]) - information) < 1e-6, "\(counting)")
        }
    }
}
