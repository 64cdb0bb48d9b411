import SeededRandom

/// Items ordered by a non-negative count that only ever decreases by one, with O(1)
/// decrement and O(1) uniform choice among the items of smallest positive count.
///
/// The bin-sort layout of Batagelj & Zaversnik (2003): `order` holds the items sorted by count,
/// `binStart[c]` is the first position of count `c`, `position[item]` the item's place. A
/// decrement swaps the item with the first of its bin and moves the bin boundary by one.
/// Storage is manually managed (freed in `deinit`) so the hot loop runs without checks.
struct CountBuckets: ~Copyable {
    private let counts: UnsafeMutableBufferPointer<Int32>
    private let order: UnsafeMutableBufferPointer<Int32>
    private let position: UnsafeMutableBufferPointer<Int32>
    private let binStart: UnsafeMutableBufferPointer<Int32>

    /// Creates the structure for `counts` (one per item). O(items + max count).
    init(counts initial: [Int]) {
        let items = initial.count
        let maximum = initial.max() ?? 0
        counts = .allocate(capacity: items)
        order = .allocate(capacity: items)
        position = .allocate(capacity: items)
        binStart = .allocate(capacity: maximum + 2)
        binStart.initialize(repeating: 0)
        for value in initial { binStart[value + 1] += 1 }
        for c in 0...maximum { binStart[c + 1] += binStart[c] }
        let fill = UnsafeMutableBufferPointer<Int32>.allocate(capacity: maximum + 2)
        defer { fill.deallocate() }
        _ = fill.initialize(from: binStart)
        for (item, value) in initial.enumerated() {
            counts[item] = Int32(value)
            order[Int(fill[value])] = Int32(item)
            position[item] = fill[value]
            fill[value] += 1
        }
    }

    deinit {
        counts.deallocate()
        order.deallocate()
        position.deallocate()
        binStart.deallocate()
    }

    /// The current count of every item.
    var currentCounts: [Int] { counts.map { Int($0) } }

    /// Lowers the count of `item` (which must be positive) by one.
    @inline(__always)
    func decrement(_ item: Int) {
        let c = Int(counts[item])
        let first = Int(binStart[c])
        let other = Int(order[first])
        if other != item {
            let here = position[item]
            order[first] = Int32(item)
            order[Int(here)] = Int32(other)
            position[item] = Int32(first)
            position[other] = here
        }
        binStart[c] += 1
        counts[item] = Int32(c - 1)
    }

    /// A uniformly random item among those with the smallest positive count, or nil when every
    /// count is zero.
    func randomMinimum(using generator: inout SeededGenerator) -> Int? {
        let first = Int(binStart[1])
        guard first < order.count else { return nil }
        let smallest = Int(counts[Int(order[first])])
        let size = Int(binStart[smallest + 1]) - first
        return Int(order[first + (size > 1 ? generator.nextInt(below: size) : 0)])
    }
}
