import Foundation

/// Finds which attributes of an ARFF table are labels, for either layout.
public enum LabelSource {
    /// Mulan: the label names listed by an XML file (`<label name="…">`, nesting ignored), in file order.
    public static func mulanLabelNames(xml url: URL, displayName: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DatasetError.labels(file: displayName, reason: "cannot read the label XML")
        }
        let names = parseMulanXML(String(decoding: data, as: UTF8.self))
        if names.isEmpty {
            throw DatasetError.labels(file: displayName, reason: "the XML names no labels; expected <label name=\"…\"> elements")
        }
        return names
    }

    /// The `name` attribute of every `<label …>` element of `text`, entities decoded.
    public static func parseMulanXML(_ text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "<label") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: ">") else { break }
            let tag = rest[..<close]
            rest = rest[close...]
            guard tag.first.map({ $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "/" }) ?? false,
                  let nameKey = tag.range(of: "name=") else { continue }
            let afterKey = tag[nameKey.upperBound...]
            guard let quote = afterKey.first, quote == "\"" || quote == "'" else { continue }
            let valueStart = afterKey.index(after: afterKey.startIndex)
            guard let valueEnd = afterKey[valueStart...].firstIndex(of: quote) else { continue }
            names.append(decodeEntities(String(afterKey[valueStart..<valueEnd])))
        }
        return names
    }

    private static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The attribute indices of `names` in `table`, in the order of `names`.
    public static func mulanLabelAttributes(_ names: [String], in table: ArffTable, xmlFile: String) throws -> [Int] {
        var index: [String: Int] = [:]
        for (position, attribute) in table.attributes.enumerated() where index[attribute.name] == nil {
            index[attribute.name] = position
        }
        var seen = Set<String>()
        return try names.map { name in
            guard let position = index[name] else {
                throw DatasetError.labels(file: xmlFile, reason: "names label '\(name)', which is not an attribute of \(table.file); "
                                            + "fix the XML or pick the matching ARFF file")
            }
            guard seen.insert(name).inserted else {
                throw DatasetError.labels(file: xmlFile, reason: "names label '\(name)' twice")
            }
            return position
        }
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
