import SeededRandom

/// Exact weighted sampling without replacement over a Fenwick (binary indexed) tree.
///
/// Weights are fixed-point integers scaled so that the total is ≤ 2⁶² (relative rounding of an
/// item ≤ n·(largest/smallest)/2⁶², below 1e-9 for n ≤ 4096 and Eq. 10's ratio s ≤ 1e6), so removing
/// and restoring items never drifts and the draws are bit-reproducible.
/// Building is O(n); each batch of b distinct items is O(b log n): b sequential draws, each
/// removing its item, then the b items are restored for the next batch.
public struct WeightedSampler: Sendable {
    private var tree: [Int64]
    private var weights: [Int64]
    private var total: Int64
    private let topStep: Int

    /// `weights` are positive relative weights (e.g. Eq. 10's s^(−Q/n)); n ≥ 1.
    public init(weights relative: [Double]) {
        let n = relative.count
        precondition(n >= 1, "the sampler needs at least one item")
        let largest = relative.max()!
        precondition(largest > 0 && relative.allSatisfy { $0 > 0 && $0.isFinite }, "weights must be positive")
        let scale = Double(Int64(1) << 62) / Double(n) / largest
        weights = [Int64](repeating: 0, count: n)
        for i in 0..<n { weights[i] = max(1, Int64((relative[i] * scale).rounded(.down))) }
        tree = [Int64](repeating: 0, count: n + 1)
        for i in 0..<n {
            tree[i + 1] += weights[i]
            let parent = (i + 1) + ((i + 1) & -(i + 1))
            if parent <= n { tree[parent] += tree[i + 1] }
        }
        total = weights.reduce(0, +)
        var step = 1
        while step * 2 <= n { step *= 2 }
        topStep = step
    }

    public var count: Int { weights.count }

    /// Appends `size` distinct indices to `batch`, drawn sequentially with probability proportional
    /// to weight among the items not yet drawn in this batch (Efraimidis–Spirakis distribution).
    /// `size` must not exceed ``count``. O(size · log n).
    public mutating func drawBatch(size: Int, using generator: inout SeededGenerator, into batch: inout [Int32]) {
        precondition(size <= weights.count, "a batch cannot hold more distinct items than exist")
        let start = batch.count
        for _ in 0..<size {
            let index = find(Int64(generator.nextInt(below: Int(total))))
            batch.append(Int32(index))
            add(-weights[index], at: index)
        }
        for k in start..<batch.count {
            let index = Int(batch[k])
            add(weights[index], at: index)
        }
    }

    /// The item whose cumulative-weight interval contains `target` (0 ≤ target < total).
    @inline(__always)
    private func find(_ target: Int64) -> Int {
        var remaining = target, position = 0, step = topStep
        let n = weights.count
        tree.withUnsafeBufferPointer { tree in
            while step > 0 {
                let next = position + step
                if next <= n && tree[next] <= remaining {
                    position = next
                    remaining -= tree[next]
                }
                step >>= 1
            }
        }
        return position
    }

    @inline(__always)
    private mutating func add(_ delta: Int64, at index: Int) {
        total += delta
        var i = index + 1
        let n = weights.count
        tree.withUnsafeMutableBufferPointer { tree in
            while i <= n {
                tree[i] += delta
                i += i & -i
            }
        }
    }
}
