import Foundation

/// Uncertainty levels: u replaced by the centre of its bin, and the authors' arithmetic of u
/// (`uncertainty-levels: centres`, `saturation: top-level`, `correlation: ones`; docs/replication.md).
public enum UncertaintyLevels {
    /// The bin b of u among τ equal bins of [0, 1], b/τ ≤ u < (b + 1)/τ; u ≥ 1 and an undefined
    /// (NaN) u fall in the top bin, u < 0 in bin 0: NumPy's `digitize(u, edges) − 1` clipped to 0…τ−1,
    /// as the authors' code bins.
    @inline(__always)
    public static func bin(_ u: Double, bins: Int) -> Int {
        guard !u.isNaN else { return bins - 1 }
        var b = 0
        while b + 1 < bins && u >= Double(b + 1) / Double(bins) { b += 1 }
        return b
    }

    /// The centre (b + ½)/τ of bin b: for τ = 5 the doubles of the literals 0.1, 0.3, 0.5, 0.7, 0.9.
    @inline(__always)
    public static func centre(_ b: Int, bins: Int) -> Double { (Double(b) + 0.5) / Double(bins) }

    /// Bin codes [n, q] of Float uncertainties (`saturation: clamp`, where every u is defined).
    public static func codes(of u: [Float], bins: Int, into codes: inout [UInt8]) {
        if codes.count != u.count { codes = [UInt8](repeating: 0, count: u.count) }
        for k in u.indices { codes[k] = UInt8(bin(Double(u[k]), bins: bins)) }
    }

    /// The authors' u of every (sample, label) as their code computes it under NumPy 1.x, as bin
    /// codes [n, q]. With p the latest window value (float32):
    /// e = −1/ln 2 · (p·ln p + (1 − p)·ln(1 − p)), the first product in float32, the second in
    /// float64 (NumPy 1.x promotes `1 - p` of a float32 scalar to float64); NaN when p is exactly 0 or 1.
    /// d = Σ|H[k] − H[k−1]| summed oldest first in float32, divided by |H| − 1 in float64; NaN
    /// (0/0) when the window holds one value. u = λ1·d + (1 − λ1)·e; a row never recorded keeps u = 0.
    /// An undefined u falls in the top bin (``bin(_:bins:)``). O(T·n·q).
    public static func authorsCodes(window: PredictionWindow, lambda1: Double, bins: Int, into codes: inout [UInt8]) {
        let n = window.sampleCount, q = window.labelCount, capacity = max(window.capacity, 1)
        if codes.count != n * q { codes = [UInt8](repeating: 0, count: n * q) }
        let inverseLog2 = -1 / log(2.0)
        var offsets = [Int](repeating: 0, count: capacity)
        window.storage.withUnsafeBufferPointer { store in
            for i in 0..<n {
                let count = Int(window.filled[i]), next = Int(window.nextSlot[i])
                for k in 0..<count { offsets[k] = window.offset(sample: i, age: k, next: next, count: count) }
                for j in 0..<q {
                    guard count > 0 else { codes[i * q + j] = 0; continue }
                    var changes: Float = 0
                    for k in 1..<max(count, 1) { changes += abs(store[offsets[k] + j] - store[offsets[k - 1] + j]) }
                    let fluctuation = Double(changes) / Double(count - 1)
                    let p = store[offsets[count - 1] + j]
                    let entropy = inverseLog2 * (Double(p * log(p)) + (1 - Double(p)) * log(1 - Double(p)))
                    codes[i * q + j] = UInt8(bin(lambda1 * fluctuation + (1 - lambda1) * entropy, bins: bins))
                }
            }
        }
    }

    /// The sum of `count` copies of x in the order NumPy's `sum(axis=1)` adds a row: the authors'
    /// w = (U·1).sum(axis=1), whose row holds q copies of the row sum of U. (For q ≤ 256 OpenBLAS's
    /// product gives every column the left-to-right row sum; above, its last q mod 8 columns are
    /// summed in another order, so w may differ from the notebook's in the last bits.)
    public static func numpyRowSum(repeating x: Double, count n: Int) -> Double {
        pairwiseSum(repeating: x, count: n)
    }

    /// NumPy's pairwise summation (`pairwise_sum` in its loops) of n copies of x: below 8 terms a
    /// plain loop; up to 128, eight interleaved sums combined as ((0+1)+(2+3))+((4+5)+(6+7)), the
    /// remainder added after; above, the two halves (the first a multiple of 8) summed apart.
    static func pairwiseSum(repeating x: Double, count n: Int) -> Double {
        if n < 8 {
            var total = -0.0
            for _ in 0..<n { total += x }
            return total
        }
        if n <= 128 {
            var r = [Double](repeating: x, count: 8)
            var i = 8
            while i < n - n % 8 {
                for k in 0..<8 { r[k] += x }
                i += 8
            }
            var total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n { total += x; i += 1 }
            return total
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(repeating: x, count: half) + pairwiseSum(repeating: x, count: n - half)
    }
}
