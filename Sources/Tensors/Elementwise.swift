#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element-wise functions of one tensor; each case holds its forward value and derivative.
public enum UnaryOp: Sendable {
    case exp, log, sigmoid, softplus, relu, sqrt, square, reciprocal, negate
    case leakyRelu(slope: Float)
    case scale(Float)
    case addScalar(Float)

    /// y = f(x).
    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .exp: for i in 0..<n { y[i] = expf(x[i]) }
        case .log: for i in 0..<n { y[i] = logf(x[i]) }
        case .sigmoid: for i in 0..<n { y[i] = stableSigmoid(x[i]) }
        case .softplus: for i in 0..<n { y[i] = stableSoftplus(x[i]) }
        case .relu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
        case .sqrt: for i in 0..<n { y[i] = sqrtf(x[i]) }
        case .square: for i in 0..<n { y[i] = x[i] * x[i] }
        case .reciprocal: for i in 0..<n { y[i] = 1 / x[i] }
        case .negate: for i in 0..<n { y[i] = -x[i] }
        case .leakyRelu(let slope): for i in 0..<n { y[i] = x[i] > 0 ? x[i] : x[i] * slope }
        case .scale(let c): for i in 0..<n { y[i] = x[i] * c }
        case .addScalar(let c): for i in 0..<n { y[i] = x[i] + c }
        }
    }

    /// gx += gy · f'(x), with y = f(x) available.
    func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                  _ gx: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .exp: for i in 0..<n { gx[i] += gy[i] * y[i] }
        case .log: for i in 0..<n { gx[i] += gy[i] / x[i] }
        case .sigmoid: for i in 0..<n { gx[i] += gy[i] * y[i] * (1 - y[i]) }
        case .softplus: for i in 0..<n { gx[i] += gy[i] * stableSigmoid(x[i]) }
        case .relu: for i in 0..<n where x[i] > 0 { gx[i] += gy[i] }
        case .sqrt: for i in 0..<n { gx[i] += gy[i] * 0.5 / y[i] }
        case .square: for i in 0..<n { gx[i] += gy[i] * 2 * x[i] }
        case .reciprocal: for i in 0..<n { gx[i] -= gy[i] * y[i] * y[i] }
        case .negate: for i in 0..<n { gx[i] -= gy[i] }
        case .leakyRelu(let slope): for i in 0..<n { gx[i] += x[i] > 0 ? gy[i] : gy[i] * slope }
        case .scale(let c): for i in 0..<n { gx[i] += gy[i] * c }
        case .addScalar: for i in 0..<n { gx[i] += gy[i] }
        }
    }
}

/// σ(x) without overflow for large |x|.
@inline(__always) public func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

/// log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|).
@inline(__always) public func stableSoftplus(_ x: Float) -> Float {
    max(x, 0) + log1pf(expf(-abs(x)))
}

/// Element-wise functions of two tensors with NumPy broadcasting.
public enum BinaryOp: Sendable {
    case add, subtract, multiply, divide
}

extension Graph {
    /// y = f(x) element-wise. O(n).
    public func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor {
        let y = output(x.shape, inputs: [x])
        op.forward(x.data, y.data, x.count)
        record(y) { y in
            guard x.requiresGrad else { return }
            op.backward(x.data, y.data, y.gradient!, x.gradientForAccumulation(), x.count)
        }
        return y
    }

    public func exp(_ x: Tensor) -> Tensor { unary(.exp, x) }
    public func log(_ x: Tensor) -> Tensor { unary(.log, x) }
    public func sigmoid(_ x: Tensor) -> Tensor { unary(.sigmoid, x) }
    public func softplus(_ x: Tensor) -> Tensor { unary(.softplus, x) }
    public func relu(_ x: Tensor) -> Tensor { unary(.relu, x) }
    public func leakyRelu(_ x: Tensor, slope: Float = 0.1) -> Tensor { unary(.leakyRelu(slope: slope), x) }
    public func sqrt(_ x: Tensor) -> Tensor { unary(.sqrt, x) }
    public func square(_ x: Tensor) -> Tensor { unary(.square, x) }
    public func scale(_ x: Tensor, by c: Float) -> Tensor { unary(.scale(c), x) }
    public func add(_ x: Tensor, scalar c: Float) -> Tensor { unary(.addScalar(c), x) }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.add, a, b) }
    public func subtract(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.subtract, a, b) }
    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.multiply, a, b) }
    public func divide(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.divide, a, b) }

    /// c = a ∘ b with broadcasting; gradients are summed over broadcast dimensions. O(|c|).
    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let plan = BroadcastPlan(a.shape, b.shape)
        let c = output(plan.outputShape, inputs: [a, b])
        let pa = a.data, pb = b.data, pc = c.data
        plan.forEachRun { oc, oa, ob, n, sa, sb in
            let out = pc + oc
            withRun(pa + oa, stride: sa) { x in
                withRun(pb + ob, stride: sb) { y in
                    switch op {
                    case .add: for i in 0..<n { out[i] = x(i) + y(i) }
                    case .subtract: for i in 0..<n { out[i] = x(i) - y(i) }
                    case .multiply: for i in 0..<n { out[i] = x(i) * y(i) }
                    case .divide: for i in 0..<n { out[i] = x(i) / y(i) }
                    }
                }
            }
        }
        record(c) { c in
            let gc = c.gradient!
            // Both gradients in one pass over each run of gc (read once) when they are distinct
            // buffers; every gradient element still receives its additions in output order.
            let fused = a.requiresGrad && b.requiresGrad && a !== b
            let ga = a.requiresGrad ? a.gradientForAccumulation() : nil
            let gb = b.requiresGrad ? b.gradientForAccumulation() : nil
            func accumulateA(_ oc: Int, _ oa: Int, _ ob: Int, _ n: Int, _ sa: Int, _ sb: Int) {
                let g = gc + oc, target = ga! + oa
                withRun(pb + ob, stride: sb) { y in
                    switch op {
                    case .add, .subtract: accumulateRun(target, broadcast: sa == 0, n) { g[$0] }
                    case .multiply: accumulateRun(target, broadcast: sa == 0, n) { g[$0] * y($0) }
                    case .divide: accumulateRun(target, broadcast: sa == 0, n) { g[$0] / y($0) }
                    }
                }
            }
            func accumulateB(_ oc: Int, _ oa: Int, _ ob: Int, _ n: Int, _ sa: Int, _ sb: Int) {
                let g = gc + oc, target = gb! + ob
                withRun(pa + oa, stride: sa) { x in
                    withRun(pb + ob, stride: sb) { y in
                        switch op {
                        case .add: accumulateRun(target, broadcast: sb == 0, n) { g[$0] }
                        case .subtract: accumulateRun(target, broadcast: sb == 0, n) { -g[$0] }
                        case .multiply: accumulateRun(target, broadcast: sb == 0, n) { g[$0] * x($0) }
                        case .divide:
                            accumulateRun(target, broadcast: sb == 0, n) {
                                let q = y($0)
                                return -g[$0] * x($0) / (q * q)
                            }
                        }
                    }
                }
            }
            if fused {
                plan.forEachRun { oc, oa, ob, n, sa, sb in
                    accumulateA(oc, oa, ob, n, sa, sb)
                    accumulateB(oc, oa, ob, n, sa, sb)
                }
            } else {
                if ga != nil { plan.forEachRun(accumulateA) }
                if gb != nil { plan.forEachRun(accumulateB) }
            }
        }
        return c
    }
}

/// Calls `body` with the accessor i ↦ base[i · stride] of a run, specialised for the broadcast (0) and
/// contiguous (1) strides so that the loops over it vectorise.
@inline(__always)
private func withRun(_ base: UnsafePointer<Float>, stride: Int, _ body: ((Int) -> Float) -> Void) {
    switch stride {
    case 0:
        let value = base[0]
        body { _ in value }
    case 1: body { base[$0] }
    default: body { base[$0 &* stride] }
    }
}

/// Adds `gradient(i)` for i < n into `target[i]`, or, when the operand is broadcast along the run,
/// their running sum into `target[0]` (the summation order of the unfused loop).
@inline(__always)
private func accumulateRun(_ target: UnsafeMutablePointer<Float>, broadcast: Bool, _ n: Int, _ gradient: (Int) -> Float) {
    if broadcast {
        var total: Float = 0
        for i in 0..<n { total += gradient(i) }
        target[0] += total
    } else {
        for i in 0..<n { target[i] += gradient(i) }
    }
}
