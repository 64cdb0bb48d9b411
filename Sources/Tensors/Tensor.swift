/// A contiguous row-major Float32 array with a shape and, when it takes part in
/// differentiation, a gradient buffer of the same size.
///
/// Tensors made by `Graph` operations take their buffers from the graph's pool and give
/// them back when released. Parameters (made with `Tensor.parameter`) own their storage
/// and keep their gradient across backward passes until `zeroGrad()`.
public final class Tensor {
    public let shape: [Int]
    /// Number of elements (product of `shape`).
    public let count: Int
    /// Element storage (`count` elements, row-major).
    public let data: UnsafeMutablePointer<Float>
    /// Gradient storage, allocated (zeroed) on first accumulation.
    public private(set) var gradient: UnsafeMutablePointer<Float>?
    /// Whether gradients flow into this tensor.
    public let requiresGrad: Bool

    enum Storage { case owned, pooled(BufferPool), alias(Tensor) }
    let storage: Storage
    /// Propagates this tensor's gradient to its inputs (set by the op that made it).
    var backward: ((Tensor) -> Void)?

    init(shape: [Int], data: UnsafeMutablePointer<Float>, storage: Storage, requiresGrad: Bool) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.data = data
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor owning a copy of `values` (no gradient): constants, inputs, buffers.
    public convenience init(_ values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { buffer.initialize(from: $0.baseAddress!, count: values.count) }
        self.init(shape: shape, data: buffer, storage: .owned, requiresGrad: false)
    }

    /// A trainable tensor owning a copy of `values`, with a zeroed gradient.
    public static func parameter(_ values: [Float], shape: [Int]) -> Tensor {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { buffer.initialize(from: $0.baseAddress!, count: values.count) }
        let tensor = Tensor(shape: shape, data: buffer, storage: .owned, requiresGrad: true)
        tensor.zeroGrad()
        return tensor
    }

    deinit {
        if case .owned = storage { data.deallocate() }
        if let gradient { releaseBuffer(gradient) }
        if case .pooled(let pool) = storage { pool.release(data, count: count) }
    }

    /// The pool gradients come from: the tensor's own, or its base's for an alias.
    private var gradientPool: BufferPool? {
        switch storage {
        case .owned: nil
        case .pooled(let pool): pool
        case .alias(let base): base.gradientPool
        }
    }

    private func releaseBuffer(_ buffer: UnsafeMutablePointer<Float>) {
        if let pool = gradientPool { pool.release(buffer, count: count) } else { buffer.deallocate() }
    }

    /// The elements as an array (a copy).
    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }
    /// The gradient as an array (zeros when none has been accumulated).
    public var gradientValues: [Float] {
        guard let gradient else { return [Float](repeating: 0, count: count) }
        return Array(UnsafeBufferPointer(start: gradient, count: count))
    }
    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor of shape \(shape)")
        return data[0]
    }

    /// Overwrites the elements with `values` (same count).
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "assigning \(values.count) values to shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    /// Whether the gradient is known to hold zeros: set by `zeroGrad()` and by Adam, which clears each
    /// gradient while it reads it; cleared whenever an op takes the buffer for writing. Lets
    /// `zeroGrad()` skip its pass over a gradient nothing has written since.
    private var gradientIsZero = false

    /// Sets the gradient to zero (allocating it if needed).
    public func zeroGrad() {
        if let gradient {
            if !gradientIsZero { gradient.update(repeating: 0, count: count) }
        } else {
            gradient = allocateGradient()
        }
        gradientIsZero = true
    }

    /// Records that the gradient buffer holds zeros (written by the caller, e.g. Adam's update).
    func markGradientZeroed() { gradientIsZero = true }

    /// The gradient buffer, allocated zero-filled if absent: ops add into it.
    func gradientForAccumulation() -> UnsafeMutablePointer<Float> {
        gradientIsZero = false
        if let gradient { return gradient }
        let buffer = allocateGradient()
        gradient = buffer
        return buffer
    }

    /// The gradient buffer for a backward rule that reaches each element exactly once, and whether
    /// it is new. A new buffer comes from the pool unfilled (no zero-filling pass): the rule must
    /// store `0 + value` into every element — exactly what adding into zeros gives, −0 becoming +0 —
    /// where it would otherwise add `value`.
    func gradientForStoring() -> (buffer: UnsafeMutablePointer<Float>, isNew: Bool) {
        gradientIsZero = false
        if let gradient { return (gradient, false) }
        let buffer = gradientPool.map { $0.acquire(count) } ?? UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        gradient = buffer
        return (buffer, true)
    }

    /// Adds `value(i)` into gradient element i for every i < `count` (see ``gradientForStoring()``).
    @inline(__always)
    func accumulateGradient(_ value: (Int) -> Float) {
        let (g, isNew) = gradientForStoring()
        if isNew {
            for i in 0..<count { g[i] = 0 + value(i) }
        } else {
            for i in 0..<count { g[i] += value(i) }
        }
    }

    private func allocateGradient() -> UnsafeMutablePointer<Float> {
        if let pool = gradientPool { return pool.acquireZeroed(count) }
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        buffer.initialize(repeating: 0, count: count)
        return buffer
    }

    /// Drops the gradient of an intermediate (graph-made) tensor before a new backward pass.
    func releaseGradient() {
        guard let buffer = gradient else { return }
        releaseBuffer(buffer)
        gradient = nil
    }

    /// Seeds the gradient of an output before `Graph.backward` (adds `values`).
    func seedGradient(_ values: UnsafePointer<Float>) {
        let g = gradientForAccumulation()
        for i in 0..<count { g[i] += values[i] }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape)" }
}
