/// A free list of Float32 buffers keyed by element count.
///
/// A graph takes every intermediate buffer from its pool and each buffer returns to the pool
/// when its tensor is released, so repeated training steps of the same shapes reuse memory
/// instead of allocating: after the first step a step allocates nothing but small bookkeeping.
/// Not thread-safe: one pool per graph, used from one thread.
public final class BufferPool {
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    /// Bytes currently held (lent out or free).
    public private(set) var heldBytes = 0

    public init() {}

    /// A buffer of `count` elements with unspecified contents. O(1) when one is free.
    func acquire(_ count: Int) -> UnsafeMutablePointer<Float> {
        if var list = free[count], let buffer = list.popLast() {
            free[count] = list
            return buffer
        }
        heldBytes += count * MemoryLayout<Float>.stride
        return UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    }

    /// A zero-filled buffer of `count` elements.
    func acquireZeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let buffer = acquire(count)
        buffer.initialize(repeating: 0, count: count)
        return buffer
    }

    func release(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        free[count, default: []].append(buffer)
    }

    /// Frees every buffer not currently lent out.
    public func trim() {
        for (count, list) in free {
            for buffer in list { buffer.deallocate() }
            heldBytes -= list.count * count * MemoryLayout<Float>.stride
        }
        free = [:]
    }

    deinit { trim() }
}
