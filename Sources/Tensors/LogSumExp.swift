#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Graph {
    /// log Σ exp(x) over one axis (removed from the shape), computed stably as
    /// m + log Σ exp(x − m) with m the maximum over the axis (summed in Double); the gradient
    /// is the softmax over the axis. O(n).
    public func logSumExp(_ x: Tensor, axis: Int) -> Tensor {
        let axis = axis < 0 ? axis + x.shape.count : axis
        precondition(axis >= 0 && axis < x.shape.count && x.shape[axis] > 0, "logSumExp over axis \(axis) of \(x.shape)")
        let outer = x.shape[..<axis].reduce(1, *), length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        var shape = x.shape
        shape.remove(at: axis)
        let y = output(shape, inputs: [x])
        let px = x.data, py = y.data
        for o in 0..<outer {
            for i in 0..<inner {
                let base = px + o * length * inner + i
                var largest = -Float.infinity
                for a in 0..<length { largest = max(largest, base[a * inner]) }
                var total = 0.0
                for a in 0..<length { total += Double(expf(base[a * inner] - largest)) }
                py[o * inner + i] = largest + logf(Float(total))
            }
        }
        record(y) { y in
            guard x.requiresGrad else { return }
            let gy = y.gradient!, gx = x.gradientForAccumulation()
            for o in 0..<outer {
                for i in 0..<inner {
                    let value = py[o * inner + i], g = gy[o * inner + i], offset = o * length * inner + i
                    for a in 0..<length { gx[offset + a * inner] += g * expf(px[offset + a * inner] - value) }
                }
            }
        }
        return y
    }
}
