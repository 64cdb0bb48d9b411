extension Graph {
    /// Sum over one axis (removed from the shape unless `keepDims`). O(n).
    public func sum(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
        let axis = axis < 0 ? axis + x.shape.count : axis
        precondition(axis >= 0 && axis < x.shape.count, "sum over axis \(axis) of \(x.shape)")
        let outer = x.shape[..<axis].reduce(1, *), length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        let y = output(shape, inputs: [x])
        let px = x.data, py = y.data
        py.update(repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for a in 0..<length {
                let row = px + (o * length + a) * inner, target = py + o * inner
                for i in 0..<inner { target[i] += row[i] }
            }
        }
        record(y) { y in
            guard x.requiresGrad else { return }
            let gy = y.gradient!, gx = x.gradientForAccumulation()
            for o in 0..<outer {
                for a in 0..<length {
                    let row = gx + (o * length + a) * inner, source = gy + o * inner
                    for i in 0..<inner { row[i] += source[i] }
                }
            }
        }
        return y
    }

    /// Mean over one axis. O(n).
    public func mean(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
        let axis = axis < 0 ? axis + x.shape.count : axis
        return scale(sum(x, axis: axis, keepDims: keepDims), by: 1 / Float(x.shape[axis]))
    }

    /// Sum of every element, shape [1] (accumulated in Double). O(n).
    public func sumAll(_ x: Tensor) -> Tensor {
        let y = output([1], inputs: [x])
        var total = 0.0
        for i in 0..<x.count { total += Double(x.data[i]) }
        y.data[0] = Float(total)
        record(y) { y in
            guard x.requiresGrad else { return }
            let g = y.gradient![0], gx = x.gradientForAccumulation()
            for i in 0..<x.count { gx[i] += g }
        }
        return y
    }

    /// Mean of every element, shape [1]. O(n).
    public func meanAll(_ x: Tensor) -> Tensor { scale(sumAll(x), by: 1 / Float(x.count)) }

    /// The same elements under another shape (shares storage, no copy). O(1).
    public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor {
        precondition(shape.reduce(1, *) == x.count, "reshape \(x.shape) to \(shape)")
        let y = alias(of: x, shape: shape)
        record(y) { y in
            guard x.requiresGrad else { return }
            let gy = y.gradient!, gx = x.gradientForAccumulation()
            for i in 0..<x.count { gx[i] += gy[i] }
        }
        return y
    }

    /// `x` broadcast (NumPy rules) to `shape`, materialised; the gradient sums back. O(|shape|).
    public func expand(_ x: Tensor, to shape: [Int]) -> Tensor {
        let plan = BroadcastPlan(x.shape, x.shape, output: shape)
        let y = output(shape, inputs: [x])
        let px = x.data, py = y.data
        plan.forEachRun { oy, ox, _, n, sx, _ in
            if sx == 0 { (py + oy).update(repeating: px[ox], count: n) } else { (py + oy).update(from: px + ox, count: n) }
        }
        record(y) { y in
            guard x.requiresGrad else { return }
            let gy = y.gradient!, gx = x.gradientForAccumulation()
            plan.forEachRun { oy, ox, _, n, sx, _ in
                if sx == 0 {
                    var total: Float = 0
                    for i in 0..<n { total += gy[oy + i] }
                    gx[ox] += total
                } else {
                    for i in 0..<n { gx[ox + i] += gy[oy + i] }
                }
            }
        }
        return y
    }

    /// Concatenation along `axis` of tensors whose other axes agree. O(n).
    public func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat of no tensors")
        let rank = parts[0].shape.count
        let axis = axis < 0 ? axis + rank : axis
        var shape = parts[0].shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        for p in parts {
            precondition(p.shape.count == rank && (0..<rank).allSatisfy { $0 == axis || p.shape[$0] == shape[$0] },
                         "concat of \(parts.map(\.shape)) along axis \(axis)")
        }
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let rowLength = shape[axis] * inner
        let y = output(shape, inputs: parts)
        var start = 0
        var offsets: [Int] = []
        for p in parts {
            offsets.append(start)
            let width = p.shape[axis] * inner
            for o in 0..<outer { (y.data + o * rowLength + start).update(from: p.data + o * width, count: width) }
            start += width
        }
        record(y) { y in
            let gy = y.gradient!
            for (p, offset) in zip(parts, offsets) where p.requiresGrad {
                let width = p.shape[axis] * inner, gp = p.gradientForAccumulation()
                for o in 0..<outer {
                    let source = gy + o * rowLength + offset, target = gp + o * width
                    for i in 0..<width { target[i] += source[i] }
                }
            }
        }
        return y
    }

    /// Rows `indices` of the table [n, k] → [m, k]; the gradient scatters back (adding). O(m·k).
    public func gatherRows(_ table: Tensor, _ indices: [Int]) -> Tensor {
        let n = table.shape[0], k = table.count / max(n, 1)
        let y = output([indices.count] + table.shape.dropFirst(), inputs: [table])
        for (r, index) in indices.enumerated() {
            precondition(index >= 0 && index < n, "gatherRows: index \(index) outside 0..<\(n)")
            (y.data + r * k).update(from: table.data + index * k, count: k)
        }
        record(y) { y in
            guard table.requiresGrad else { return }
            let gy = y.gradient!, gt = table.gradientForAccumulation()
            for (r, index) in indices.enumerated() {
                let source = gy + r * k, target = gt + index * k
                for i in 0..<k { target[i] += source[i] }
            }
        }
        return y
    }

    /// Straight-through hard threshold: forward (1[x > 0.5] + x) − x as PyTorch computes
    /// `hard + soft - soft.detach()`; backward passes the gradient unchanged. O(n).
    public func straightThroughThreshold(_ x: Tensor) -> Tensor {
        let y = output(x.shape, inputs: [x])
        for i in 0..<x.count {
            let soft = x.data[i]
            y.data[i] = ((soft > 0.5 ? 1 : 0) + soft) - soft
        }
        record(y) { y in
            guard x.requiresGrad else { return }
            let gy = y.gradient!, gx = x.gradientForAccumulation()
            for i in 0..<x.count { gx[i] += gy[i] }
        }
        return y
    }
}

/// Returns a pooled buffer a backward rule keeps (a dropout mask, saved coefficients) to its
/// pool when the rule is released.
final class MaskHolder {
    let mask: UnsafeMutablePointer<Float>
    let count: Int
    let pool: BufferPool
    init(mask: UnsafeMutablePointer<Float>, count: Int, pool: BufferPool) {
        self.mask = mask
        self.count = count
        self.pool = pool
    }
    deinit { pool.release(mask, count: count) }
}
