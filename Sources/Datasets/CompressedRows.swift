/// Compressed sparse rows (scipy's `csr_matrix((data, indices, indptr))`): row `r`'s non-zero
/// values are `data[indptr[r]..<indptr[r + 1]]` in columns `indices[…]`, strictly increasing
/// within a row. Used for sparse ARFF rows (columns are attributes) and sparse features (SciPy
/// matrices and XMLC rows, whose rows ``endRow(from:)`` sorts and checks).
public struct CompressedRows: Equatable, Sendable {
    public var indptr: [Int64]
    public var indices: [Int32]
    public var data: [Float]

    public init(indptr: [Int64] = [0], indices: [Int32] = [], data: [Float] = []) {
        self.indptr = indptr
        self.indices = indices
        self.data = data
    }

    /// The non-zero values of a dense row-major [rows × columns] matrix. O(rows × columns).
    public init(dense values: [Float], rows: Int, columns: Int) {
        self.init()
        indptr.reserveCapacity(rows + 1)
        values.withUnsafeBufferPointer { values in
            for row in 0..<rows {
                for column in 0..<columns where values[row * columns + column] != 0 {
                    indices.append(Int32(column))
                    data.append(values[row * columns + column])
                }
                indptr.append(Int64(indices.count))
            }
        }
    }

    /// The number of rows.
    public var rowCount: Int { indptr.count - 1 }

    /// Row `row`'s entries: a range of `indices` and `data`.
    public func entries(ofRow row: Int) -> Range<Int> { Int(indptr[row])..<Int(indptr[row + 1]) }

    /// The matrix as dense row-major values (O(rows × columns) memory).
    public func denseValues(columns: Int) -> [Float] {
        var values = [Float](repeating: 0, count: rowCount * columns)
        for row in 0..<rowCount {
            for entry in entries(ofRow: row) { values[row * columns + Int(indices[entry])] = data[entry] }
        }
        return values
    }

    /// Ends the row whose entries begin at `start` (appended in any column order, explicit zeros
    /// included): sorts them by column unless they are, leaves out the zeros and appends the
    /// row's end to `indptr`. Returns a column the row holds twice (and ends nothing), or nil.
    /// O(k) for a sorted row of k entries, O(k log k) otherwise.
    mutating func endRow(from start: Int) -> Int32? {
        if zip(indices[start...], indices[start...].dropFirst()).contains(where: { $0 >= $1 }) {
            let order = (start..<indices.count).sorted { indices[$0] < indices[$1] }
            let (sortedIndices, sortedData) = (order.map { indices[$0] }, order.map { data[$0] })
            indices.replaceSubrange(start..., with: sortedIndices)
            data.replaceSubrange(start..., with: sortedData)
            if let twice = zip(indices[start...], indices[start...].dropFirst()).first(where: { $0 == $1 }) { return twice.0 }
        }
        var kept = start
        for entry in start..<indices.count where data[entry] != 0 {
            (indices[kept], data[kept]) = (indices[entry], data[entry])
            kept += 1
        }
        indices.removeLast(indices.count - kept)
        data.removeLast(data.count - kept)
        indptr.append(Int64(indices.count))
        return nil
    }

    /// Appends the rows of `other`.
    mutating func append(_ other: CompressedRows) {
        let base = Int64(indices.count)
        indptr.append(contentsOf: other.indptr.dropFirst().map { $0 + base })
        indices.append(contentsOf: other.indices)
        data.append(contentsOf: other.data)
    }
}
