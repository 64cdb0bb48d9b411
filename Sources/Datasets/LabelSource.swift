import Foundation

/// Finds which attributes of an ARFF table are labels, for either layout.
public enum LabelSource {
    /// Mulan: the label names listed by an XML file (`<label name="…">`, nesting ignored), in file order.
    /// The file must be well-formed XML naming at least one label.
    public static func mulanLabelNames(xml url: URL, displayName: String) throws -> [String] {
        guard let bytes = try? FileBytes.readIfSmall(url, displayName: displayName) else {
            throw DatasetError.labels(file: displayName, reason: "cannot read the label XML, or it is larger than \(FileBytes.mappingThreshold >> 20) MiB")
        }
        return try parseMulanXML(bytes, file: displayName)
    }

    /// The `name` attribute of every `<label …>` element of a well-formed XML document, entities
    /// decoded, in document order; `file` names it in messages (`file:line: …`).
    public static func parseMulanXML(_ bytes: [UInt8], file: String) throws -> [String] {
        var reader = LabelXMLReader(bytes, file: file)
        let labels = try reader.labels()
        if labels.isEmpty {
            throw DatasetError.labels(file: file, reason: "the XML names no labels; expected <label name=\"…\"> elements inside <labels>")
        }
        return labels.map(\.name)
    }

    /// The attribute indices of `names` in `table`, in the order of `names`.
    public static func mulanLabelAttributes(_ names: [String], in table: ArffTable, xmlFile: String) throws -> [Int] {
        var index: [String: Int] = [:]
        for (position, attribute) in table.attributes.enumerated() where index[attribute.name] == nil {
            index[attribute.name] = position
        }
        var seen = Set<String>()
        let positions = try names.map { name in
            guard let position = index[name] else {
                throw DatasetError.labels(file: xmlFile, reason: "names label '\(name)', which is not an attribute of \(table.file); "
                                            + "fix the XML or pick the matching ARFF file")
            }
            guard seen.insert(name).inserted else {
                throw DatasetError.labels(file: xmlFile, reason: "names label '\(name)' twice")
            }
            return position
        }
        try refuseUnnamedLabelLikeAttributes(positions, in: table, xmlFile: xmlFile)
        try refuseLoneLabelLikeAttributeBeforeTheLabels(positions, in: table, xmlFile: xmlFile)
        return positions
    }

    /// Mulan files put the labels after the features. A `{0,1}` attribute at or after the first
    /// named label that the XML does not name looks like a label the XML forgot (a truncated or
    /// incomplete XML); it would silently become a feature, so it is an error naming it.
    static func refuseUnnamedLabelLikeAttributes(_ labels: [Int], in table: ArffTable, xmlFile: String) throws {
        guard let first = labels.min() else { return }
        let named = Set(labels)
        let unnamed = (first..<table.attributeCount).filter { !named.contains($0) && table.attributes[$0].isBinaryNominal }
        guard !unnamed.isEmpty else { return }
        let shown = unnamed.prefix(5).map { "'\(table.attributes[$0].name)'" }.joined(separator: ", ")
            + (unnamed.count > 5 ? " and \(unnamed.count - 5) more" : "")
        throw DatasetError.labels(file: xmlFile, reason: "names \(labels.count) labels, but \(table.file) has \(unnamed.count) more {0,1} "
                                    + "attribute(s) among or after them that the XML does not name: \(shown). They look like labels and would "
                                    + "silently become features. If they are labels, add <label name=\"…\"/> for each to the XML; "
                                    + "if they are features, declare them before the labels in the ARFF header")
    }

    /// An XML that leaves out the first label leaves it just before the first named label. A lone
    /// {0,1} attribute there, after features of other types, looks like that label and would
    /// silently become a feature, so it is an error naming it. (After several {0,1} attributes, as
    /// in flags or bibtex, whether one of them is a label cannot be told: they are features.)
    static func refuseLoneLabelLikeAttributeBeforeTheLabels(_ labels: [Int], in table: ArffTable, xmlFile: String) throws {
        guard let first = labels.min(), first >= 2 else { return }
        let before = table.attributes[first - 1], feature = table.attributes[first - 2]
        guard before.isBinaryNominal, !feature.isBinaryNominal else { return }
        throw DatasetError.labels(file: xmlFile, reason: "its first label, '\(table.attributes[first].name)', follows '\(before.name)', a lone {0,1} "
                                    + "attribute after the features of \(table.file). It looks like a label the XML leaves out and would "
                                    + "silently become a feature. If it is a label, add <label name=\"\(before.name)\"/> to the XML; if it is "
                                    + "a feature, declare it (and move its column) before '\(feature.name)' in the ARFF file")
    }

    /// MEKA: the `-C q` option of a relation name (q > 0: first q attributes; q < 0: last |q|).
    public static func mekaLabelCount(relation: String, file: String) throws -> Int {
        let tokens = relation.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init)
        guard let flag = tokens.firstIndex(of: "-C") else {
            throw DatasetError.labels(file: file, reason: "relation name '\(relation)' has no '-C q' option, so the labels are unknown; "
                                        + "use the mulan layout with an XML file, or add '-C q' to the relation")
        }
        guard flag + 1 < tokens.count, let count = Int(tokens[flag + 1]), count != 0 else {
            throw DatasetError.labels(file: file, reason: "relation name '\(relation)': '-C' must be followed by a non-zero integer")
        }
        return count
    }

    /// MEKA: the label attribute indices for `-C count` in a table.
    public static func mekaLabelAttributes(count: Int, in table: ArffTable) throws -> [Int] {
        let total = table.attributeCount
        guard count.magnitude < total else {
            throw DatasetError.labels(file: table.file, reason: "relation says '-C \(count)' but the file declares \(total) attributes; "
                                        + "at most \(total - 1) can be labels (at least one must be a feature)")
        }
        return count > 0 ? Array(0..<count) : Array((total + count)..<total)
    }
}
