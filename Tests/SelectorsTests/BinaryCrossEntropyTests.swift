import Foundation
import SeededRandom
import Selectors
import Testing

/// hard-imbalance's row loss as one logarithm of a product, against the sum of libm logs.
@Suite struct BinaryCrossEntropyTests {
    /// Σ_j −ln x_j term by term, as hard-imbalance computed it before.
    static func summedLogs(_ p: [Float], _ y: [UInt8]) -> Double {
        let floor = Double(Uncertainty.probabilityFloor)
        var loss = 0.0
        for j in p.indices {
            let probability = min(max(Double(p[j]), floor), 1 - floor)
            loss -= y[j] != 0 ? log(probability) : log(1 - probability)
        }
        return loss
    }

    static func rowLoss(_ p: [Float], _ y: [UInt8]) -> Double {
        p.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { y in
            BinaryCrossEntropy.rowLoss(probabilities: p.baseAddress!, labels: y.baseAddress!, count: p.count)
        } }
    }

    @Test func handWorked() {
        // p = ½ on two labels: 2 ln 2. p = 0.8 positive, 0.8 negative: −ln 0.8 − ln 0.2 (Float 0.8).
        #expect(abs(Self.rowLoss([0.5, 0.5], [1, 0]) - 2 * log(2.0)) < 1e-15)
        let p = Double(Float(0.8))
        #expect(abs(Self.rowLoss([0.8, 0.8], [1, 0]) - (-log(p) - log(1 - p))) < 1e-15)
        #expect(Self.rowLoss([], []) == 0)
    }

    @Test func clampedAtTheFloorWithoutUnderflow() {
        // 1000 confident mistakes: each factor is the floor, the product 10⁻⁷⁰⁰⁰ in Double would be 0.
        let q = 1000
        let loss = Self.rowLoss([Float](repeating: 0, count: q), [UInt8](repeating: 1, count: q))
        let expected = -Double(q) * log(Double(Uncertainty.probabilityFloor))
        #expect(abs(loss - expected) <= 1e-13 * expected)
        // Confident and right: a loss of 3·10⁻⁷, within an ulp of 1 (the product's rounding): the
        // error is absolute, not relative, which is what min–max normalised scores need.
        #expect(abs(Self.rowLoss([1, 1, 1], [1, 1, 1]) - 3 * -log(1 - Double(Uncertainty.probabilityFloor))) <= 2.3e-16)
    }

    @Test(arguments: [1, 3, 4, 5, 7, 63, 64, 65, 374, 983])
    func matchesTheSumOfLogs(_ q: Int) {
        var generator = SeededGenerator(seed: UInt64(q))
        for _ in 0..<50 {
            // Mostly small probabilities on negative labels (as in corel5k), some confident
            // mistakes and exact 0 and 1.
            var p = [Float](repeating: 0, count: q), y = [UInt8](repeating: 0, count: q)
            for j in 0..<q {
                let u = generator.nextDouble()
                p[j] = u < 0.02 ? 0 : u > 0.98 ? 1 : Float(pow(generator.nextDouble(), 4))
                y[j] = generator.nextDouble() < 0.05 ? 1 : 0
            }
            let reference = Self.summedLogs(p, y)
            let loss = Self.rowLoss(p, y)
            #expect(abs(loss - reference) <= 1e-13 * max(1, reference), "q \(q): \(loss) vs \(reference)")
        }
    }
}
