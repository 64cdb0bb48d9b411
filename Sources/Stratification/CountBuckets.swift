import SeededRandom

/// Items ordered by a non-negative count that only ever decreases by one, with O(1)
/// decrement and O(1) uniform choice among the items of smallest positive count.
///
/// The bin-sort layout of Batagelj & Zaversnik (2003): `order` holds the items sorted by count,
/// `binStart[c]` is the first position of count `c`, `position[item]` the item's place. A
/// decrement swaps the item with the first of its bin and moves the bin boundary by one.
struct CountBuckets {
    private(set) var count: [Int]
    private var order: [Int32]
    private var position: [Int]
    private var binStart: [Int]

    /// Creates the structure for `counts` (one per item). O(items + max count).
    init(counts: [Int]) {
        let maximum = counts.max() ?? 0
        var binStart = [Int](repeating: 0, count: maximum + 2)
        for value in counts { binStart[value + 1] += 1 }
        for c in 0...maximum { binStart[c + 1] += binStart[c] }
        var fill = binStart
        var order = [Int32](repeating: 0, count: counts.count)
        var position = [Int](repeating: 0, count: counts.count)
        for (item, value) in counts.enumerated() {
            order[fill[value]] = Int32(item)
            position[item] = fill[value]
            fill[value] += 1
        }
        self.count = counts
        self.order = order
        self.position = position
        self.binStart = binStart
    }

    /// Lowers the count of `item` (which must be positive) by one.
    mutating func decrement(_ item: Int) {
        let c = count[item]
        let first = binStart[c]
        let other = Int(order[first])
        if other != item {
            let here = position[item]
            order[first] = Int32(item)
            order[here] = Int32(other)
            position[item] = first
            position[other] = here
        }
        binStart[c] += 1
        count[item] = c - 1
    }

    /// A uniformly random item among those with the smallest positive count, or nil when every
    /// count is zero.
    func randomMinimum(using generator: inout SeededGenerator) -> Int? {
        let first = binStart[1]
        guard first < order.count else { return nil }
        let smallest = count[Int(order[first])]
        let size = binStart[smallest + 1] - first
        return Int(order[first + (size > 1 ? generator.nextInt(below: size) : 0)])
    }
}
