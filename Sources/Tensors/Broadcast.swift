/// Iteration plan for two operands broadcast (NumPy rules) to a common output shape.
///
/// Adjacent dimensions are merged whenever both operands stay affine across them, so the
/// common cases ([b,q,k] ⊙ [1,q,k], [b,k] + [k], equal shapes) run as a few long runs over the
/// last (merged) dimension with operand strides of 0 or 1.
struct BroadcastPlan {
    let outputShape: [Int]
    /// Merged dimensions and per-operand strides (0 where broadcast).
    let dims: [Int]
    let aStrides: [Int]
    let bStrides: [Int]

    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            precondition(pa[i] == pb[i] || pa[i] == 1 || pb[i] == 1, "shapes \(a) and \(b) do not broadcast")
            out[i] = max(pa[i], pb[i])
        }
        return out
    }

    init(_ a: [Int], _ b: [Int], output: [Int]? = nil) {
        let out = output ?? BroadcastPlan.shape(a, b)
        let rank = out.count
        precondition(a.count <= rank && b.count <= rank, "cannot broadcast \(a), \(b) to \(out)")
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        func strides(_ shape: [Int]) -> [Int] {
            var s = [Int](repeating: 0, count: rank)
            var step = 1
            for i in stride(from: rank - 1, through: 0, by: -1) {
                precondition(shape[i] == out[i] || shape[i] == 1, "cannot broadcast \(shape) to \(out)")
                s[i] = shape[i] == 1 ? 0 : step
                step *= shape[i]
            }
            return s
        }
        let sa = strides(pa), sb = strides(pb)
        var dims: [Int] = [], da: [Int] = [], db: [Int] = []
        for i in 0..<rank where out[i] != 1 {
            if let last = dims.last, da.last! == sa[i] * out[i], db.last! == sb[i] * out[i] {
                dims[dims.count - 1] = last * out[i]
                da[da.count - 1] = sa[i]
                db[db.count - 1] = sb[i]
            } else {
                dims.append(out[i]); da.append(sa[i]); db.append(sb[i])
            }
        }
        if dims.isEmpty { dims = [1]; da = [0]; db = [0] }
        outputShape = out
        self.dims = dims
        aStrides = da
        bStrides = db
    }

    /// Calls `run(outputOffset, aOffset, bOffset, length, aStride, bStride)` for every run of
    /// the innermost merged dimension, in output order.
    func forEachRun(_ run: (Int, Int, Int, Int, Int, Int) -> Void) {
        let inner = dims.count - 1
        let length = dims[inner]
        var outerCount = 1
        for i in 0..<inner { outerCount *= dims[i] }
        var index = [Int](repeating: 0, count: max(inner, 1))
        var offA = 0, offB = 0
        for r in 0..<outerCount {
            run(r * length, offA, offB, length, aStrides[inner], bStrides[inner])
            var d = inner - 1
            while d >= 0 {
                index[d] += 1
                offA += aStrides[d]
                offB += bStrides[d]
                if index[d] < dims[d] { break }
                offA -= aStrides[d] * dims[d]
                offB -= bStrides[d] * dims[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}
