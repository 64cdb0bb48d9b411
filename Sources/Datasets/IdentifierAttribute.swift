/// A multi-valued nominal feature that looks like a row identifier (e.g. a protein ID): nearly
/// every row has its own value, so one-hot encoding turns it into about one column per row,
/// which carries no information a model can generalise from.
public struct IdentifierAttribute: Equatable, Sendable {
    /// Position in the ARFF header.
    public var index: Int
    public var name: String
    /// Distinct values that occur, and rows that have a value (not `?`).
    public var distinctValues: Int
    public var rowsWithValue: Int
    /// One-hot columns it becomes (its declared values).
    public var columns: Int

    public init(index: Int, name: String, distinctValues: Int, rowsWithValue: Int, columns: Int) {
        self.index = index
        self.name = name
        self.distinctValues = distinctValues
        self.rowsWithValue = rowsWithValue
        self.columns = columns
    }

    /// At least this many rows must have a value before an attribute can count as an identifier.
    public static let minimumRows = 10
    /// Fraction of the rows with a value that must have distinct values.
    public static let minimumDistinctFraction = 0.9

    /// The multi-valued nominal attributes (other than `labels`) whose distinct values number at
    /// least 90 % of the rows that have one (and at least 10 rows have one). O(rows × candidates)
    /// for dense tables, O(non-zero values) for sparse ones; only attributes declaring at least
    /// 9 values are counted.
    public static func find(in table: ArffTable, labels: Set<Int>) -> [IdentifierAttribute] {
        let minimumDistinct = Int((Double(minimumRows) * minimumDistinctFraction).rounded(.up))
        let candidates = table.attributes.indices.filter { index in
            guard !labels.contains(index), let values = table.attributes[index].nominalValues else { return false }
            return !table.attributes[index].isBinaryNominal && values.count >= minimumDistinct
        }
        guard !candidates.isEmpty else { return [] }
        // Occurrences of each declared value of each candidate, and rows with `?`.
        var slot = [Int](repeating: -1, count: table.attributeCount)
        var first: [Int] = []
        var total = 0
        for (position, attribute) in candidates.enumerated() {
            slot[attribute] = position
            first.append(total)
            total += table.attributes[attribute].nominalValues!.count
        }
        var occurrences = [Int](repeating: 0, count: total)
        var missing = [Int](repeating: 0, count: candidates.count)
        switch table.storage {
        case let .dense(values):
            for row in 0..<table.rowCount {
                for (position, attribute) in candidates.enumerated() {
                    let value = values[row * table.attributeCount + attribute]
                    if value.isNaN { missing[position] += 1 } else { occurrences[first[position] + Int(value)] += 1 }
                }
            }
        case let .sparse(rows):
            // Explicit entries; every row without one has value index 0.
            var explicit = [Int](repeating: 0, count: candidates.count)
            for (entry, attribute) in rows.indices.enumerated() where slot[Int(attribute)] >= 0 {
                let position = slot[Int(attribute)]
                let value = rows.data[entry]
                explicit[position] += 1
                if value.isNaN { missing[position] += 1 } else { occurrences[first[position] + Int(value)] += 1 }
            }
            for position in candidates.indices { occurrences[first[position]] += table.rowCount - explicit[position] }
        }
        return candidates.enumerated().compactMap { position, attribute in
            let declared = table.attributes[attribute].nominalValues!.count
            let counts = occurrences[first[position]..<(first[position] + declared)]
            let distinct = counts.lazy.filter { $0 > 0 }.count
            let rowsWithValue = table.rowCount - missing[position]
            guard rowsWithValue >= minimumRows, Double(distinct) >= minimumDistinctFraction * Double(rowsWithValue) else { return nil }
            return IdentifierAttribute(index: attribute, name: table.attributes[attribute].name, distinctValues: distinct,
                                       rowsWithValue: rowsWithValue, columns: declared)
        }
    }

    /// The warning shown for this attribute.
    public func warning(file: String) -> String {
        "\(file): nominal attribute '\(name)' has \(distinctValues) different values in \(rowsWithValue) rows, like an identifier; "
            + "one-hot encoding makes it \(columns) feature columns that a model cannot generalise from. "
            + "Leave it out with --drop-attribute '\(name)' (or --drop-identifiers)."
    }
}
