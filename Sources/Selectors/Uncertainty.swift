import Foundation

/// Label uncertainty of docs/method.md, Eq. 1, 4, 5, and the window entropy of `recency-bias`.
public enum Uncertainty {
    /// Probabilities are clamped to [floor, 1 − floor] before any logarithm.
    public static let probabilityFloor: Float = 1e-7

    /// Binary entropy in bits of eight probabilities, each clamped first (Eq. 1), with
    /// ``VectorLogarithm/log2(_:)``.
    @inline(__always)
    public static func binaryEntropy(_ p: SIMD8<Float>) -> SIMD8<Float> {
        let low = SIMD8<Float>(repeating: probabilityFloor), high = SIMD8<Float>(repeating: 1 - probabilityFloor)
        var c = p
        c.replace(with: low, where: c .< low)
        c.replace(with: high, where: c .> high)
        return -(c * VectorLogarithm.log2(c) + (1 - c) * VectorLogarithm.log2(1 - c))
    }

    /// u = λ1·d + (1 − λ1)·e for every (sample, label), written into `u` [n, q] (Eq. 5).
    /// e (Eq. 1) is the entropy of the latest recorded value, d (Eq. 4) the mean absolute change
    /// between consecutive window values (0 with fewer than two). Samples with no record get 0.
    /// With λ1 = 0 the result is e, with λ1 = 1 it is d. O(T·n·q).
    public static func labelUncertainty(window: PredictionWindow, lambda1: Double, into u: inout [Float]) {
        let n = window.sampleCount, q = window.labelCount
        if u.count != n * q { u = [Float](repeating: 0, count: n * q) }
        let fluctuationShare = Float(lambda1), entropyShare = Float(1 - lambda1)
        // Rows are independent: large matrices are split over two workers (same result).
        let workers = n * q >= 1 << 16 ? min(2, ProcessInfo.processInfo.activeProcessorCount) : 1
        window.storage.withUnsafeBufferPointer { store in
            window.filled.withUnsafeBufferPointer { filled in
                window.nextSlot.withUnsafeBufferPointer { nextSlot in
                    u.withUnsafeMutableBufferPointer { out in
                        let shared = UncertaintyAddresses(store: store.baseAddress!, filled: filled.baseAddress!,
                                                          nextSlot: nextSlot.baseAddress!, out: out.baseAddress!)
                        DispatchQueue.concurrentPerform(iterations: workers) { worker in
                            for i in (worker * n / workers)..<((worker + 1) * n / workers) {
                                let count = Int(shared.filled[i]), next = Int(shared.nextSlot[i])
                                let row = shared.out + i * q
                                // Accumulate Σ|H[h] − H[h−1]| in `row`, oldest first.
                                row.update(repeating: 0, count: q)
                                guard count > 0 else { continue }
                                var previous = shared.store + window.offset(sample: i, age: 0, next: next, count: count)
                                for k in 1..<max(count, 1) {
                                    let current = shared.store + window.offset(sample: i, age: k, next: next, count: count)
                                    for j in 0..<q { row[j] += abs(current[j] - previous[j]) }
                                    previous = current
                                }
                                let fluctuationScale = count >= 2 ? fluctuationShare / Float(count - 1) : 0
                                // Eight labels at a time; a last partial block is padded with p = ½.
                                var j = 0
                                while j + 8 <= q {
                                    let p = UnsafeRawPointer(previous + j).loadUnaligned(as: SIMD8<Float>.self)
                                    let sum = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(row + j).storeBytes(
                                        of: fluctuationScale * sum + entropyShare * binaryEntropy(p), as: SIMD8<Float>.self)
                                    j += 8
                                }
                                if j < q {
                                    var p = SIMD8<Float>(repeating: 0.5), sum = SIMD8<Float>()
                                    for l in 0..<(q - j) {
                                        p[l] = previous[j + l]
                                        sum[l] = row[j + l]
                                    }
                                    let value = fluctuationScale * sum + entropyShare * binaryEntropy(p)
                                    for l in 0..<(q - j) { row[j + l] = value[l] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// recency-bias: for each sample, Σ_j of the binary entropy (bits, 0·log 0 = 0) of the fraction
    /// of its window values > 0.5. Samples with no record get 0. O(T·n·q).
    public static func recencyEntropy(window: PredictionWindow, into scores: inout [Double]) {
        let n = window.sampleCount, q = window.labelCount, capacity = window.capacity
        if scores.count != n { scores = [Double](repeating: 0, count: n) }
        // −H(k/c) in bits for every count c ≤ T of values and every k ≤ c above ½ (0 for k = 0 or c).
        var negativeEntropy = [Double](repeating: 0, count: (capacity + 1) * (capacity + 1))
        for c in 1...capacity {
            for k in 1..<max(c, 1) {
                let f = Double(k) / Double(c)
                negativeEntropy[c * (capacity + 1) + k] = f * log2(f) + (1 - f) * log2(1 - f)
            }
        }
        var above = [Int32](repeating: 0, count: q)
        window.storage.withUnsafeBufferPointer { store in
            above.withUnsafeMutableBufferPointer { above in
                for i in 0..<n {
                    let count = Int(window.filled[i]), next = Int(window.nextSlot[i])
                    above.update(repeating: 0)
                    for k in 0..<count {
                        let values = store.baseAddress! + window.offset(sample: i, age: k, next: next, count: count)
                        for j in 0..<q { above[j] &+= values[j] > 0.5 ? 1 : 0 }
                    }
                    var total = 0.0
                    if count > 0 {
                        let row = count * (capacity + 1)
                        for j in 0..<q where above[j] > 0 && Int(above[j]) < count { total -= negativeEntropy[row + Int(above[j])] }
                    }
                    scores[i] = total
                }
            }
        }
    }
}

/// Running mean and variance of every (sample, label) over the whole history (Welford's update),
/// for `active-bias`. Keeps 2·n·q doubles and n counts, never the history itself.
public struct RunningMoments: Sendable {
    public let sampleCount: Int
    public let labelCount: Int
    public private(set) var count: [Int32]
    public private(set) var mean: [Double]
    public private(set) var m2: [Double]

    public init(sampleCount: Int, labelCount: Int) {
        self.sampleCount = sampleCount
        self.labelCount = labelCount
        count = [Int32](repeating: 0, count: sampleCount)
        mean = [Double](repeating: 0, count: sampleCount * labelCount)
        m2 = [Double](repeating: 0, count: sampleCount * labelCount)
    }

    /// Restores saved moments (see ``SelectorCheckpoint``); nil if the sizes disagree.
    public init?(sampleCount: Int, labelCount: Int, count: [Int32], mean: [Double], m2: [Double]) {
        guard count.count == sampleCount, mean.count == sampleCount * labelCount, m2.count == mean.count else { return nil }
        self.sampleCount = sampleCount
        self.labelCount = labelCount
        self.count = count
        self.mean = mean
        self.m2 = m2
    }

    /// Adds the probabilities `values[k·q ..< (k+1)·q]` of sample `rows[k]`. O(|rows|·q).
    public mutating func record(rows: some Collection<Int32>, values: UnsafeBufferPointer<Float>) {
        let q = labelCount
        precondition(values.count == rows.count * q, "values must hold rows.count × q probabilities")
        count.withUnsafeMutableBufferPointer { count in
            mean.withUnsafeMutableBufferPointer { mean in
                m2.withUnsafeMutableBufferPointer { m2 in
                    for (k, row32) in rows.enumerated() {
                        let i = Int(row32)
                        count[i] += 1
                        let inverse = 1 / Double(count[i])
                        for j in 0..<q {
                            let x = Double(values[k * q + j])
                            let delta = x - mean[i * q + j]
                            mean[i * q + j] += delta * inverse
                            m2[i * q + j] += delta * (x - mean[i * q + j])
                        }
                    }
                }
            }
        }
    }

    /// active-bias: for each sample, Σ_j √(var + var²/(|H|−1)) with var the unbiased variance;
    /// 0 while |H| < 2. O(n·q).
    public func activeBiasScores(into scores: inout [Double]) {
        let q = labelCount
        if scores.count != sampleCount { scores = [Double](repeating: 0, count: sampleCount) }
        count.withUnsafeBufferPointer { count in
            m2.withUnsafeBufferPointer { m2 in
                scores.withUnsafeMutableBufferPointer { scores in
                    orderedRowSums(rows: sampleCount, columns: q, into: scores.baseAddress!) { i, terms in
                        let denominator = Double(count[i] - 1), row = m2.baseAddress! + i * q
                        for j in 0..<q {
                            let variance = max(row[j], 0) / denominator
                            terms[j] = (variance + variance * variance / denominator).squareRoot()
                        }
                    }
                    for i in 0..<sampleCount where count[i] < 2 { scores[i] = 0 }
                }
            }
        }
    }
}

/// Addresses shared by the workers of ``Uncertainty/labelUncertainty(window:lambda1:into:)``;
/// each worker writes only its own rows of `out`.
private struct UncertaintyAddresses: @unchecked Sendable {
    let store: UnsafePointer<Float>
    let filled: UnsafePointer<Int32>
    let nextSlot: UnsafePointer<Int32>
    let out: UnsafeMutablePointer<Float>
}
