/// Compressed sparse rows (scipy's `csr_matrix((data, indices, indptr))`): row `r`'s non-zero
/// values are `data[indptr[r]..<indptr[r + 1]]` in columns `indices[…]`, strictly increasing
/// within a row. Used for sparse ARFF rows (columns are attributes) and sparse features.
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

    /// Appends the rows of `other`.
    mutating func append(_ other: CompressedRows) {
        let base = Int64(indices.count)
        indptr.append(contentsOf: other.indptr.dropFirst().map { $0 + base })
        indices.append(contentsOf: other.indices)
        data.append(contentsOf: other.data)
    }
}
