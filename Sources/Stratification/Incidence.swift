/// Which "items" (labels, or label combinations) each row carries, in CSR form; the unit that
/// iterative stratification balances across parts.
///
/// Items of row `i` are `items[rowStart[i] ..< rowStart[i + 1]]`, each in `0..<itemCount`.
public struct Incidence: Sendable {
    public let rows: Int
    public let itemCount: Int
    public let rowStart: [Int]
    public let items: [Int32]

    init(rowStart: [Int], items: [Int32], itemCount: Int) {
        self.rows = rowStart.count - 1
        self.itemCount = itemCount
        self.rowStart = rowStart
        self.items = items
    }

    /// Order 1: the items are the labels themselves.
    public static func labels(_ matrix: LabelMatrix) -> Incidence {
        Incidence(rowStart: matrix.rowStart, items: matrix.columns, itemCount: matrix.labels)
    }

    /// Order 2 (Szymański & Kajdanowicz 2017): every combination with replacement of two of a
    /// row's labels, i.e. the single labels (a, a) and the co-occurring pairs (a, b), a < b.
    /// Item ids: labels keep their id `a`; pairs get ids from `labels` upwards in order of first
    /// occurrence. O(Σ_i |Y_i|²) time.
    public static func labelsAndPairs(_ matrix: LabelMatrix) -> Incidence {
        combinations(matrix, includeSingles: true)
    }

    /// The co-occurring label pairs (a, b), a < b, alone; ids from 0 in order of first occurrence.
    public static func pairs(_ matrix: LabelMatrix) -> Incidence {
        combinations(matrix, includeSingles: false)
    }

    /// The incidence a stratification of the given order balances (1: labels, 2: labels and pairs).
    public static func forOrder(_ order: Int, _ matrix: LabelMatrix) throws -> Incidence {
        switch order {
        case 1: return labels(matrix)
        case 2: return labelsAndPairs(matrix)
        default: throw StratificationError.unsupportedOrder(order)
        }
    }

    /// Number of rows carrying each item. O(n + nnz).
    public func rowsPerItem() -> [Int] {
        var counts = [Int](repeating: 0, count: itemCount)
        items.withUnsafeBufferPointer { all in
            counts.withUnsafeMutableBufferPointer { out in
                for item in all { out[Int(item)] += 1 }
            }
        }
        return counts
    }

    private static func combinations(_ matrix: LabelMatrix, includeSingles: Bool) -> Incidence {
        let q = matrix.labels
        var pairIds: [Int: Int32] = [:]
        var next = includeSingles ? q : 0
        var rowStart = [Int](repeating: 0, count: matrix.rows + 1)
        var items: [Int32] = []
        items.reserveCapacity(matrix.positiveCount * 2)
        matrix.columns.withUnsafeBufferPointer { cols in
            for row in 0..<matrix.rows {
                let lower = matrix.rowStart[row], upper = matrix.rowStart[row + 1]
                for first in lower..<upper {
                    let a = Int(cols[first])
                    if includeSingles { items.append(Int32(a)) }
                    for second in (first + 1)..<max(first + 1, upper) {
                        let key = a * q + Int(cols[second])
                        if let id = pairIds[key] {
                            items.append(id)
                        } else {
                            pairIds[key] = Int32(next)
                            items.append(Int32(next))
                            next += 1
                        }
                    }
                }
                rowStart[row + 1] = items.count
            }
        }
        return Incidence(rowStart: rowStart, items: items, itemCount: next)
    }
}
