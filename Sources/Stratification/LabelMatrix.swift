/// A binary label matrix Y (n rows x q labels) in compressed sparse row form.
///
/// The positive labels of row `i` are `columns[rowStart[i] ..< rowStart[i + 1]]`, ascending.
/// Memory and construction are O(n·q) for a dense input and O(n + nnz) afterwards.
public struct LabelMatrix: Sendable, Equatable {
    public let rows: Int
    public let labels: Int
    public let rowStart: [Int]
    public let columns: [Int32]

    /// Builds the matrix from a dense row-major 0/1 buffer of `rows * labels` values.
    /// Throws ``StratificationError/nonBinaryLabel(row:label:value:)`` for any other value.
    public init(dense: [UInt8], rows: Int, labels: Int) throws {
        precondition(dense.count == rows * labels, "dense label buffer has \(dense.count) values, expected \(rows * labels)")
        var rowStart = [Int](repeating: 0, count: rows + 1)
        var columns: [Int32] = []
        columns.reserveCapacity(rows)
        try dense.withUnsafeBufferPointer { values in
            for row in 0..<rows {
                let base = row * labels
                for label in 0..<labels {
                    let value = values[base + label]
                    if value == 1 {
                        columns.append(Int32(label))
                    } else if value != 0 {
                        throw StratificationError.nonBinaryLabel(row: row, label: label, value: Int(value))
                    }
                }
                rowStart[row + 1] = columns.count
            }
        }
        self.init(rowStart: rowStart, columns: columns, labels: labels)
    }

    /// Wraps an existing CSR structure (columns ascending within each row, all in `0..<labels`).
    public init(rowStart: [Int], columns: [Int32], labels: Int) {
        precondition(!rowStart.isEmpty && rowStart.last == columns.count, "rowStart must end at columns.count")
        self.rows = rowStart.count - 1
        self.labels = labels
        self.rowStart = rowStart
        self.columns = columns
    }

    /// Number of positive entries.
    public var positiveCount: Int { columns.count }

    /// P_j: the number of rows with label j, for every label. O(n + nnz).
    public func positivesPerLabel() -> [Int] {
        var counts = [Int](repeating: 0, count: labels)
        columns.withUnsafeBufferPointer { cols in
            counts.withUnsafeMutableBufferPointer { out in
                for label in cols { out[Int(label)] += 1 }
            }
        }
        return counts
    }

    /// The positive labels of one row.
    public func labels(ofRow row: Int) -> ArraySlice<Int32> { columns[rowStart[row]..<rowStart[row + 1]] }

    /// The sub-matrix of the given rows, in that order. O(|rows| + their nnz).
    public func selecting(rows selected: [Int]) -> LabelMatrix {
        var start = [Int](repeating: 0, count: selected.count + 1)
        var cols: [Int32] = []
        cols.reserveCapacity(selected.count * 4)
        for (position, row) in selected.enumerated() {
            cols.append(contentsOf: columns[rowStart[row]..<rowStart[row + 1]])
            start[position + 1] = cols.count
        }
        return LabelMatrix(rowStart: start, columns: cols, labels: labels)
    }
}
