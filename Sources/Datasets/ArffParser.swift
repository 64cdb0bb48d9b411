import Foundation

/// A hand-written ARFF reader working directly on bytes.
///
/// Supports dense and sparse (`{index value, …}`) rows, numeric/integer/real and nominal
/// attributes, quoted names and values with backslash escapes, `%` comments, blank lines,
/// CRLF line ends and `?` for a missing value (stored as NaN). Time O(file size); memory
/// O(rows × attributes) floats for dense files and O(non-zero values) for sparse ones (a file
/// whose first row is sparse is kept in compressed rows; see ``ArffTable``).
public enum ArffParser {
    /// Called with (bytes of the file read so far, file size), about once per MiB.
    public typealias Progress = (Int, Int) -> Void

    /// Parses the ARFF file at `url`; messages name it as `displayName` (default: its path).
    public static func parse(contentsOf url: URL, displayName: String? = nil, progress: Progress? = nil) throws -> ArffTable {
        let name = displayName ?? url.path
        return try FileBytes.withContents(of: url, displayName: name) { try parse($0, file: name, progress: progress) }
    }

    /// Parses ARFF text held in `bytes`; `file` names it in messages.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String, progress: Progress? = nil) throws -> ArffTable {
        let header = try ArffHeaderParser(bytes: bytes, file: file).parse()
        var reader = ArffRowReader(bytes: bytes, file: file, attributes: header.attributes, progress: progress)
        try reader.readRows(from: header.dataOffset, line: header.dataLine)
        if reader.rowCount == 0 {
            throw DatasetError.arff(file: file, line: header.dataLine, reason: "@data section is empty; the file holds no instances")
        }
        return ArffTable(file: file, relation: header.relation, attributes: header.attributes, rowCount: reader.rowCount,
                         storage: reader.storage, lines: reader.lines, hasSparseRows: reader.sawSparseRow)
    }
}

/// Reads the data section row by row: into a dense matrix, or (when the first row is sparse)
/// into compressed rows.
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
    /// Per nominal attribute, the value index of each one-digit value `0`…`9` (-1: not
    /// declared): the common `{0,1}` lookups skip the byte comparison.
    private let digitIndex: [Int32]
    private let progress: ArffParser.Progress?

    /// Dense rows (also the scratch row of a dense line in a sparse file).
    private var values: [Float] = []
    /// Whether rows are kept compressed (the first row was sparse), in the three arrays below.
    private var compressed = false
    private var rowStarts: [Int64] = [0]
    private var entryAttributes: [Int32] = []
    private var entryValues: [Float] = []
    private(set) var lines: [Int32] = []
    private(set) var rowCount = 0
    private(set) var sawSparseRow = false
    private var scratch: [UInt8] = []
    /// The indices of the sparse row being read into dense storage (to find a repeated one).
    private var denseRowIndices: [Int32] = []
    /// One row of zeros, appended (memcpy) before a sparse row's entries are set in dense storage.
    private let zeroRow: [Float]

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, attributes: [ArffAttribute], progress: ArffParser.Progress? = nil) {
        self.bytes = bytes
        self.file = file
        self.attributes = attributes
        self.progress = progress
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
        var digits = [Int32](repeating: -1, count: attributes.count * 10)
        for (position, attribute) in attributes.enumerated() {
            for (index, value) in (attribute.nominalValues ?? []).enumerated() {
                let utf8 = Array(value.utf8)
                if utf8.count == 1, utf8[0] &- 48 < 10 { digits[position * 10 + Int(utf8[0] &- 48)] = Int32(index) }
            }
        }
        digitIndex = digits
        zeroRow = [Float](repeating: 0, count: attributes.count)
    }

    /// The rows read: dense, or compressed when the first row was sparse.
    var storage: ArffValues {
        compressed ? .sparse(CompressedRows(indptr: rowStarts, indices: entryAttributes, data: entryValues)) : .dense(values)
    }

    mutating func readRows(from offset: Int, line firstLine: Int) throws {
        let base = bytes.baseAddress!
        var position = offset
        var line = firstLine
        var nextReport = offset + (1 << 20)
        while position < bytes.count {
            line += 1
            let lineEnd = ArffBytes.endOfLine(bytes, from: position)
            let end = ArffBytes.trimmedEnd(bytes, position, lineEnd)
            var start = position
            position = lineEnd + 1
            if position >= nextReport, let progress {
                progress(min(position, bytes.count), bytes.count)
                nextReport = position + (1 << 20)
            }
            while start < end, ArffBytes.isSpace(base[start]) { start += 1 }
            if start == end || base[start] == UInt8(ascii: "%") { continue }
            let isSparse = base[start] == UInt8(ascii: "{")
            if rowCount == 0 { reserve(sparseRows: isSparse, from: start) }
            if isSparse {
                sawSparseRow = true
                if compressed {
                    try readSparseRowCompressed(start + 1, end, line: line)
                } else {
                    try readSparseRowIntoDense(start + 1, end, line: line)
                }
            } else {
                try readDenseRow(start, end, line: line)
                if compressed { compressLastDenseRow() }
            }
            lines.append(Int32(truncatingIfNeeded: line))
            rowCount += 1
        }
        progress?(bytes.count, bytes.count)
    }

    /// Chooses the storage from the first row and reserves room for the expected rows.
    private mutating func reserve(sparseRows: Bool, from offset: Int) {
        let newlines = countNewlines(from: offset) + 1
        lines.reserveCapacity(newlines)
        if sparseRows {
            compressed = true
            rowStarts.reserveCapacity(newlines + 1)
        } else {
            values.reserveCapacity(newlines * attributeCount)
        }
    }

    private func countNewlines(from offset: Int) -> Int {
        guard offset < bytes.count, let base = bytes.baseAddress else { return 0 }
        var count = 0
        var position = offset
        while position < bytes.count, let found = memchr(base + position, 0x0A, bytes.count - position) {
            position = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            count += 1
        }
        return count
    }

    private mutating func readDenseRow(_ start: Int, _ end: Int, line: Int) throws {
        let base = bytes.baseAddress!
        var p = start
        let rowBase = values.count
        values.append(contentsOf: zeroRow)
        for attribute in 0..<attributeCount {
            while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
            values[rowBase + attribute] = try readValue(attribute: attribute, at: &p, end: end, line: line, inSparseRow: false)
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

    /// Moves the dense row just read (the scratch `values`) into the compressed rows.
    private mutating func compressLastDenseRow() {
        for attribute in 0..<attributeCount where values[attribute] != 0 {
            entryAttributes.append(Int32(attribute))
            entryValues.append(values[attribute])
        }
        rowStarts.append(Int64(entryAttributes.count))
        values.removeAll(keepingCapacity: true)
    }

    /// Reads `{index value, …}` entries (after the `{`) into dense storage: a row of zeros with
    /// the entries set.
    private mutating func readSparseRowIntoDense(_ start: Int, _ end: Int, line: Int) throws {
        let rowBase = values.count
        values.append(contentsOf: zeroRow)
        try readSparseEntries(start, end, line: line, denseRow: rowBase)
    }

    /// Reads `{index value, …}` entries (after the `{`) into the compressed rows, keeping them
    /// sorted by index without zeros.
    private mutating func readSparseRowCompressed(_ start: Int, _ end: Int, line: Int) throws {
        let rowStart = entryAttributes.count
        let ordered = try readSparseEntries(start, end, line: line, denseRow: nil)
        if !ordered { sortRow(from: rowStart) }
        // Drop explicit zeros.
        var kept = rowStart
        for entry in rowStart..<entryAttributes.count where entryValues[entry] != 0 {
            entryAttributes[kept] = entryAttributes[entry]
            entryValues[kept] = entryValues[entry]
            kept += 1
        }
        if kept < entryAttributes.count {
            entryAttributes.removeSubrange(kept...)
            entryValues.removeSubrange(kept...)
        }
        rowStarts.append(Int64(kept))
    }

    /// Sorts the current row's entries by index (its indices are distinct).
    private mutating func sortRow(from rowStart: Int) {
        let entries = (rowStart..<entryAttributes.count).map { (entryAttributes[$0], entryValues[$0]) }.sorted { $0.0 < $1.0 }
        entryAttributes.replaceSubrange(rowStart..., with: entries.map(\.0))
        entryValues.replaceSubrange(rowStart..., with: entries.map(\.1))
    }

    /// Parses the entries of a sparse row (after its `{`): into the dense row starting at
    /// `denseRow`, or (nil) appended to the compressed entries. Returns whether the indices were
    /// strictly increasing; an index given twice is an error naming the line (which of its
    /// values is meant is ambiguous).
    @discardableResult
    private mutating func readSparseEntries(_ start: Int, _ end: Int, line: Int, denseRow: Int?) throws -> Bool {
        let base = bytes.baseAddress!
        var p = start
        var previous = -1
        var ordered = true
        let rowStart = entryAttributes.count
        denseRowIndices.removeAll(keepingCapacity: true)
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
            if let denseRow {
                values[denseRow + index] = value
                denseRowIndices.append(Int32(index))
            } else {
                entryAttributes.append(Int32(index))
                entryValues.append(value)
            }
            if index <= previous { ordered = false }
            previous = index
            while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
            if p < end, base[p] == UInt8(ascii: ",") { p += 1 }
        }
        while p < end, ArffBytes.isSpace(base[p]) { p += 1 }
        if p != end {
            throw DatasetError.arff(file: file, line: line, reason: "unexpected text after the closing '}' of a sparse row")
        }
        if !ordered {
            let indices = (denseRow == nil ? Array(entryAttributes[rowStart...]) : denseRowIndices).sorted()
            if let repeated = zip(indices, indices.dropFirst()).first(where: { $0 == $1 })?.0 {
                throw DatasetError.arff(file: file, line: line, reason: "sparse index \(repeated) is given twice in this row, "
                                        + "so its value is ambiguous; keep one entry per index")
            }
        }
        return ordered
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
            let name = attributes[attribute].name
            if NumberText.isDecimalBeyondFloat32(token) {
                throw DatasetError.arff(file: file, line: line,
                                        reason: "value '\(token)' of numeric attribute '\(name)' (column \(attribute + 1)) is finite but beyond the Float32 range "
                                            + "(±3.4e38) features are stored in; rescale that column in the source, or leave it out with --drop-attribute '\(name)'")
            }
            throw DatasetError.arff(file: file, line: line,
                                    reason: "value '\(token)' of numeric attribute '\(name)' (column \(attribute + 1)) is not a finite number")
        }
        let length = end - start
        if length == 1, text[start] &- 48 < 10 {
            let index = digitIndex[attribute &* 10 &+ Int(text[start] &- 48)]
            if index >= 0 { return Float(index) }
        }
        let found = valueBytes.withUnsafeBufferPointer { pool -> Int in
            for k in valueFirst[attribute]..<valueFirst[attribute + 1] {
                let range = valueRanges[k]
                guard range.count == length else { continue }
                var same = true
                for offset in 0..<length where pool[range.lowerBound + offset] != text[start + offset] {
                    same = false
                    break
                }
                if same { return k - valueFirst[attribute] }
            }
            return -1
        }
        if found >= 0 { return Float(found) }
        if let offset = ArffBytes.firstInvalidUTF8(UnsafeBufferPointer(start: text + start, count: length), 0, length) {
            throw DatasetError.arff(file: file, line: line, reason: "the value of nominal attribute '\(attributes[attribute].name)': "
                                    + ArffBytes.notUTF8(text[start + offset]))
        }
        let token = String(decoding: UnsafeBufferPointer(start: text + start, count: length), as: UTF8.self)
        let declared = attributes[attribute].nominalValues ?? []
        throw DatasetError.arff(file: file, line: line,
                                reason: "unknown value '\(token)' for nominal attribute '\(attributes[attribute].name)'; declared values: {\(declared.joined(separator: ","))}")
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

/// Reading a small file in one go with plain system calls.
enum FileBytes {
    /// Files from this size on are better memory-mapped than read.
    static let mappingThreshold = 16 << 20

    /// Calls `body` with the whole file's bytes: large files are mapped (no copy), small ones read
    /// with plain system calls (fewer than Foundation's mapping needs).
    static func withContents<T>(of url: URL, displayName: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T {
        if let bytes = try readIfSmall(url, displayName: displayName) {
            return try bytes.withUnsafeBufferPointer(body)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw DatasetError.arff(file: displayName, line: 0, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try data.withUnsafeBytes { try body($0.bindMemory(to: UInt8.self)) }
    }

    /// The whole file, or nil when it is at least `mappingThreshold` bytes long.
    static func readIfSmall(_ url: URL, displayName: String) throws -> [UInt8]? {
        func failure(_ reason: String) -> DatasetError { .arff(file: displayName, line: 0, reason: "cannot read the file (\(reason))") }
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw failure(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(String(cString: strerror(errno))) }
        guard info.st_size < mappingThreshold else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            guard count > 0 else { throw failure(count == 0 ? "it shrank while being read" : String(cString: strerror(errno))) }
            filled += count
        }
        return bytes
    }
}

/// Byte-level helpers shared by the header and data parsers (kept in this file so that the row
/// reader inlines them even in a non-whole-module build).
enum ArffBytes {
    /// The index of the next `\n` at or after `start`, or `bytes.count`.
    @inline(__always)
    static func endOfLine(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < bytes.count else { return bytes.count }
        let base = bytes.baseAddress!
        if let found = memchr(base + start, 0x0A, bytes.count - start) {
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        return bytes.count
    }

    /// `end` moved back over trailing `\r`, spaces and tabs.
    @inline(__always)
    static func trimmedEnd(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var end = end
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return end
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D
    }

    /// The offset (from `start`) of the first byte of `bytes[start..<end]` that is not part of
    /// valid UTF-8, or nil when the range is valid UTF-8.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = UnsafeBufferPointer(rebasing: bytes[start..<end]).makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case let .valid(scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }

    /// Why text holding `byte` (found by ``firstInvalidUTF8(_:_:_:)``) is refused: e.g. Latin-1,
    /// whose accented letters would otherwise all read as U+FFFD (and two names differing only
    /// there as one name declared twice).
    static func notUTF8(_ byte: UInt8) -> String {
        "byte 0x\(String(byte, radix: 16, uppercase: true)) is not UTF-8: the file is not UTF-8 text "
            + "(Latin-1 or another legacy encoding?); convert it, e.g. `iconv -f latin1 -t utf-8`"
    }
}
