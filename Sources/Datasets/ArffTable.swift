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
        return Set(values) == ["0", "1"]
    }
}

/// A parsed ARFF file: header plus a dense row-major value matrix.
///
/// `values[r * attributes.count + a]` is the number for a numeric attribute and the value index
/// for a nominal one; values omitted from a sparse row are 0 (the first nominal value);
/// a missing value (`?`) is NaN (the parser never produces NaN otherwise).
public struct ArffTable: Sendable {
    /// The file the table came from (for messages).
    public var file: String
    /// The relation name, unquoted.
    public var relation: String
    public var attributes: [ArffAttribute]
    public var rowCount: Int
    public var values: [Float]
    /// The 1-based line of each row in `file`.
    public var lines: [Int32]
    /// Whether any row was written in sparse form.
    public var hasSparseRows: Bool
    /// The first row of each appended file, with that file's name (the first is `(0, file)`).
    public var segments: [(firstRow: Int, file: String)]

    public init(file: String, relation: String, attributes: [ArffAttribute], rowCount: Int,
                values: [Float], lines: [Int32], hasSparseRows: Bool) {
        self.file = file
        self.relation = relation
        self.attributes = attributes
        self.rowCount = rowCount
        self.values = values
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

    /// Appends the rows of `other`, which must have the same attributes (same names and kinds).
    public mutating func append(_ other: ArffTable) throws {
        guard other.attributes == attributes else {
            let firstDifference = (0..<min(attributes.count, other.attributes.count)).first { attributes[$0] != other.attributes[$0] } ?? min(attributes.count, other.attributes.count)
            throw DatasetError.arff(file: other.file, line: 0,
                                    reason: "its attributes differ from those of \(file) (first difference at attribute \(firstDifference + 1)); "
                                        + "files listed together in the catalog's data must share one header")
        }
        segments.append((rowCount, other.file))
        values.append(contentsOf: other.values)
        lines.append(contentsOf: other.lines)
        rowCount += other.rowCount
        hasSparseRows = hasSparseRows || other.hasSparseRows
    }
}
