/// Loss functions on logits. Binary cross-entropy with logits uses the stable form
/// ℓ(z, y) = max(z, 0) − z·y + log(1 + e^−|z|), finite for any |z|.
public enum Losses {
    /// ℓ(z, y) for one element.
    @inline(__always) public static func bceWithLogits(_ z: Float, _ y: Float) -> Float {
        max(z, 0) - z * y + log1pf(expf(-abs(z)))
    }

    /// Per-element binary cross-entropy with logits (optionally times `weights`) into `output`:
    /// the per-sample, per-label losses selectors need. O(n).
    public static func bceWithLogits(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>,
                                     weights: UnsafePointer<Float>?, count: Int, into output: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let loss = bceWithLogits(logits[i], targets[i])
            output[i] = weights.map { loss * $0[i] } ?? loss
        }
    }

    /// Per-element binary cross-entropy with logits, as an array.
    public static func bceWithLogits(logits: [Float], targets: [Float], weights: [Float]? = nil) -> [Float] {
        precondition(logits.count == targets.count && (weights?.count ?? logits.count) == logits.count,
                     "bceWithLogits: \(logits.count) logits, \(targets.count) targets")
        var output = [Float](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { z in
            targets.withUnsafeBufferPointer { y in
                output.withUnsafeMutableBufferPointer { out in
                    if let weights {
                        weights.withUnsafeBufferPointer { w in
                            bceWithLogits(logits: z.baseAddress!, targets: y.baseAddress!, weights: w.baseAddress!,
                                          count: z.count, into: out.baseAddress!)
                        }
                    } else {
                        bceWithLogits(logits: z.baseAddress!, targets: y.baseAddress!, weights: nil, count: z.count,
                                      into: out.baseAddress!)
                    }
                }
            }
        }
        return output
    }
}

extension Graph {
    /// Mean over all elements of w · ℓ(z, y) (PyTorch `binary_cross_entropy_with_logits` with
    /// `weight`, reduction "mean": divides by the element count, not by Σw). Shape [1].
    /// Gradient w · (σ(z) − y) / n. `targets`/`weights` have the logits' element count; they are
    /// read during this call only. One e^−|z| per element serves both ℓ and σ(z) (the same values
    /// as `Losses.bceWithLogits` and `stableSigmoid`); σ(z) − y is kept for the backward pass. O(n).
    public func bceWithLogitsMean(_ logits: Tensor, targets: UnsafeBufferPointer<Float>,
                                  weights: UnsafeBufferPointer<Float>? = nil) -> Tensor {
        let n = logits.count
        precondition(targets.count == n && (weights?.count ?? n) == n,
                     "bceWithLogitsMean: \(n) logits, \(targets.count) targets, \(weights?.count ?? n) weights")
        let w = weights.map { constant($0, shape: logits.shape) }
        let out = output([1], inputs: [logits])
        let residual = out.requiresGrad ? MaskHolder(mask: pool.acquire(n), count: n, pool: pool) : nil
        let z = logits.data, y = targets.baseAddress!
        var total = 0.0
        for i in 0..<n {
            let e = expf(-abs(z[i]))
            let loss = max(z[i], 0) - z[i] * y[i] + log1pf(e)
            total += Double(w.map { loss * $0.data[i] } ?? loss)
            if let residual { residual.mask[i] = (z[i] >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[i] }
        }
        out.data[0] = Float(total / Double(n))
        record(out) { out in
            let g = out.gradient![0] / Float(n), r = residual!.mask
            if let w {
                logits.accumulateGradient { r[$0] * g * w.data[$0] }
            } else {
                logits.accumulateGradient { r[$0] * g }
            }
        }
        return out
    }

    /// Array form of `bceWithLogitsMean`.
    public func bceWithLogitsMean(_ logits: Tensor, targets: [Float], weights: [Float]? = nil) -> Tensor {
        targets.withUnsafeBufferPointer { t in
            if let weights { return weights.withUnsafeBufferPointer { bceWithLogitsMean(logits, targets: t, weights: $0) } }
            return bceWithLogitsMean(logits, targets: t, weights: nil)
        }
    }

    /// PyTorch `MultiLabelSoftMarginLoss` on logits [b, q]: mean over samples of
    /// −(1/q) Σⱼ [y log σ(z) + (1−y) log σ(−z)] — equal to the mean binary cross-entropy over
    /// all b·q elements, so it shares that op (and its optional per-element weights).
    public func multiLabelSoftMargin(_ logits: Tensor, targets: UnsafeBufferPointer<Float>,
                                     weights: UnsafeBufferPointer<Float>? = nil) -> Tensor {
        bceWithLogitsMean(logits, targets: targets, weights: weights)
    }

    /// Array form of `multiLabelSoftMargin`.
    public func multiLabelSoftMargin(_ logits: Tensor, targets: [Float], weights: [Float]? = nil) -> Tensor {
        bceWithLogitsMean(logits, targets: targets, weights: weights)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
