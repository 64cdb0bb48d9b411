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
        switch storage {
        case .owned:
            data.deallocate()
            gradient?.deallocate()
        case .pooled(let pool):
            pool.release(data, count: count)
            if let gradient { pool.release(gradient, count: count) }
        case .alias:
            if let gradient { gradient.deallocate() }
        }
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

    /// Sets the gradient to zero (allocating it if needed).
    public func zeroGrad() {
        if let gradient {
            gradient.update(repeating: 0, count: count)
        } else {
            gradient = allocateGradient()
        }
    }

    /// The gradient buffer, allocated zero-filled if absent: ops add into it.
    func gradientForAccumulation() -> UnsafeMutablePointer<Float> {
        if let gradient { return gradient }
        let buffer = allocateGradient()
        gradient = buffer
        return buffer
    }

    private func allocateGradient() -> UnsafeMutablePointer<Float> {
        switch storage {
        case .pooled(let pool): return pool.acquireZeroed(count)
        case .owned, .alias:
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            buffer.initialize(repeating: 0, count: count)
            return buffer
        }
    }

    /// Drops the gradient of an intermediate (graph-made) tensor before a new backward pass.
    func releaseGradient() {
        guard let buffer = gradient else { return }
        switch storage {
        case .pooled(let pool): pool.release(buffer, count: count)
        case .owned, .alias: buffer.deallocate()
        }
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
