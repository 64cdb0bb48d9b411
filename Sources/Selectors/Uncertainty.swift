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
    /// With λ1 = 0 the result is e, with λ1 = 1 it is d. O(T·n·q), one pass over the window:
    /// eight labels at a time, the changes are summed oldest first in a register.
    public static func labelUncertainty(window: PredictionWindow, lambda1: Double, into u: inout [Float]) {
        let n = window.sampleCount, q = window.labelCount
        if u.count != n * q { u = [Float](repeating: 0, count: n * q) }
        let fluctuationShare = Float(lambda1), entropyShare = Float(1 - lambda1)
        let slots = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: max(window.capacity, 1))
        defer { slots.deallocate() }
        window.storage.withUnsafeBufferPointer { store in
            u.withUnsafeMutableBufferPointer { out in
                for i in 0..<n {
                    let count = Int(window.filled[i]), next = Int(window.nextSlot[i])
                    let row = out.baseAddress! + i * q
                    guard count > 0 else {
                        row.update(repeating: 0, count: q)
                        continue
                    }
                    for k in 0..<count { slots[k] = store.baseAddress! + window.offset(sample: i, age: k, next: next, count: count) }
                    let fluctuationScale = count >= 2 ? fluctuationShare / Float(count - 1) : 0
                    var j = 0
                    while j + 8 <= q {
                        var previous = UnsafeRawPointer(slots[0] + j).loadUnaligned(as: SIMD8<Float>.self), sum = SIMD8<Float>()
                        var k = 1
                        while k < count {
                            let current = UnsafeRawPointer(slots[k] + j).loadUnaligned(as: SIMD8<Float>.self)
                            sum += magnitude(current - previous)
                            previous = current
                            k += 1
                        }
                        UnsafeMutableRawPointer(row + j).storeBytes(of: fluctuationScale * sum + entropyShare * binaryEntropy(previous),
                                                                    as: SIMD8<Float>.self)
                        j += 8
                    }
                    if j < q {
                        // The last partial block, padded with p = ½ (lanes past q are not stored).
                        var previous = SIMD8<Float>(repeating: 0.5), sum = SIMD8<Float>()
                        for l in 0..<(q - j) { previous[l] = slots[0][j + l] }
                        for k in 1..<max(count, 1) {
                            var current = SIMD8<Float>(repeating: 0.5)
                            for l in 0..<(q - j) { current[l] = slots[k][j + l] }
                            sum += magnitude(current - previous)
                            previous = current
                        }
                        let value = fluctuationScale * sum + entropyShare * binaryEntropy(previous)
                        for l in 0..<(q - j) { row[j + l] = value[l] }
                    }
                }
            }
        }
    }

    /// |x| of eight values (the sign bit cleared: exact, +0 for −0).
    @inline(__always)
    static func magnitude(_ x: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
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
    /// 0 while |H| < 2. O(n·q). With d = |H| − 1 and var = M2/d each term is √(M2·(d² + M2)) / d^(3/2),
    /// so a row costs one square root per label and one division: numerical by design (two
    /// divisions and a square root per label gave the same value to within a few ulp).
    public func activeBiasScores(into scores: inout [Double]) {
        let q = labelCount
        if scores.count != sampleCount { scores = [Double](repeating: 0, count: sampleCount) }
        count.withUnsafeBufferPointer { count in
            m2.withUnsafeBufferPointer { m2 in
                scores.withUnsafeMutableBufferPointer { scores in
                    orderedRowSums(rows: sampleCount, columns: q, into: scores.baseAddress!) { i, terms in
                        let d = Double(count[i] - 1), dSquared = d * d, row = m2.baseAddress! + i * q
                        for j in 0..<q {
                            let moment = max(row[j], 0)
                            terms[j] = (moment * (dSquared + moment)).squareRoot()
                        }
                    }
                    for i in 0..<sampleCount {
                        let d = Double(count[i] - 1)
                        scores[i] = count[i] < 2 ? 0 : scores[i] / (d * d.squareRoot())
                    }
                }
            }
        }
    }
}
