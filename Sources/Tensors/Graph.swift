/// The recording context of a computation: every differentiable op appends its output to a
/// tape in creation order (a topological order), and `backward` walks the tape in reverse,
/// calling each output's backward rule once.
///
/// A graph made with `recordsGradients: false` keeps no tape and makes no backward rules
/// (evaluation mode); its tensors return their buffers to the pool as soon as they are released.
/// Tensors made by a graph stay valid while referenced; `reset()` drops the tape between steps.
public final class Graph {
    public let pool: BufferPool
    public let recordsGradients: Bool
    private var tape: [Tensor] = []

    public init(recordsGradients: Bool = true, pool: BufferPool = BufferPool()) {
        self.recordsGradients = recordsGradients
        self.pool = pool
    }

    /// Number of recorded differentiable ops since the last reset.
    public var tapeLength: Int { tape.count }

    /// A new pooled output tensor; it requires a gradient when recording and any input does.
    func output(_ shape: [Int], inputs: [Tensor]) -> Tensor {
        let count = shape.reduce(1, *)
        let needs = recordsGradients && inputs.contains { $0.requiresGrad }
        return Tensor(shape: shape, data: pool.acquire(count), storage: .pooled(pool), requiresGrad: needs)
    }

    /// An output sharing the storage of `base` (reshape): keeps `base` alive.
    func alias(of base: Tensor, shape: [Int]) -> Tensor {
        let needs = recordsGradients && base.requiresGrad
        return Tensor(shape: shape, data: base.data, storage: .alias(base), requiresGrad: needs)
    }

    /// Records the backward rule of `output` when it requires a gradient.
    func record(_ output: Tensor, _ rule: @escaping (Tensor) -> Void) {
        guard output.requiresGrad else { return }
        output.backward = rule
        tape.append(output)
    }

    /// A constant input tensor from the pool (no gradient), filled from `values`.
    public func constant(_ values: UnsafeBufferPointer<Float>, shape: [Int]) -> Tensor {
        let tensor = Tensor(shape: shape, data: pool.acquire(values.count), storage: .pooled(pool), requiresGrad: false)
        precondition(values.count == tensor.count, "\(values.count) values do not fill shape \(shape)")
        tensor.data.update(from: values.baseAddress!, count: values.count)
        return tensor
    }

    /// A constant input tensor from the pool (no gradient), filled from `values`.
    public func constant(_ values: [Float], shape: [Int]) -> Tensor {
        values.withUnsafeBufferPointer { constant($0, shape: shape) }
    }

    /// Back-propagates from `output`: its gradient is seeded with `seed` (ones when nil, e.g.
    /// a scalar loss) and every recorded op adds into the gradients of its inputs.
    /// Intermediate gradients restart from zero on every call, so only ops the output depends
    /// on contribute; parameter gradients accumulate across calls until `zeroGrad()`.
    public func backward(_ output: Tensor, seed: [Float]? = nil) {
        precondition(recordsGradients, "backward on a graph that records no gradients")
        guard output.requiresGrad else { return }
        let values = seed ?? [Float](repeating: 1, count: output.count)
        precondition(values.count == output.count, "seed of \(values.count) values for shape \(output.shape)")
        for node in tape { node.releaseGradient() }
        values.withUnsafeBufferPointer { output.seedGradient($0.baseAddress!) }
        for node in tape.reversed() where node.gradient != nil {
            node.backward?(node)
        }
    }

    /// Drops the tape (and with it every intermediate not referenced elsewhere) so the next
    /// step reuses the pooled buffers.
    public func reset() {
        tape.removeAll(keepingCapacity: true)
    }
}
