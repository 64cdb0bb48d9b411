/// The last T recorded probabilities of every (sample, label): a ring buffer stored contiguously
/// as [T, n, q] Float32, with a per-sample write position and fill count (samples recorded in
/// `history: batch` mode fill at different rates). Memory: T·n·q floats, allocated by the first
/// record, so that a window restored from a checkpoint is never held beside a fresh one (at
/// q = 4,000 and n = 16,000 each is 1.28 GB).
public struct PredictionWindow: Sendable {
    public let capacity: Int
    public let sampleCount: Int
    public let labelCount: Int
    /// Slot-major storage: slot s of sample i starts at (s·n + i)·q; empty until the first
    /// record (readers touch only the slots of recorded samples, `filled[i] > 0`).
    public private(set) var storage: [Float]
    /// Next slot to write for each sample.
    public private(set) var nextSlot: [Int32]
    /// Number of recorded values for each sample (≤ capacity).
    public private(set) var filled: [Int32]
    /// How many rows have been written into each slot [capacity] (kept across checkpoints): a
    /// checkpoint writer can reuse a slot's file from its previous checkpoint when the count has
    /// not changed (with `history: epoch` only one of the T slots changes per epoch).
    public private(set) var slotRevisions: [Int64]

    public init(capacity: Int, sampleCount: Int, labelCount: Int) {
        precondition(capacity >= 1 && sampleCount >= 0 && labelCount >= 1)
        self.capacity = capacity
        self.sampleCount = sampleCount
        self.labelCount = labelCount
        storage = []
        nextSlot = [Int32](repeating: 0, count: sampleCount)
        filled = [Int32](repeating: 0, count: sampleCount)
        slotRevisions = [Int64](repeating: 0, count: capacity)
    }

    /// Restores a window from its saved fields (see ``SelectorCheckpoint``); nil if the sizes disagree.
    /// Without `slotRevisions` (a checkpoint that lacks them) every slot counts as unwritten.
    /// `storage` may be empty when nothing was recorded.
    public init?(capacity: Int, sampleCount: Int, labelCount: Int, storage: [Float], nextSlot: [Int32], filled: [Int32],
                 slotRevisions: [Int64]? = nil) {
        guard storage.count == capacity * sampleCount * labelCount || (storage.isEmpty && filled.allSatisfy { $0 == 0 }),
              nextSlot.count == sampleCount,
              filled.count == sampleCount, (slotRevisions?.count ?? capacity) == capacity,
              nextSlot.allSatisfy({ $0 >= 0 && Int($0) < capacity }),
              filled.allSatisfy({ $0 >= 0 && Int($0) <= capacity }) else { return nil }
        self.capacity = capacity
        self.sampleCount = sampleCount
        self.labelCount = labelCount
        self.storage = storage
        self.nextSlot = nextSlot
        self.filled = filled
        self.slotRevisions = slotRevisions ?? [Int64](repeating: 0, count: capacity)
    }

    /// Records the probabilities `values[k·q ..< (k+1)·q]` for sample `rows[k]`. O(|rows|·q).
    public mutating func record(rows: some Collection<Int32>, values: UnsafeBufferPointer<Float>) {
        let q = labelCount, n = sampleCount, capacity = capacity
        precondition(values.count == rows.count * q, "values must hold rows.count × q probabilities")
        allocate()
        storage.withUnsafeMutableBufferPointer { store in
            nextSlot.withUnsafeMutableBufferPointer { next in
                filled.withUnsafeMutableBufferPointer { fill in
                    for (k, row32) in rows.enumerated() {
                        let row = Int(row32)
                        precondition(row >= 0 && row < n, "row \(row) outside 0..<\(n)")
                        let slot = Int(next[row])
                        slotRevisions[slot] += 1
                        let target = store.baseAddress! + (slot * n + row) * q
                        target.update(from: values.baseAddress! + k * q, count: q)
                        next[row] = Int32((slot + 1) % capacity)
                        if fill[row] < Int32(capacity) { fill[row] += 1 }
                    }
                }
            }
        }
    }

    /// Records one probability row for every sample (`values` is [n, q]). O(n·q).
    public mutating func recordAll(values: UnsafeBufferPointer<Float>) {
        let q = labelCount, n = sampleCount
        precondition(values.count == n * q, "values must hold n × q probabilities")
        allocate()
        // Every sample shares the same slot when all are recorded together.
        if n > 0, nextSlot.allSatisfy({ $0 == nextSlot[0] }) {
            let slot = Int(nextSlot[0])
            storage.withUnsafeMutableBufferPointer { store in
                (store.baseAddress! + slot * n * q).update(from: values.baseAddress!, count: n * q)
            }
            slotRevisions[slot] += Int64(n)
            let advanced = Int32((slot + 1) % capacity)
            for i in 0..<n {
                nextSlot[i] = advanced
                if filled[i] < Int32(capacity) { filled[i] += 1 }
            }
        } else {
            record(rows: 0..<Int32(n), values: values)
        }
    }

    /// Allocates the zeroed storage before the first record.
    private mutating func allocate() {
        if storage.isEmpty { storage = [Float](repeating: 0, count: capacity * sampleCount * labelCount) }
    }

    /// The storage offset of the k-th oldest recorded row of `sample` (k < filled[sample]).
    @inline(__always)
    func offset(sample: Int, age k: Int, next: Int, count: Int) -> Int {
        let slot = (next - count + k + 2 * capacity) % capacity
        return (slot * sampleCount + sample) * labelCount
    }
}
