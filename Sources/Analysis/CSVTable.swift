import Foundation

/// A CSV table with a header row (RFC 4180 quoting where needed, `\n` line ends).
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "row width \(row.count) differs from header width \(header.count)")
        rows.append(row)
    }

    /// The text of the file.
    public var text: String {
        ([header] + rows).map { $0.map(Self.quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Shortest round-trip text of a number (`nan` for NaN), deterministic across runs.
    public static func number(_ value: Double) -> String {
        value.isNaN ? "nan" : "\(value)"
    }
}
