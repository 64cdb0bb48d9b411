/// One attribute of an ARFF header.
public struct ArffAttribute: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// `numeric`, `integer` or `real`.
        case numeric
        /// `{v1, v2, …}`; values are stored as their index in this list.
        case nominal([String])
    }

    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The nominal values, or nil for a numeric attribute.
    public var nominalValues: [String]? {
        if case let .nominal(values) = kind { return values }
        return nil
    }

    /// A nominal attribute whose values are exactly `0` and `1` (in either order): read as a number.
    public var isBinaryNominal: Bool {
        guard let values = nominalValues, values.count == 2 else { return false }
        return (values[0] == "0" && values[1] == "1") || (values[0] == "1" && values[1] == "0")
    }
}

/// The values of an ARFF table: dense row-major, or compressed rows for sparse files.
public enum ArffValues: Equatable, Sendable {
    /// `values[r * attributes.count + a]`.
    case dense([Float])
    /// Compressed rows whose columns are attributes; no entry holds 0 (omitted values are 0;
    /// a missing value `?` is a NaN entry).
    case sparse(CompressedRows)
}

/// A parsed ARFF file: header plus its value matrix.
///
/// A value is the number for a numeric attribute and the value index for a nominal one; values
/// omitted from a sparse row are 0 (the first nominal value); a missing value (`?`) is NaN (the
/// parser never produces NaN otherwise). A file whose first row is sparse keeps every row in
/// compressed form (memory proportional to the non-zero values); otherwise rows are dense.
public struct ArffTable: Sendable {
    /// The file the table came from (for messages).
    public var file: String
    /// The relation name, unquoted.
    public var relation: String
    public var attributes: [ArffAttribute]
    public var rowCount: Int
    public var storage: ArffValues
    /// The 1-based line of each row in `file`.
    public var lines: [Int32]
    /// Whether any row was written in sparse form.
    public var hasSparseRows: Bool
    /// The first row of each appended file, with that file's name (the first is `(0, file)`).
    public var segments: [(firstRow: Int, file: String)]

    public init(file: String, relation: String, attributes: [ArffAttribute], rowCount: Int,
                storage: ArffValues, lines: [Int32], hasSparseRows: Bool) {
        self.file = file
        self.relation = relation
        self.attributes = attributes
        self.rowCount = rowCount
        self.storage = storage
        self.lines = lines
        self.hasSparseRows = hasSparseRows
        self.segments = [(0, file)]
    }

    /// The file and 1-based line where row `row` was read.
    public func location(ofRow row: Int) -> (file: String, line: Int) {
        let segment = segments.last { $0.firstRow <= row } ?? segments[0]
        return (segment.file, Int(lines[row]))
    }

    public var attributeCount: Int { attributes.count }

    /// All values as a dense row-major [rowCount × attributeCount] matrix (O(rows × attributes) memory).
    public func denseValues() -> [Float] {
        switch storage {
        case let .dense(values):
            return values
        case let .sparse(rows):
            return rows.denseValues(columns: attributeCount)
        }
    }

    /// Appends the rows of `other`, which must have the same attributes (same names and kinds).
    /// Dense rows appended to sparse ones (or the reverse) are stored compressed.
    public mutating func append(_ other: ArffTable) throws {
        guard other.attributes == attributes else {
            let firstDifference = (0..<min(attributes.count, other.attributes.count)).first { attributes[$0] != other.attributes[$0] } ?? min(attributes.count, other.attributes.count)
            throw DatasetError.arff(file: other.file, line: 0,
                                    reason: "its attributes differ from those of \(file) (first difference at attribute \(firstDifference + 1)); "
                                        + "files listed together in the catalog's data must share one header")
        }
        switch (storage, other.storage) {
        case let (.dense(mine), .dense(theirs)):
            storage = .dense(mine + theirs)
        default:
            var rows = compressed(storage)
            rows.append(compressed(other.storage))
            storage = .sparse(rows)
        }
        segments.append((rowCount, other.file))
        lines.append(contentsOf: other.lines)
        rowCount += other.rowCount
        hasSparseRows = hasSparseRows || other.hasSparseRows
    }

    private func compressed(_ values: ArffValues) -> CompressedRows {
        switch values {
        case let .dense(dense): return CompressedRows(dense: dense, rows: dense.count / max(1, attributeCount), columns: attributeCount)
        case let .sparse(rows): return rows
        }
    }
}
