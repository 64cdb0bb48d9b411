import CBLAS

/// C[m,n] = alpha · op(A) · op(B) + beta · C, row-major, through `cblas_sgemm`.
@inline(__always)
func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
          _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, beta: Float, _ c: UnsafeMutablePointer<Float>) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
                beta, c, Int32(n))
}

/// sgemm with explicit leading dimensions (for products on a column block of a matrix).
@inline(__always)
func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int,
          _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

extension Graph {
    /// Matrix product of the 2-D `a` [m,k] (or its transpose) and `b` [k,n] (or its transpose).
    /// One sgemm forward, one per input backward. O(m·n·k).
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.shape.count == 2 && b.shape.count == 2, "matmul of \(a.shape) and \(b.shape): 2-D only")
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == (transposeB ? b.shape[1] : b.shape[0]), "matmul inner dimensions of \(a.shape), \(b.shape)")
        let c = output([m, n], inputs: [a, b])
        gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a.data, b.data, beta: 0, c.data)
        record(c) { c in
            let gc = c.gradient!
            if a.requiresGrad {
                // dA = dC · op(B)ᵀ (or its transpose when A was transposed).
                if transposeA {
                    gemm(transposeA: transposeB, transposeB: true, m: k, n: m, k: n, b.data, gc, beta: 1, a.gradientForAccumulation())
                } else {
                    gemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n, gc, b.data, beta: 1, a.gradientForAccumulation())
                }
            }
            if b.requiresGrad {
                // dB = op(A)ᵀ · dC (or its transpose when B was transposed).
                if transposeB {
                    gemm(transposeA: true, transposeB: transposeA, m: n, n: k, k: m, gc, a.data, beta: 1, b.gradientForAccumulation())
                } else {
                    gemm(transposeA: !transposeA, transposeB: false, m: k, n: n, k: m, a.data, gc, beta: 1, b.gradientForAccumulation())
                }
            }
        }
        return c
    }

    /// PyTorch `Linear`: y = x · Wᵀ + bias over the last axis of `x` [..., in], with
    /// `weight` [out, in] and `bias` [out]. Leading axes are flattened into one GEMM
    /// (a [b, q, k] input is one [b·q, k] product). O(rows · in · out).
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let inputs = weight.shape[1], outputs = weight.shape[0]
        precondition(x.shape.last == inputs, "linear: input \(x.shape) does not end in \(inputs)")
        let rows = x.count / inputs
        let y = output(Array(x.shape.dropLast()) + [outputs], inputs: bias.map { [x, weight, $0] } ?? [x, weight])
        if let bias {
            for r in 0..<rows { (y.data + r * outputs).update(from: bias.data, count: outputs) }
        }
        gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, x.data, weight.data,
             beta: bias == nil ? 0 : 1, y.data)
        record(y) { y in
            let gy = y.gradient!
            if x.requiresGrad {
                gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs, gy, weight.data, beta: 1,
                     x.gradientForAccumulation())
            }
            if weight.requiresGrad {
                gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows, gy, x.data, beta: 1,
                     weight.gradientForAccumulation())
            }
            if let bias, bias.requiresGrad {
                let gb = bias.gradientForAccumulation()
                for r in 0..<rows {
                    let row = gy + r * outputs
                    for j in 0..<outputs { gb[j] += row[j] }
                }
            }
        }
        return y
    }

    /// Grouped per-label classifier (PyTorch `Conv1d(q, q, k, groups=q)` on [b, q, k]):
    /// logit[b, j] = Σₖ z[b, j, k] · W[j, k] + c[j]. O(b · q · k).
    public func groupedLinear(_ z: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        precondition(z.shape.count == 3 && weight.shape == [z.shape[1], z.shape[2]] && bias.shape == [z.shape[1]],
                     "groupedLinear: z \(z.shape), weight \(weight.shape), bias \(bias.shape)")
        let b = z.shape[0], q = z.shape[1], k = z.shape[2]
        let y = output([b, q], inputs: [z, weight, bias])
        let pz = z.data, pw = weight.data, outputs = b * q
        // Output e = s·q + j is the dot product of row e of z with row j of W, summed in order of t.
        // Four outputs at a time keep four independent sums in flight (each in the same order).
        var e = 0
        while e + 4 <= outputs {
            let r0 = pz + e * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k
            let w0 = pw + (e % q) * k, w1 = pw + ((e + 1) % q) * k, w2 = pw + ((e + 2) % q) * k, w3 = pw + ((e + 3) % q) * k
            var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0
            for t in 0..<k {
                t0 += r0[t] * w0[t]
                t1 += r1[t] * w1[t]
                t2 += r2[t] * w2[t]
                t3 += r3[t] * w3[t]
            }
            y.data[e] = t0 + bias.data[e % q]
            y.data[e + 1] = t1 + bias.data[(e + 1) % q]
            y.data[e + 2] = t2 + bias.data[(e + 2) % q]
            y.data[e + 3] = t3 + bias.data[(e + 3) % q]
            e += 4
        }
        while e < outputs {
            let row = pz + e * k, w = pw + (e % q) * k
            var total: Float = 0
            for t in 0..<k { total += row[t] * w[t] }
            y.data[e] = total + bias.data[e % q]
            e += 1
        }
        record(y) { y in
            let gy = y.gradient!
            if z.requiresGrad {
                let (gz, isNew) = z.gradientForStoring()
                for s in 0..<b {
                    for j in 0..<q {
                        let g = gy[s * q + j], row = gz + (s * q + j) * k, w = pw + j * k
                        if isNew {
                            for t in 0..<k { row[t] = 0 + g * w[t] }
                        } else {
                            for t in 0..<k { row[t] += g * w[t] }
                        }
                    }
                }
            }
            if weight.requiresGrad {
                let gw = weight.gradientForAccumulation()
                for s in 0..<b {
                    for j in 0..<q {
                        let g = gy[s * q + j], row = pz + (s * q + j) * k, w = gw + j * k
                        for t in 0..<k { w[t] += g * row[t] }
                    }
                }
            }
            if bias.requiresGrad {
                let gc = bias.gradientForAccumulation()
                for s in 0..<b { for j in 0..<q { gc[j] += gy[s * q + j] } }
            }
        }
        return y
    }

    /// y = x · W[:, columns]ᵀ (+ bias): a `Linear` applied to the part of its input that
    /// occupies `columns`, so Linear(concat(a, b)) = linear(a, W, cols_a) + linear(b, W, cols_b)
    /// without materialising the concatenation. The gradient goes into that column block
    /// of W. O(rows · |columns| · out).
    public func linear(_ x: Tensor, weight: Tensor, columns: Range<Int>, bias: Tensor?) -> Tensor {
        let outputs = weight.shape[0], width = weight.shape[1], inputs = columns.count
        precondition(columns.lowerBound >= 0 && columns.upperBound <= width && x.shape.last == inputs,
                     "linear: input \(x.shape) does not match columns \(columns) of weight \(weight.shape)")
        let rows = x.count / inputs
        let y = output(Array(x.shape.dropLast()) + [outputs], inputs: bias.map { [x, weight, $0] } ?? [x, weight])
        if let bias {
            for r in 0..<rows { (y.data + r * outputs).update(from: bias.data, count: outputs) }
        }
        let block = weight.data + columns.lowerBound
        gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, x.data, lda: inputs, block, ldb: width,
             beta: bias == nil ? 0 : 1, y.data, ldc: outputs)
        record(y) { y in
            let gy = y.gradient!
            if x.requiresGrad {
                gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs, gy, lda: outputs, block, ldb: width,
                     beta: 1, x.gradientForAccumulation(), ldc: inputs)
            }
            if weight.requiresGrad {
                gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows, gy, lda: outputs, x.data, ldb: inputs,
                     beta: 1, weight.gradientForAccumulation() + columns.lowerBound, ldc: width)
            }
            if let bias, bias.requiresGrad {
                let gb = bias.gradientForAccumulation()
                for r in 0..<rows {
                    let row = gy + r * outputs
                    for j in 0..<outputs { gb[j] += row[j] }
                }
            }
        }
        return y
    }
}
