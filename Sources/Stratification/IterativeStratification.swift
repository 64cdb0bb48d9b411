import SeededRandom

/// Iterative stratification (Sechidis, Tsoumakas & Vlahavas 2011) over the items of an
/// ``Incidence`` (labels for order 1; labels and pairs for order 2, Szymański & Kajdanowicz 2017).
///
/// With parts of desired proportions r_j, part j desires n·r_j rows and P_i·r_j rows of item i.
/// Repeatedly: take the item with the fewest (but at least one) unassigned rows, ties at random;
/// give each of its unassigned rows (in a seeded random order) to the part that most desires that
/// item, ties broken by the part desiring the most rows, then at random; decrement the desires
/// of the chosen part for every item of the row. Rows without items go last, each to the part
/// desiring the most rows (ties at random), which balances part sizes.
///
/// Complexity: O(n·p + nnz + m) time and O(m·p + nnz) memory for n rows, p parts, m items and
/// nnz row–item incidences (bucketed counts, no rescans).
public enum IterativeStratification {
    /// The part (`0..<proportions.count`) of every row. `proportions` are positive and sum to 1.
    public static func assign(_ incidence: Incidence, proportions: [Double],
                              using generator: inout SeededGenerator) -> [Int32] {
        let n = incidence.rows, m = incidence.itemCount, parts = proportions.count
        precondition(parts >= 1 && proportions.allSatisfy { $0 >= 0 }, "proportions must be non-negative")
        let processingOrder = generator.permutation(n)

        // Rows of every item, in processing order (transposed CSR).
        let perItem = incidence.rowsPerItem()
        var itemStart = [Int](repeating: 0, count: m + 1)
        for item in 0..<m { itemStart[item + 1] = itemStart[item] + perItem[item] }
        var itemRows = [Int32](repeating: 0, count: incidence.items.count)
        var fill = itemStart
        for row in processingOrder {
            for index in incidence.rowStart[row]..<incidence.rowStart[row + 1] {
                let item = Int(incidence.items[index])
                itemRows[fill[item]] = Int32(row)
                fill[item] += 1
            }
        }

        var desire = [Double](repeating: 0, count: m * parts)   // item-major: desire[item * parts + part]
        for item in 0..<m {
            for part in 0..<parts { desire[item * parts + part] = Double(perItem[item]) * proportions[part] }
        }
        var sizeDesire = proportions.map { Double(n) * $0 }
        var assignment = [Int32](repeating: -1, count: n)
        var buckets = CountBuckets(counts: perItem)
        var ties = [Int](repeating: 0, count: parts)

        func give(_ row: Int, to part: Int) {
            assignment[row] = Int32(part)
            sizeDesire[part] -= 1
            for index in incidence.rowStart[row]..<incidence.rowStart[row + 1] {
                let item = Int(incidence.items[index])
                desire[item * parts + part] -= 1
                buckets.decrement(item)
            }
        }

        /// Among `candidates` (ties[0..<count]), the parts desiring the most rows; then at random.
        func breakTie(_ count: Int) -> Int {
            if count == 1 { return ties[0] }
            var best = -Double.infinity, kept = 0
            for index in 0..<count {
                let value = sizeDesire[ties[index]]
                if value > best { best = value; kept = 0 }
                if value == best { ties[kept] = ties[index]; kept += 1 }
            }
            return kept == 1 ? ties[0] : ties[generator.nextInt(below: kept)]
        }

        while let item = buckets.randomMinimum(using: &generator) {
            for index in itemStart[item]..<itemStart[item + 1] {
                let row = Int(itemRows[index])
                if assignment[row] >= 0 { continue }
                var best = -Double.infinity, count = 0
                let base = item * parts
                for part in 0..<parts {
                    let value = desire[base + part]
                    if value > best { best = value; count = 0 }
                    if value == best { ties[count] = part; count += 1 }
                }
                give(row, to: breakTie(count))
            }
        }

        for row in processingOrder where assignment[row] < 0 {
            for part in 0..<parts { ties[part] = part }
            give(row, to: breakTie(parts))
        }
        return assignment
    }
}
