import Foundation

/// Reads the `@relation` / `@attribute` lines of an ARFF file (the part before `@data`).
struct ArffHeaderParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String

    /// The parsed header and the offset/line just after the `@data` line.
    struct Result {
        var relation: String
        var attributes: [ArffAttribute]
        var dataOffset: Int
        var dataLine: Int
    }

    func parse() throws -> Result {
        var relation: String?
        var attributes: [ArffAttribute] = []
        var declaredOnLine: [String: Int] = [:]
        var position = 0
        var line = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { position = 3 }
        while position < bytes.count {
            line += 1
            try checkLineStart(position, line: line)
            let lineEnd = ArffBytes.endOfLine(bytes, from: position)
            let lineStart = position
            var cursor = ArffCursor(bytes: bytes, position: position, end: ArffBytes.trimmedEnd(bytes, position, lineEnd), line: line, file: file)
            position = lineEnd + 1
            cursor.skipSpaces()
            if cursor.atEnd || cursor.peek == UInt8(ascii: "%") { continue }
            // Names are decoded as UTF-8: other text would turn into U+FFFD (comments are not read).
            if let offset = ArffBytes.firstInvalidUTF8(bytes, lineStart, lineEnd) {
                throw DatasetError.arff(file: file, line: line, reason: "column \(offset + 1): " + ArffBytes.notUTF8(bytes[lineStart + offset]))
            }
            let keyword = cursor.readKeyword()
            switch keyword {
            case "@relation":
                cursor.skipSpaces()
                relation = try cursor.readName(what: "relation name")
            case "@attribute":
                let attribute = try parseAttribute(&cursor)
                if let first = declaredOnLine.updateValue(line, forKey: attribute.name) {
                    throw DatasetError.arff(file: file, line: line,
                                            reason: "attribute '\(attribute.name)' is declared twice (lines \(first) and \(line)); "
                                                + "ARFF attribute names must be unique: rename or remove one of them")
                }
                attributes.append(attribute)
            case "@data":
                guard !attributes.isEmpty else {
                    throw DatasetError.arff(file: file, line: line, reason: "@data comes before any @attribute; the header declares no attributes")
                }
                return Result(relation: relation ?? "", attributes: attributes, dataOffset: position, dataLine: line)
            default:
                throw DatasetError.arff(file: file, line: line, reason: "unknown keyword '\(keyword)'; expected @relation, @attribute or @data")
            }
        }
        throw DatasetError.arff(file: file, line: line, reason: "no @data line; the file is truncated or not ARFF")
    }

    /// Throws unless the header line starting at `start` is blank, a `%` comment or an `@` line,
    /// judged by its first non-blank byte before its end is searched for: the first line of a
    /// zero-filled or other binary file may run for gigabytes without a line end.
    private func checkLineStart(_ start: Int, line: Int) throws {
        var position = start
        while position < bytes.count, ArffBytes.isSpace(bytes[position]) { position += 1 }
        guard position < bytes.count else { return }
        switch bytes[position] {
        case UInt8(ascii: "@"), UInt8(ascii: "%"), 0x0A:
            return
        case 0:
            throw DatasetError.arff(file: file, line: line, reason: "a zero byte where the header should be: the file holds binary data, "
                                        + "not ARFF text (a blank or zero-filled download?)")
        default:
            throw DatasetError.arff(file: file, line: line, reason: "expected @relation, @attribute or @data before the data section")
        }
    }

    private func parseAttribute(_ cursor: inout ArffCursor) throws -> ArffAttribute {
        cursor.skipSpaces()
        let name = try cursor.readName(what: "attribute name")
        cursor.skipSpaces()
        if cursor.atEnd {
            throw DatasetError.arff(file: file, line: cursor.line, reason: "attribute '\(name)' has no type; expected numeric, integer, real or {values}")
        }
        if cursor.peek == UInt8(ascii: "{") {
            cursor.advance()
            var values: [String] = []
            while true {
                cursor.skipSpaces()
                if cursor.atEnd {
                    throw DatasetError.arff(file: file, line: cursor.line, reason: "nominal attribute '\(name)' lacks its closing '}'")
                }
                if cursor.peek == UInt8(ascii: "}") { cursor.advance(); break }
                values.append(try cursor.readNominalValue(what: "value of attribute '\(name)'"))
                cursor.skipSpaces()
                if !cursor.atEnd && cursor.peek == UInt8(ascii: ",") { cursor.advance() }
            }
            guard !values.isEmpty else {
                throw DatasetError.arff(file: file, line: cursor.line, reason: "nominal attribute '\(name)' declares no values")
            }
            if values.count <= 8 ? values.indices.contains(where: { i in values[(i + 1)...].contains(values[i]) }) : Set(values).count != values.count {
                throw DatasetError.arff(file: file, line: cursor.line, reason: "nominal attribute '\(name)' declares a value twice")
            }
            return ArffAttribute(name: name, kind: .nominal(values))
        }
        let type = cursor.readKeyword()
        switch type {
        case "numeric", "integer", "real":
            return ArffAttribute(name: name, kind: .numeric)
        default:
            throw DatasetError.arff(file: file, line: cursor.line,
                                    reason: "attribute '\(name)' has type '\(type)', which is not supported; use numeric, integer, real or a nominal {…} list")
        }
    }
}
