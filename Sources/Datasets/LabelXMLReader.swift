/// A strict reader for Mulan label XML (`<labels><label name="…">…</labels>`).
///
/// It checks that the whole document is well-formed XML 1.0 — one root element, every element
/// closed in order, quoted attribute values, no attribute twice, only the five predefined entities
/// and character references, UTF-8 text without NUL bytes — and collects the `name` attribute of
/// every `label` element (any nesting depth, any namespace prefix) in document order. Anything
/// else fails with the line and what the reader expected there, so a truncated or hand-edited XML
/// can never silently name fewer labels. Time O(file size).
struct LabelXMLReader {
    /// A `label` element: its `name` and the line it starts on.
    struct Label: Equatable {
        var name: String
        var line: Int
    }

    private let bytes: [UInt8]
    private let file: String
    private var position = 0
    private var line = 1

    init(_ bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Reads the document; throws `DatasetError.xml` naming the line of the first problem.
    mutating func labels() throws -> [Label] {
        if let zero = bytes.firstIndex(of: 0) {
            line = 1 + bytes[..<zero].lazy.filter { $0 == 0x0A }.count
            throw failure("a NUL byte: this is binary data, not XML text")
        }
        if let bad = bytes.withUnsafeBufferPointer({ ArffBytes.firstInvalidUTF8($0, 0, $0.count) }) {
            line = 1 + bytes[..<bad].lazy.filter { $0 == 0x0A }.count
            throw failure(ArffBytes.notUTF8(bytes[bad]))
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        if lookingAt("<?xml") && position + 5 < bytes.count && isSpace(bytes[position + 5]) {
            try skipPast("?>", what: "the XML declaration")
        }
        try skipMisc(allowDoctype: true)
        guard position < bytes.count else { throw failure("the document has no root element (expected <labels>)") }
        guard lookingAt("<"), !lookingAt("</") else { throw failure("expected the root element <labels>, found \(found())") }
        var labels: [Label] = []
        try element(into: &labels)
        try skipMisc(allowDoctype: false)
        if position < bytes.count {
            throw failure("content after the end of the root element: \(found()); a document has exactly one root element")
        }
        return labels
    }

    // MARK: - Elements

    /// One element starting at `<`, its content and its end tag.
    private mutating func element(into labels: inout [Label]) throws {
        var open: [(name: String, line: Int)] = []
        repeat {
            if lookingAt("</") {
                let startLine = line
                position += 2
                let name = try readName(what: "the end-tag name")
                skipSpaces()
                try expect(">", what: "'>' to close </\(name)")
                guard let (expected, openedOn) = open.popLast() else {
                    throw failure("end tag </\(name)> without a matching start tag")
                }
                guard expected == name else {
                    line = startLine
                    throw failure("end tag </\(name)> does not match <\(expected)> opened on line \(openedOn)")
                }
            } else if lookingAt("<!--") {
                try comment()
            } else if lookingAt("<![CDATA[") {
                try skipPast("]]>", what: "the CDATA section")
            } else if lookingAt("<?") {
                try skipPast("?>", what: "the processing instruction")
            } else if lookingAt("<!") {
                throw failure("unexpected declaration \(found()) inside an element")
            } else if lookingAt("<") {
                let startLine = line
                position += 1
                let name = try readName(what: "the element name")
                let attributes = try readAttributes(of: name)
                let localName = name.split(separator: ":").last.map(String.init) ?? name
                if localName == "label" {
                    guard let value = attributes["name"] else {
                        line = startLine
                        throw failure("<\(name)> has no name attribute; every label needs name=\"…\"")
                    }
                    labels.append(Label(name: value, line: startLine))
                }
                if lookingAt("/>") {
                    position += 2
                } else {
                    try expect(">", what: "'>' or '/>' to end <\(name)")
                    open.append((name, startLine))
                }
            } else {
                try text()
            }
            if position >= bytes.count, let (name, openedOn) = open.last {
                throw failure("the file ends inside <\(name)> opened on line \(openedOn); the element is never closed (truncated file?)")
            }
        } while !open.isEmpty
    }

    /// `name="value"` pairs up to `>` or `/>`, entities decoded; a repeated name is an error.
    private mutating func readAttributes(of element: String) throws -> [String: String] {
        var attributes: [String: String] = [:]
        while true {
            let hadSpace = skipSpaces()
            guard position < bytes.count else { throw failure("the file ends inside the start tag <\(element)>") }
            if lookingAt(">") || lookingAt("/>") { return attributes }
            guard hadSpace else { throw failure("expected a blank, '>' or '/>' in <\(element)>, found \(found())") }
            let name = try readName(what: "an attribute name in <\(element)>")
            skipSpaces()
            try expect("=", what: "'=' after the attribute \(name)")
            skipSpaces()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") else {
                throw failure("the value of \(name) in <\(element)> must be quoted, found \(found())")
            }
            let quote = bytes[position]
            position += 1
            var value: [UInt8] = []
            while true {
                guard position < bytes.count else { throw failure("the file ends inside the quoted value of \(name)") }
                let byte = bytes[position]
                if byte == quote { position += 1; break }
                if byte == UInt8(ascii: "<") { throw failure("'<' inside the value of \(name); write &lt;") }
                if byte == UInt8(ascii: "&") {
                    value.append(contentsOf: try reference())
                } else {
                    if byte == 0x0A { line += 1 }
                    value.append(byte)
                    position += 1
                }
            }
            if attributes.updateValue(String(decoding: value, as: UTF8.self), forKey: name) != nil {
                throw failure("attribute \(name) appears twice in <\(element)>")
            }
        }
    }

    /// Character data up to the next `<`: references must be valid, `]]>` is not allowed.
    private mutating func text() throws {
        while position < bytes.count, bytes[position] != UInt8(ascii: "<") {
            if bytes[position] == UInt8(ascii: "&") {
                _ = try reference()
            } else {
                if bytes[position] == UInt8(ascii: "]"), lookingAt("]]>") { throw failure("']]>' outside a CDATA section") }
                if bytes[position] == 0x0A { line += 1 }
                position += 1
            }
        }
    }

    /// `&name;` or `&#N;` / `&#xH;` starting at `&`; returns the UTF-8 bytes it stands for.
    private mutating func reference() throws -> [UInt8] {
        let start = position
        position += 1
        while position < bytes.count, position - start < 12, bytes[position] != UInt8(ascii: ";") { position += 1 }
        guard position < bytes.count, bytes[position] == UInt8(ascii: ";") else {
            position = start
            throw failure("'&' that starts no entity reference; write &amp; for a literal '&'")
        }
        let body = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
        position += 1
        switch body {
        case "lt": return Array("<".utf8)
        case "gt": return Array(">".utf8)
        case "amp": return Array("&".utf8)
        case "quot": return Array("\"".utf8)
        case "apos": return Array("'".utf8)
        default:
            let number = body.hasPrefix("#x") ? UInt32(body.dropFirst(2), radix: 16)
                : body.hasPrefix("#") ? UInt32(body.dropFirst(), radix: 10) : nil
            guard let number, number != 0, let scalar = Unicode.Scalar(number) else {
                throw failure("unknown entity &\(body);; only &lt; &gt; &amp; &quot; &apos; and character references are defined")
            }
            return Array(String(Character(scalar)).utf8)
        }
    }

    // MARK: - Prolog, comments, names

    /// Blanks, comments and processing instructions (and one DOCTYPE when allowed).
    private mutating func skipMisc(allowDoctype: Bool) throws {
        var doctypeAllowed = allowDoctype
        while true {
            skipSpaces()
            if lookingAt("<!--") {
                try comment()
            } else if lookingAt("<?") {
                try skipPast("?>", what: "the processing instruction")
            } else if doctypeAllowed && lookingAt("<!DOCTYPE") {
                doctypeAllowed = false
                try doctype()
            } else {
                return
            }
        }
    }

    private mutating func comment() throws {
        let startLine = line
        position += 4
        while position < bytes.count, !lookingAt("--") {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        guard lookingAt("-->") else {
            if position >= bytes.count { line = startLine; throw failure("the comment is never closed with -->") }
            throw failure("'--' inside a comment")
        }
        position += 3
    }

    /// `<!DOCTYPE …>` with an optional internal subset in brackets.
    private mutating func doctype() throws {
        let startLine = line
        var depth = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x0A { line += 1 }
            position += 1
            if byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "]") { depth -= 1 }
            if byte == UInt8(ascii: ">") && depth <= 0 { return }
        }
        line = startLine
        throw failure("the DOCTYPE declaration is never closed")
    }

    /// Moves past the next `terminator`, counting lines.
    private mutating func skipPast(_ terminator: StaticString, what: String) throws {
        let startLine = line
        while position < bytes.count {
            if lookingAt(terminator) { position += terminator.utf8CodeUnitCount; return }
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        line = startLine
        throw failure("\(what) is never closed with \(terminator)")
    }

    private mutating func readName(what: String) throws -> String {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            let isStart = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ":") || byte >= 0x80
            let isLater = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isStart || (position > start && isLater) else { break }
            position += 1
        }
        guard position > start else { throw failure("expected \(what), found \(found())") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = position
        while position < bytes.count, isSpace(bytes[position]) {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        return position > start
    }

    private mutating func expect(_ token: StaticString, what: String) throws {
        guard lookingAt(token) else { throw failure("expected \(what), found \(found())") }
        position += token.utf8CodeUnitCount
    }

    private func lookingAt(_ token: StaticString) -> Bool {
        let count = token.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let start = token.utf8Start
        for offset in 0..<count where bytes[position + offset] != start[offset] { return false }
        return true
    }

    private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// The text at the current position, for messages: a short quoted excerpt or "the end of the file".
    private func found() -> String {
        guard position < bytes.count else { return "the end of the file" }
        let end = min(bytes.count, position + 20)
        let excerpt = String(decoding: bytes[position..<end], as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return "'\(excerpt)'"
    }

    private func failure(_ reason: String) -> DatasetError {
        .xml(file: file, line: line, reason: reason)
    }
}
