import Foundation

/// A hand-written ARFF reader working directly on bytes.
///
/// Supports dense and sparse (`{index value, …}`) rows, numeric/integer/real and nominal
/// attributes, quoted names and values with backslash escapes, `%` comments, blank lines,
/// CRLF line ends and `?` for a missing value (stored as NaN). Time O(file size); memory
/// O(rows × attributes) floats (sparse rows are expanded; omitted values are 0).
public enum ArffParser {
    /// Parses the ARFF file at `url`; messages name it as `displayName` (default: its path).
    public static func parse(contentsOf url: URL, displayName: String? = nil) throws -> ArffTable {
        let name = displayName ?? url.path
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw DatasetError.arff(file: name, line: 0, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try data.withUnsafeBytes { raw in
            try parse(raw.bindMemory(to: UInt8.self), file: name)
        }
    }

    /// Parses ARFF text held in `bytes`; `file` names it in messages.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String) throws -> ArffTable {
        let header = try ArffHeaderParser(bytes: bytes, file: file).parse()
        var reader = ArffRowReader(bytes: bytes, file: file, attributes: header.attributes)
        try reader.readRows(from: header.dataOffset, line: header.dataLine)
        if reader.rowCount == 0 {
            throw DatasetError.arff(file: file, line: header.dataLine, reason: "@data section is empty; the file holds no instances")
        }
        return ArffTable(file: file, relation: header.relation, attributes: header.attributes, rowCount: reader.rowCount,
                         values: reader.values, lines: reader.lines, hasSparseRows: reader.sawSparseRow)
    }
}

/// Reads the data section row by row into a dense matrix.
struct ArffRowReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    let attributes: [ArffAttribute]
    let attributeCount: Int
    /// Per attribute: true when nominal.
    private let isNominal: [Bool]
    /// Nominal value table: the values of attribute a are `valueRanges[valueFirst[a]..<valueFirst[a+1]]`,
    /// each a byte range of `valueBytes`.
    private let valueFirst: [Int]
    private let valueRanges: [Range<Int>]
    private let valueBytes: [UInt8]

    private(set) var values: [Float] = []
    private(set) var lines: [Int32] = []
    private(set) var rowCount = 0
    private(set) var sawSparseRow = false
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, attributes: [ArffAttribute]) {
        self.bytes = bytes
        self.file = file
        self.attributes = attributes
        attributeCount = attributes.count
        isNominal = attributes.map { $0.nominalValues != nil }
        var first: [Int] = []
        var ranges: [Range<Int>] = []
        var pool: [UInt8] = []
        for attribute in attributes {
            first.append(ranges.count)
            for value in attribute.nominalValues ?? [] {
                let start = pool.count
                pool.append(contentsOf: Array(value.utf8))
                ranges.append(start..<pool.count)
            }
        }
        first.append(ranges.count)
        valueFirst = first
        valueRanges = ranges
        valueBytes = pool
    }

    mutating func readRows(from offset: Int, line firstLine: Int) throws {
        let base = bytes.baseAddress!
        let newlines = offset < bytes.count ? countNewlines(from: offset) + 1 : 0
        values.reserveCapacity(newlines * attributeCount)
        lines.reserveCapacity(newlines)
        var position = offset
        var line = firstLine
        while position < bytes.count {
            line += 1
            let lineEnd = ArffBytes.endOfLine(bytes, from: position)
            let end = ArffBytes.trimmedEnd(bytes, position, lineEnd)
            var start = position
            position = lineEnd + 1
            while start < end, ArffBytes.isSpace(base[start]) { start += 1 }
            if start == end || base[start] == UInt8(ascii: "%") { continue }
            if base[start] == UInt8(ascii: "{") {
                sawSparseRow = true
                try readSparseRow(start + 1, end, line: line)
            } else {
                try readDenseRow(start, end, line: line)
            }
            lines.append(Int32(truncatingIfNeeded: line))
            rowCount += 1
        }
    }

    private func countNewlines(from offset: Int) -> Int {
        var count = 0
        var position = offset
        while position < bytes.count {
            position = ArffBytes.endOfLine(bytes, from: position) + 1
            count += 1
        }
        return count
    }

    private mutating func readDenseRow(_ start: Int, _ end: Int, line: Int) throws {
        let base = bytes.baseAddress!
        var p = start
        for attribute in 0..<attributeCount {
            while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
            let value = try readValue(attribute: attribute, at: &p, end: end, line: line, inSparseRow: false)
            values.append(value)
            while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
            if attribute + 1 < attributeCount {
                guard p < end, base[p] == UInt8(ascii: ",") else {
                    throw valueCountError(start, end, line: line)
                }
                p += 1
            }
        }
        if p != end { throw valueCountError(start, end, line: line) }
    }

    private mutating func readSparseRow(_ start: Int, _ end: Int, line: Int) throws {
        let base = bytes.baseAddress!
        let rowBase = values.count
        values.append(contentsOf: repeatElement(0, count: attributeCount))
        var p = start
        while true {
            while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
            guard p < end else {
                throw DatasetError.arff(file: file, line: line, reason: "sparse row lacks its closing '}'")
            }
            if base[p] == UInt8(ascii: "}") { p += 1; break }
            var index = 0
            let indexStart = p
            while p < end, base[p] &- 48 < 10, index < Int(Int32.max) { index = index * 10 + Int(base[p] &- 48); p += 1 }
            guard p > indexStart, p < end, ArffBytes.isSpace(base[p]) else {
                throw DatasetError.arff(file: file, line: line, reason: "malformed sparse entry; expected '{index value, …}' with a non-negative integer index")
            }
            guard index < attributeCount else {
                throw DatasetError.arff(file: file, line: line,
                                        reason: "sparse index \(index) is out of range; the header declares \(attributeCount) attributes (valid indices 0…\(attributeCount - 1))")
            }
            while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
            let value = try readValue(attribute: index, at: &p, end: end, line: line, inSparseRow: true)
            values[rowBase + index] = value
            while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
            if p < end, base[p] == UInt8(ascii: ",") { p += 1 }
        }
        while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
        if p != end {
            throw DatasetError.arff(file: file, line: line, reason: "unexpected text after the closing '}' of a sparse row")
        }
    }

    /// Reads one value for `attribute` starting at `p` (no leading blanks); leaves `p` after it.
    @inline(__always)
    private mutating func readValue(attribute: Int, at p: inout Int, end: Int, line: Int, inSparseRow: Bool) throws -> Float {
        let base = bytes.baseAddress!
        if p < end, base[p] == UInt8(ascii: "'") || base[p] == UInt8(ascii: "\"") {
            guard let close = ArffCursor.unquote(bytes, from: p, end: end, into: &scratch) else {
                throw DatasetError.arff(file: file, line: line, reason: "unterminated quote in the value of attribute '\(attributes[attribute].name)'")
            }
            p = close
            let token = scratch
            return try token.withUnsafeBufferPointer { quoted in
                try interpret(quoted.baseAddress ?? base, 0, quoted.count, attribute: attribute, line: line)
            }
        }
        let tokenStart = p
        if inSparseRow {
            while p < end, base[p] != UInt8(ascii: ","), base[p] != UInt8(ascii: "}") { p += 1 }
        } else {
            while p < end, base[p] != UInt8(ascii: ",") { p += 1 }
        }
        let tokenEnd = ArffBytes.trimmedEnd(bytes, tokenStart, p)
        return try interpret(base, tokenStart, tokenEnd, attribute: attribute, line: line)
    }

    /// The stored value of the token `text[start..<end]` for `attribute`.
    @inline(__always)
    private func interpret(_ text: UnsafePointer<UInt8>, _ start: Int, _ end: Int, attribute: Int, line: Int) throws -> Float {
        if end - start == 1 && text[start] == UInt8(ascii: "?") { return .nan }
        if !isNominal[attribute] {
            if let value = FastFloat.parse(text, start, end) { return value }
            let token = String(decoding: UnsafeBufferPointer(start: text + start, count: end - start), as: UTF8.self)
            throw DatasetError.arff(file: file, line: line,
                                    reason: "value '\(token)' of numeric attribute '\(attributes[attribute].name)' is not a finite number")
        }
        let length = end - start
        return try valueBytes.withUnsafeBufferPointer { pool in
            for k in valueFirst[attribute]..<valueFirst[attribute + 1] {
                let range = valueRanges[k]
                if range.count == length && (length == 0 || memcmp(pool.baseAddress! + range.lowerBound, text + start, length) == 0) {
                    return Float(k - valueFirst[attribute])
                }
            }
            let token = String(decoding: UnsafeBufferPointer(start: text + start, count: length), as: UTF8.self)
            let declared = attributes[attribute].nominalValues ?? []
            throw DatasetError.arff(file: file, line: line,
                                    reason: "unknown value '\(token)' for nominal attribute '\(attributes[attribute].name)'; declared values: {\(declared.joined(separator: ","))}")
        }
    }

    /// The "wrong number of values" error, counting the values actually present on the line.
    private func valueCountError(_ start: Int, _ end: Int, line: Int) -> DatasetError {
        var count = 1
        var quote: UInt8 = 0
        var p = start
        while p < end {
            let byte = bytes[p]
            if quote != 0 {
                if byte == UInt8(ascii: "\\") { p += 1 } else if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: ",") {
                count += 1
            }
            p += 1
        }
        return .arff(file: file, line: line, reason: "expected \(attributeCount) values (one per attribute), found \(count)")
    }
}
