/// A position inside one line of an ARFF file, with token readers for the header.
struct ArffCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    /// One past the last byte of the line (trailing blanks and `\r` excluded).
    let end: Int
    let line: Int
    let file: String

    var atEnd: Bool { position >= end }
    var peek: UInt8 { bytes[position] }
    mutating func advance() { position += 1 }

    mutating func skipSpaces() {
        while position < end, ArffBytes.isSpace(bytes[position]) { position += 1 }
    }

    /// Bytes up to the next blank or `{`.
    mutating func readWord() -> String {
        let start = position
        while position < end, !ArffBytes.isSpace(bytes[position]), bytes[position] != UInt8(ascii: "{") { position += 1 }
        return Self.string(bytes, start, position)
    }

    /// `readWord()` in lower case (ASCII letters only; keywords and type names).
    mutating func readKeyword() -> String {
        let word = readWord()
        return word.utf8.contains(where: { (65...90).contains($0) }) ? word.lowercased() : word
    }

    /// A quoted (`'…'` or `"…"`, backslash escapes) or bare (up to a blank) name.
    mutating func readName(what: String) throws -> String {
        guard !atEnd else {
            throw DatasetError.arff(file: file, line: line, reason: "missing \(what)")
        }
        if peek == UInt8(ascii: "'") || peek == UInt8(ascii: "\"") {
            return try readQuoted(what: what)
        }
        return readWord()
    }

    /// A nominal value in a `{…}` list: quoted, or bare up to `,` or `}` (blanks trimmed).
    mutating func readNominalValue(what: String) throws -> String {
        if peek == UInt8(ascii: "'") || peek == UInt8(ascii: "\"") {
            return try readQuoted(what: what)
        }
        let start = position
        while position < end, bytes[position] != UInt8(ascii: ","), bytes[position] != UInt8(ascii: "}") { position += 1 }
        return Self.string(bytes, start, ArffBytes.trimmedEnd(bytes, start, position))
    }

    /// A quoted string starting at the current quote character; the cursor ends after the closing quote.
    mutating func readQuoted(what: String) throws -> String {
        var scratch: [UInt8] = []
        guard let close = Self.unquote(bytes, from: position, end: end, into: &scratch) else {
            throw DatasetError.arff(file: file, line: line, reason: "unterminated quote in \(what)")
        }
        position = close
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Decodes a quoted token starting at `start` (the quote) into `out`; returns the index after
    /// the closing quote, or nil when the quote is not closed before `end`.
    static func unquote(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, end: Int, into out: inout [UInt8]) -> Int? {
        let quote = bytes[start]
        out.removeAll(keepingCapacity: true)
        var i = start + 1
        while i < end {
            let byte = bytes[i]
            if byte == quote { return i + 1 }
            if byte == UInt8(ascii: "\\"), i + 1 < end {
                i += 1
                switch bytes[i] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                default: out.append(bytes[i])
                }
            } else {
                out.append(byte)
            }
            i += 1
        }
        return nil
    }

    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
