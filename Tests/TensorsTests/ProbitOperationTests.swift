import Foundation
import SeededRandom
import Testing
@testable import Tensors
import TestSupport
import TensorTestSupport

@Suite struct VectorMathTests {
    /// Applies a kernel function to every value in a plain loop (the form the kernels use).
    func apply(_ values: [Float], _ function: (Float) -> Float) -> [Float] {
        var result = values
        for i in 0..<values.count { result[i] = function(values[i]) }
        return result
    }

    @Test func expMatchesDoubleToFewUlps() {
        let xs = stride(from: -87.0, through: 88.0, by: 0.0137).map(Float.init)
        let ys = apply(xs) { VectorMath.exp($0) }
        for (x, y) in zip(xs, ys) {
            let exact = Foundation.exp(Double(x))
            #expect(abs(Double(y) - exact) <= 3e-7 * exact, "exp(\(x)) = \(y), expected \(exact)")
        }
        let clamped = apply([-90, -1000, 0, 100]) { VectorMath.exp($0) }
        #expect(Array(clamped[..<3]) == [0, 0, 1] && abs(Double(clamped[3]) / Foundation.exp(Double(Float(88.3))) - 1) < 3e-7)
    }

    @Test func logMatchesDoubleToFewUlps() {
        var xs: [Float] = [1e-30, 5e-7, 0.5, 1, 1.414_213_5, 1.414_213_6, 2, 3, 1e30]
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<5000 { xs.append(Float(Foundation.exp(Double(generator.nextFloat()) * 80 - 40))) }
        let ys = apply(xs) { VectorMath.log($0) }
        for (x, y) in zip(xs, ys) {
            let exact = Foundation.log(Double(x))
            #expect(abs(Double(y) - exact) <= 2e-7 * max(abs(exact), 1), "log(\(x)) = \(y), expected \(exact)")
        }
    }

    /// Relative error ≤ 2e-6 where Φ ≥ 1e-9 (|u| ≤ 6); beyond, the rounding of u² in e^(−u²/2)
    /// lets it grow as ≈ 3e-7·u² (irrelevant to E, whose floor is 5e-7).
    @Test func normalCDFKeepsRelativePrecisionInBothTails() {
        let us = stride(from: -9.0, through: 9.0, by: 0.01).map(Float.init)
        let lower = apply(us) { VectorMath.normalCDF($0).lower }
        let upper = apply(us) { VectorMath.normalCDF($0).upper }
        let density = apply(us) { VectorMath.normalCDF($0).density }
        for (i, u) in us.enumerated() {
            let tolerance = max(2e-6, 4e-7 * Double(u * u))
            let below = normalCDF(Double(u)), above = normalCDF(-Double(u))
            #expect(abs(Double(lower[i]) - below) <= tolerance * below, "Φ(\(u)) = \(lower[i]), expected \(below)")
            #expect(abs(Double(upper[i]) - above) <= tolerance * above, "Φ(−\(u)) = \(upper[i]), expected \(above)")
            let phi = Foundation.exp(-Double(u) * Double(u) / 2) / (2 * Double.pi).squareRoot()
            #expect(abs(Double(density[i]) - phi) <= tolerance * phi, "φ(\(u))")
        }
    }

    @Test func zigguratNormalsHaveStandardMomentsAndTails() {
        var generator = SeededGenerator(seed: 17, stream: "ziggurat")
        let count = 400_000
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { generator.fillStandardNormal($0.baseAddress!, count: count) }
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(count)
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count)
        let fourth = values.reduce(0.0) { $0 + Foundation.pow(Double($1) - mean, 4) } / Double(count)
        #expect(abs(mean) < 0.006 && abs(variance - 1) < 0.01 && abs(fourth / (variance * variance) - 3) < 0.05)
        // Kolmogorov–Smirnov distance to Φ (critical value at 1 %: 1.63/√n ≈ 0.0026).
        let sorted = values.sorted()
        var distance = 0.0
        for (i, value) in sorted.enumerated() where i % 7 == 0 {
            let cdf = normalCDF(Double(value))
            distance = max(distance, abs(cdf - Double(i) / Double(count)), abs(cdf - Double(i + 1) / Double(count)))
        }
        #expect(distance < 0.0026, "KS distance \(distance)")
        // The tail beyond the ziggurat's base (r ≈ 3.654) is sampled separately.
        let beyond = Double(values.filter { abs($0) > 3.654_152_9 }.count) / Double(count)
        #expect(abs(beyond - 2 * normalCDF(-3.654_152_9)) < 1.5e-4, "tail fraction \(beyond)")
        var again = SeededGenerator(seed: 17, stream: "ziggurat")
        var repeated = [Float](repeating: 0, count: 1000)
        repeated.withUnsafeMutableBufferPointer { again.fillStandardNormal($0.baseAddress!, count: 1000) }
        #expect(repeated == Array(values[..<1000]))
    }
}

@Suite struct ProbitOperationTests {
    static let targets: [Float] = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0]  // rows: none, all, mixed
    static let weights: [Float] = [1, 0.5, 2, 1, 1, 1.5, 1, 0.25, 1, 1, 2, 1, 1, 3, 0.5]

    /// ℓ, A, B per (s, n) in Double from E = Φ(t)(1 − ε) + ε/2.
    static func reference(noise: [Float], means: [Float], samples: Int, b: Int, q: Int, weights: [Float]?) -> [Double] {
        var out = [Double](repeating: 0, count: 3 * samples * b)
        for s in 0..<samples {
            for n in 0..<b {
                for j in 0..<q {
                    let t = Double(noise[(s * b + n) * q + j] + means[n * q + j]), y = Double(targets[n * q + j])
                    let e = normalCDF(t) * (1 - 1e-6) + 5e-7, rest = normalCDF(-t) * (1 - 1e-6) + 5e-7
                    out[s * b + n] += Double(weights?[n * q + j] ?? 1) * Foundation.log(y == 1 ? e : rest)
                    out[(samples + s) * b + n] += y * Foundation.exp(-5 * e)
                    out[(2 * samples + s) * b + n] += (1 - y) * Foundation.exp(5 * e)
                }
            }
        }
        return out
    }

    @Test(arguments: [false, true])
    func sumsMatchDoubleAndGradientsMatchFiniteDifferences(weighted: Bool) {
        let samples = 4, b = 3, q = 5
        let noise = randomParameter([samples * b, q], seed: 40), means = randomParameter([b, q], seed: 41)
        let w = weighted ? Self.weights : nil
        let graph = Graph(recordsGradients: false)
        let result = Self.targets.withUnsafeBufferPointer { y in
            (w ?? []).withUnsafeBufferPointer { graph.probitSampleSums(noise: noise, means: means, targets: y,
                                                                       weights: weighted ? $0 : nil, floor: 1e-6, sharpness: 5) }
        }
        #expect(result.sums.shape == [3, samples, b])
        let expected = Self.reference(noise: noise.values, means: means.values, samples: samples, b: b, q: q, weights: w)
        #expect(close(result.sums.values.doubles, expected, relative: 2e-6, absolute: 2e-6), "\(result.sums.values) vs \(expected)")
        checkGradients([noise, means], step: 1e-2) { graph in
            Self.targets.withUnsafeBufferPointer { y in
                (w ?? []).withUnsafeBufferPointer {
                    graph.probitSampleSums(noise: noise, means: means, targets: y, weights: weighted ? $0 : nil, floor: 1e-6,
                                           sharpness: 5).sums
                }
            }
        }
    }

    @Test func meanLogitsAreThoseOfTheSampleMean() {
        let samples = 3, b = 3, q = 5
        let noise = randomParameter([samples, b, q], seed: 42), means = randomParameter([b, q], seed: 43)
        let graph = Graph(recordsGradients: false)
        let logits = Self.targets.withUnsafeBufferPointer {
            graph.probitSampleSums(noise: noise, means: means, targets: $0, floor: 1e-6, sharpness: 5).meanLogits
        }
        for i in 0..<(b * q) {
            var p = 0.0, c = 0.0
            for s in 0..<samples {
                let t = Double(noise.values[s * b * q + i] + means.values[i])
                p += normalCDF(t) * (1 - 1e-6) + 5e-7
                c += normalCDF(-t) * (1 - 1e-6) + 5e-7
            }
            #expect(abs(Double(logits.values[i]) - Foundation.log(p / c)) < 1e-5)
        }
    }

    @Test func extremeMeansStayFiniteWithBoundedLogs() {
        let graph = Graph()
        let noise = Tensor.parameter([Float](repeating: 0, count: 2 * 5), shape: [2, 5])
        let means = Tensor.parameter([40, -40, 9, -9, 0, -40, 40, -9, 9, 0], shape: [2, 5])
        let targets: [Float] = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
        let out = targets.withUnsafeBufferPointer {
            graph.probitSampleSums(noise: noise, means: means, targets: $0, floor: 1e-6, sharpness: 5)
        }
        #expect(out.sums.values.allSatisfy(\.isFinite) && out.meanLogits.values.allSatisfy(\.isFinite))
        #expect(out.sums.values[0] >= 5 * Float(Foundation.log(5e-7)) - 1e-3)
        graph.backward(out.sums)
        #expect(means.gradientValues.allSatisfy(\.isFinite) && noise.gradientValues.allSatisfy(\.isFinite))
    }

    @Test func logSumExpValuesAndGradient() {
        let graph = Graph(recordsGradients: false)
        let x = Tensor([1, 2, 3, 1000, 1000, -1000], shape: [2, 3])
        let rows = graph.logSumExp(x, axis: 1).values
        #expect(abs(rows[0] - Float(Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)))) < 1e-6)
        #expect(abs(rows[1] - (1000 + Float(Foundation.log(2.0)))) < 1e-3)
        #expect(graph.logSumExp(x, axis: 0).shape == [3])
        for axis in [0, 1, 2] {
            let y = randomParameter([2, 3, 4], seed: 50 + axis)
            checkGradients([y]) { $0.logSumExp(y, axis: axis) }
        }
    }

    @Test(arguments: [true, false])
    func batchNormGradient(training: Bool) {
        let x = randomParameter([5, 3], seed: 60), weight = randomParameter([3], seed: 61), bias = randomParameter([3], seed: 62)
        let mean = Tensor([0.1, -0.2, 0.3], shape: [3]), variance = Tensor([0.5, 1.5, 2], shape: [3])
        checkGradients([x, weight, bias], step: 1e-2) {
            $0.batchNorm(x, weight: weight, bias: bias, runningMean: mean, runningVariance: variance, training: training)
        }
    }

    @Test func batchNormNormalisesColumnsAndUpdatesRunningStatistics() {
        let x = Tensor([1, 10, 2, 20, 3, 60], shape: [3, 2])
        let weight = Tensor([2, 1], shape: [2]), bias = Tensor([0.5, 0], shape: [2])
        let mean = Tensor([0, 0], shape: [2]), variance = Tensor([1, 1], shape: [2])
        let graph = Graph(recordsGradients: false)
        let y = graph.batchNorm(x, weight: weight, bias: bias, runningMean: mean, runningVariance: variance, training: true)
        // Column 0: mean 2, biased variance 2/3; column 1: mean 30, biased variance 1400/3.
        let scale0 = 2 / (Float(2.0 / 3) + 1e-5).squareRoot()
        expectClose(Array(stride(from: 0, to: 6, by: 2).map { y.values[$0] }), [-scale0 + 0.5, 0.5, scale0 + 0.5])
        expectClose(mean.values, [0.2, 3])
        expectClose(variance.values, [0.9 + 0.1 * 1, 0.9 + 0.1 * 700])
        let evaluated = graph.batchNorm(x, weight: weight, bias: bias, runningMean: mean, runningVariance: variance, training: false)
        expectClose([evaluated.values[0]], [2 * (1 - 0.2) / (1 + 1e-5).squareRoot() + 0.5])
    }
}
