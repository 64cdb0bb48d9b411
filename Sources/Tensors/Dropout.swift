import SeededRandom

extension Graph {
    /// Inverted dropout: in training each element is zeroed with probability `p` and the rest
    /// scaled by 1/(1−p); otherwise (or with p = 0) the input itself. O(n).
    public func dropout(_ x: Tensor, p: Float, training: Bool, generator: inout SeededGenerator) -> Tensor {
        guard training, p > 0 else { return x }
        let mask = dropoutMask(count: x.count, p: p, generator: &generator)
        let y = output(x.shape, inputs: [x])
        let m = mask.mask
        for i in 0..<x.count { y.data[i] = x.data[i] * m[i] }
        record(y) { y in
            guard x.requiresGrad else { return }
            let gy = y.gradient!, m = mask.mask  // the rule keeps the mask alive
            x.accumulateGradient { gy[$0] * m[$0] }
        }
        return y
    }

    /// `dropout(activation(x))` in one pass forward and one backward, without storing the
    /// activation's output: the same values, gradients and random draws as the two ops.
    /// `activation` is `.relu` or `.leakyRelu` (derivatives that depend on x alone). O(n).
    public func activateAndDrop(_ x: Tensor, _ activation: UnaryOp, p: Float, training: Bool,
                                generator: inout SeededGenerator) -> Tensor {
        let slope: Float?
        switch activation {
        case .relu: slope = nil
        case .leakyRelu(let s): slope = s
        default: preconditionFailure("activateAndDrop takes relu or leakyRelu, not \(activation)")
        }
        guard training, p > 0 else { return unary(activation, x) }
        let mask = dropoutMask(count: x.count, p: p, generator: &generator)
        let y = output(x.shape, inputs: [x])
        let px = x.data, py = y.data, m = mask.mask, n = x.count
        if let slope {
            for i in 0..<n { py[i] = (px[i] > 0 ? px[i] : px[i] * slope) * m[i] }
        } else {
            for i in 0..<n { py[i] = (px[i] > 0 ? px[i] : 0) * m[i] }
        }
        record(y) { y in
            guard x.requiresGrad else { return }
            let gy = y.gradient!, m = mask.mask  // the rule keeps the mask alive
            if let slope {
                x.accumulateGradient {
                    let g = gy[$0] * m[$0]
                    return px[$0] > 0 ? g : g * slope
                }
            } else {
                let gx = x.gradientForAccumulation()
                for i in 0..<n where px[i] > 0 { gx[i] += gy[i] * m[i] }
            }
        }
        return y
    }

    /// A pooled inverted-dropout mask of `count` values: 0 with probability `p`, else 1/(1−p);
    /// element i is dropped when the 32-bit uniform u_i < p·2³², u_2k and u_2k+1 being the low and
    /// high halves of the k-th 64-bit draw of `generator`.
    private func dropoutMask(count: Int, p: Float, generator: inout SeededGenerator) -> MaskHolder {
        precondition(p < 1, "dropout probability \(p) must be below 1")
        let keep = 1 / (1 - p)
        let threshold = UInt64((Double(p) * 4_294_967_296).rounded())
        let mask = MaskHolder(mask: pool.acquire(count), count: count, pool: pool)
        // The draws go into the mask's own memory as 32-bit words, then each word becomes its value
        // in place: a separate, branch-free (vectorisable) pass, since a drop is a coin flip that
        // a branch predictor cannot learn.
        let words = UnsafeMutableRawPointer(mask.mask)
        var k = 0
        while 2 * k + 1 < count {
            let bits = generator.next()
            words.storeBytes(of: UInt32(truncatingIfNeeded: bits), toByteOffset: 8 * k, as: UInt32.self)
            words.storeBytes(of: UInt32(truncatingIfNeeded: bits >> 32), toByteOffset: 8 * k + 4, as: UInt32.self)
            k += 1
        }
        if 2 * k < count {
            words.storeBytes(of: UInt32(truncatingIfNeeded: generator.next()), toByteOffset: 8 * k, as: UInt32.self)
        }
        if threshold > UInt64(UInt32.max) {
            mask.mask.update(repeating: 0, count: count)  // p within 2⁻³³ of 1: every uniform is below it
        } else {
            let limit = UInt32(threshold)
            for i in 0..<count {
                let u = words.load(fromByteOffset: 4 * i, as: UInt32.self)
                words.storeBytes(of: u < limit ? 0 : keep, toByteOffset: 4 * i, as: Float.self)
            }
        }
        return mask
    }
}
