import CBLAS
import Foundation

/// Uncertainty-based label correlation (method.md Eq. 6) and Ū = U·C (Eq. 7).
public enum LabelCorrelation {
    /// The q × q correlation matrix of the columns of `u` [n, q] (row-major, Float32).
    ///
    /// Each column is discretised into `bins` (τ) equal bins of width 1/τ on [0, 1] (u = 1 goes
    /// in the last bin). All q(q−1)/2 joint histograms come from one product Bᵀ·B of the
    /// n × q(τ−1) one-hot bin matrix (the last bin of each label is implied by the marginals),
    /// computed with `cblas_sgemm`: O(n·(qτ)²) flops, O((qτ)²) memory. `.mi` gives the natural-log
    /// mutual information (clipped at 0 like scikit-learn), `.nmi` MI/√(H_a H_b) (0 if either
    /// entropy is 0), `.none` the identity. The diagonal is 1 in every mode.
    public static func matrix(u: [Float], sampleCount n: Int, labelCount q: Int, bins tau: Int,
                              mode: CorrelationMode) -> [Float] {
        precondition(u.count == n * q && tau >= 2)
        var c = identity(q)
        guard mode != .none, n > 0, q > 1 else { return c }
        let reduced = tau - 1, width = q * reduced
        // Bin codes, marginal counts, and the reduced one-hot matrix B [n, q(τ−1)].
        var marginal = [Int32](repeating: 0, count: q * tau)
        var oneHot = [Float](repeating: 0, count: n * width)
        u.withUnsafeBufferPointer { u in
            oneHot.withUnsafeMutableBufferPointer { b in
                for i in 0..<n {
                    for j in 0..<q {
                        let code = min(max(Int(u[i * q + j] * Float(tau)), 0), reduced)
                        marginal[j * tau + code] += 1
                        if code < reduced { b[i * width + j * reduced + code] = 1 }
                    }
                }
            }
        }
        var joint = [Float](repeating: 0, count: width * width)
        oneHot.withUnsafeBufferPointer { b in
            joint.withUnsafeMutableBufferPointer { g in
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(width), Int32(width), Int32(n),
                            1, b.baseAddress, Int32(width), b.baseAddress, Int32(width), 0, g.baseAddress, Int32(width))
            }
        }
        // c·log(c) for every possible count, and each label's entropy (nats).
        let logN = log(Double(n))
        var logCount = [Double](repeating: 0, count: n + 1)
        for k in 1...n { logCount[k] = log(Double(k)) }
        var entropy = [Double](repeating: 0, count: q)
        for a in 0..<q {
            var h = 0.0
            for r in 0..<tau where marginal[a * tau + r] > 0 {
                let count = Int(marginal[a * tau + r])
                h -= Double(count) / Double(n) * (logCount[count] - logN)
            }
            entropy[a] = h
        }
        var table = [Int](repeating: 0, count: tau * tau)
        joint.withUnsafeBufferPointer { g in
            for a in 0..<q {
                for b in (a + 1)..<q {
                    // Counts for bins r, s < τ−1 from the product; the rest from the marginals.
                    for r in 0..<reduced {
                        var rowSum = 0
                        for s in 0..<reduced {
                            let count = Int(g[(a * reduced + r) * width + b * reduced + s])
                            table[r * tau + s] = count
                            rowSum += count
                        }
                        table[r * tau + reduced] = Int(marginal[a * tau + r]) - rowSum
                    }
                    for s in 0..<tau {
                        var columnSum = 0
                        for r in 0..<reduced { columnSum += table[r * tau + s] }
                        table[reduced * tau + s] = Int(marginal[b * tau + s]) - columnSum
                    }
                    var information = 0.0
                    for r in 0..<tau {
                        let countA = Int(marginal[a * tau + r])
                        guard countA > 0 else { continue }
                        for s in 0..<tau {
                            let count = table[r * tau + s]
                            guard count > 0 else { continue }
                            let countB = Int(marginal[b * tau + s])
                            information += Double(count) * (logCount[count] + logN - logCount[countA] - logCount[countB])
                        }
                    }
                    information = max(information / Double(n), 0)
                    if mode == .nmi {
                        let scale = (entropy[a] * entropy[b]).squareRoot()
                        information = scale > 0 ? information / scale : 0
                    }
                    c[a * q + b] = Float(information)
                    c[b * q + a] = Float(information)
                }
            }
        }
        return c
    }

    /// The q × q identity matrix (Float32, row-major).
    public static func identity(_ q: Int) -> [Float] {
        var c = [Float](repeating: 0, count: q * q)
        for a in 0..<q { c[a * q + a] = 1 }
        return c
    }

    /// Ū = U·C (Eq. 7) for U [n, q] and C [q, q], by `cblas_sgemm`. O(n·q²).
    public static func correlate(u: [Float], correlation c: [Float], sampleCount n: Int, labelCount q: Int,
                                 into result: inout [Float]) {
        precondition(u.count == n * q && c.count == q * q)
        if result.count != n * q { result = [Float](repeating: 0, count: n * q) }
        guard n > 0 else { return }
        u.withUnsafeBufferPointer { u in
            c.withUnsafeBufferPointer { c in
                result.withUnsafeMutableBufferPointer { out in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(q), Int32(q),
                                1, u.baseAddress, Int32(q), c.baseAddress, Int32(q), 0, out.baseAddress, Int32(q))
                }
            }
        }
    }
}
