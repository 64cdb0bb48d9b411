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
    /// The part (`0..<proportions.count`) of every row. `proportions` are non-negative and sum to 1.
    public static func assign(_ incidence: Incidence, proportions: [Double],
                              using generator: inout SeededGenerator) -> [Int32] {
        let n = incidence.rows, m = incidence.itemCount, parts = proportions.count
        precondition(parts >= 1 && proportions.allSatisfy { $0 >= 0 }, "proportions must be non-negative")
        let processingOrder = generator.permutation(n)
        let perItem = incidence.rowsPerItem()
        let buckets = CountBuckets(counts: perItem)

        var assignment = [Int32](repeating: -1, count: n)
        incidence.rowStart.withUnsafeBufferPointer { rowStart in
        incidence.items.withUnsafeBufferPointer { items in
        assignment.withUnsafeMutableBufferPointer { assignment in
            // Rows of every item, in processing order (transposed CSR).
            let itemStart = UnsafeMutableBufferPointer<Int>.allocate(capacity: m + 1)
            let itemRows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, items.count))
            let desire = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, m * parts))   // desire[item * parts + part]
            let sizeDesire = UnsafeMutableBufferPointer<Double>.allocate(capacity: parts)
            let ties = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
            defer {
                itemStart.deallocate(); itemRows.deallocate(); desire.deallocate(); sizeDesire.deallocate(); ties.deallocate()
            }
            itemStart[0] = 0
            for item in 0..<m { itemStart[item + 1] = itemStart[item] + perItem[item] }
            let fill = UnsafeMutableBufferPointer<Int>.allocate(capacity: m + 1)
            _ = fill.initialize(from: itemStart)
            for row in processingOrder {
                for index in rowStart[row]..<rowStart[row + 1] {
                    let item = Int(items[index])
                    itemRows[fill[item]] = Int32(row)
                    fill[item] += 1
                }
            }
            fill.deallocate()
            for item in 0..<m {
                for part in 0..<parts { desire[item * parts + part] = Double(perItem[item]) * proportions[part] }
            }
            for part in 0..<parts { sizeDesire[part] = Double(n) * proportions[part] }

            /// Gives `row` to the best of the `count` candidate parts in `ties` (most rows desired, then random).
            func give(_ row: Int, among count: Int) {
                var chosen = ties[0]
                if count > 1 {
                    var best = -Double.infinity, kept = 0
                    for index in 0..<count {
                        let value = sizeDesire[ties[index]]
                        if value > best { best = value; kept = 0 }
                        if value == best { ties[kept] = ties[index]; kept += 1 }
                    }
                    chosen = kept == 1 ? ties[0] : ties[generator.nextInt(below: kept)]
                }
                assignment[row] = Int32(chosen)
                sizeDesire[chosen] -= 1
                for index in rowStart[row]..<rowStart[row + 1] {
                    let item = Int(items[index])
                    desire[item * parts + chosen] -= 1
                    buckets.decrement(item)
                }
            }

            while let item = buckets.randomMinimum(using: &generator) {
                let base = item * parts
                for index in itemStart[item]..<itemStart[item + 1] {
                    let row = Int(itemRows[index])
                    if assignment[row] >= 0 { continue }
                    var best = -Double.infinity, count = 0
                    for part in 0..<parts {
                        let value = desire[base + part]
                        if value > best { best = value; count = 0 }
                        if value == best { ties[count] = part; count += 1 }
                    }
                    give(row, among: count)
                }
            }
            for row in processingOrder where assignment[row] < 0 {
                for part in 0..<parts { ties[part] = part }
                give(row, among: parts)
            }
        }
        }
        }
        return assignment
    }
}
