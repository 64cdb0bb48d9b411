/// Ranks with ties averaged (SciPy's `rankdata(method='average')`).
public enum Ranking {
    /// Ascending ranks starting at 1; tied values share the mean of the ranks they span.
    /// O(m log m).
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let shared = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = shared }
            start = end
        }
        return ranks
    }

    /// Sizes of the groups of tied values (groups of one included).
    public static func tieGroupSizes(_ values: [Double]) -> [Int] {
        let sorted = values.sorted()
        var sizes: [Int] = []
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count && sorted[end] == sorted[start] { end += 1 }
            sizes.append(end - start)
            start = end
        }
        return sizes
    }

    /// Ranks where rank 1 is the best: the largest value when `higherIsBetter`, else the smallest.
    public static func bestFirstRanks(_ values: [Double], higherIsBetter: Bool) -> [Double] {
        averageRanks(higherIsBetter ? values.map { -$0 } : values)
    }
}
