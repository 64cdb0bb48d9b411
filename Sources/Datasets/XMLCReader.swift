import Foundation

/// Reads the sparse text format of the Extreme Classification Repository (Mediamill, Bibtex,
/// Delicious, EURLex-4K, …): a header line `n d q` (instances, features, labels), then one row
/// per line, `l1,l2,… f:v f:v …`, with 0-based label and feature indices. A row without labels
/// begins with a blank (or with its first feature); a comma may be followed by blanks; blank
/// lines and lines beginning with `#` are skipped.
///
/// The header is checked against the rows: exactly n rows, every feature index below d, every
/// label index below q; a mismatch, a malformed row, an index given twice in a row or a value
/// that is not a finite float32 is an error naming the file and line. Several files (train and
/// test parts) are concatenated; their d and q must agree. Features become compressed rows
/// (explicit zeros left out, indices sorted), labels a dense 0/1 matrix; features and labels
/// are named `f0…` and `l0…`. Time O(file size + n × q); memory O(non-zero values + n × q).
enum XMLCReader {
    /// Reads `files` (URL and the name messages use), rows concatenated. `progress` hears
    /// (file, bytes read, file size) about once per MiB.
    static func read(_ files: [(url: URL, name: String)], progress: ((String, Int, Int) -> Void)? = nil) throws -> MultiLabelDataset {
        var shape: (features: Int, labels: Int, file: String)?
        var csr = CompressedRows()
        var labels: [UInt8] = []
        var rows = 0
        for (url, name) in files {
            try FileBytes.withContents(of: url, displayName: name) { bytes in
                var reader = FileReader(bytes: bytes, file: name)
                let header = try reader.header()
                if let shape, shape.features != header.features || shape.labels != header.labels {
                    throw DatasetError.content(file: name, line: header.line, reason: "the header says \(header.features) features and "
                                               + "\(header.labels) labels, but \(shape.file) has \(shape.features) and \(shape.labels); files "
                                               + "read together must describe the same features and labels")
                }
                shape = shape ?? (header.features, header.labels, name)
                rows += try reader.rows(header, into: &csr, labels: &labels) { progress?(name, $0, bytes.count) }
            }
        }
        guard let shape else { throw DatasetError.content(file: "", line: 0, reason: "no file to read; pass --data") }
        return MultiLabelDataset(featureNames: (0..<shape.features).map { "f\($0)" }, labelNames: (0..<shape.labels).map { "l\($0)" },
                                 features: .compressedRows(csr), labels: labels, count: rows, attributes: [])
    }

    /// The header of one file.
    struct Header {
        var rows: Int
        var features: Int
        var labels: Int
        var line: Int
    }

    /// Reads one file's bytes.
    private struct FileReader {
        let bytes: UnsafeBufferPointer<UInt8>
        let file: String
        var lines: LineCursor

        init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
            self.bytes = bytes
            self.file = file
            lines = LineCursor(bytes)
        }

        @inline(__always)
        static func isBlank(_ byte: UInt8) -> Bool { ArffBytes.isSpace(byte) }

        /// The next line that is neither blank nor a `#` comment.
        mutating func nextRowLine() -> LineCursor.Line? {
            while let line = lines.nextNonBlankLine(blank: Self.isBlank) {
                if bytes[line.start] != UInt8(ascii: "#") { return line }
            }
            return nil
        }

        mutating func header() throws -> Header {
            guard let line = nextRowLine() else {
                throw DatasetError.content(file: file, line: 0, reason: "the file is empty; expected a header line 'n d q' (instances, features, "
                                           + "labels), then one row per instance")
            }
            let words = String(decoding: UnsafeBufferPointer(rebasing: bytes[line.start..<line.end]), as: UTF8.self)
                .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            let numbers = words.compactMap { Int($0) }
            guard words.count == 3, numbers.count == 3, numbers.allSatisfy({ $0 >= 0 }) else {
                let hint = words.count == 2 && numbers.count == 2
                    ? " A header of two numbers ('n d') begins a file of features alone, without labels: convert the features and the labels "
                        + "into one file of this format, or save them as NumPy arrays (--format npy)"
                    : words.first?.contains(":") == true || words.first?.contains(",") == true
                        ? " The file begins with a row: add the header line 'n d q' (the repository's files have one)" : ""
                throw DatasetError.content(file: file, line: line.number, reason: "the header is '\(words.joined(separator: " ").prefix(60))'; "
                                           + "expected three non-negative integers 'n d q': instances, features, labels.\(hint)")
            }
            guard numbers[1] > 0, numbers[2] > 0 else {
                throw DatasetError.content(file: file, line: line.number, reason: "the header says \(numbers[1]) features and \(numbers[2]) "
                                           + "labels; a dataset needs at least one of each")
            }
            try DenseLimits.check(rows: numbers[0], features: numbers[1], labels: numbers[2], file: file, line: line.number)
            return Header(rows: numbers[0], features: numbers[1], labels: numbers[2], line: line.number)
        }

        /// Reads the rows into `csr` and `labels`; returns their number (the header's n).
        mutating func rows(_ header: Header, into csr: inout CompressedRows, labels: inout [UInt8], progress: (Int) -> Void) throws -> Int {
            let q = header.labels
            var row = 0
            var reported = 0
            while let line = nextRowLine() {
                if row == header.rows {
                    throw DatasetError.content(file: file, line: line.number, reason: "the header (line \(header.line)) announces \(header.rows) "
                                               + "rows, and this is one more; fix the header's first number, or remove the extra rows")
                }
                let labelBase = labels.count
                labels.append(contentsOf: repeatElement(0, count: q))
                var position = line.start
                if !Self.isBlank(bytes[position]) && !firstTokenIsFeature(from: position, end: line.end) {
                    position = try readLabels(from: position, line: line, header: header) { label in
                        guard labels[labelBase + label] == 0 else {
                            throw DatasetError.content(file: file, line: line.number, reason: "label \(label) is listed twice; list each label once")
                        }
                        labels[labelBase + label] = 1
                    }
                }
                let rowStart = csr.indices.count
                while true {
                    while position < line.end, Self.isBlank(bytes[position]) { position += 1 }
                    guard position < line.end else { break }
                    var tokenEnd = position
                    while tokenEnd < line.end, !Self.isBlank(bytes[tokenEnd]) { tokenEnd += 1 }
                    let (index, value) = try feature(bytes, position, tokenEnd, line: line, header: header)
                    csr.indices.append(Int32(index))
                    csr.data.append(value)
                    position = tokenEnd
                }
                if let twice = csr.endRow(from: rowStart) {
                    throw DatasetError.content(file: file, line: line.number, reason: "feature index \(twice) is given twice; give each "
                                               + "feature of a row once")
                }
                row += 1
                if line.end - reported >= 1 << 20 {
                    reported = line.end
                    progress(reported)
                }
            }
            if row != header.rows {
                throw DatasetError.content(file: file, line: header.line, reason: "the header announces \(header.rows) rows, but the file holds "
                                           + "\(row); fix the header's first number, or restore the missing rows")
            }
            progress(bytes.count)
            return row
        }

        /// Whether the row's first token is `index:value` (a row without labels that lacks the
        /// leading blank).
        private func firstTokenIsFeature(from start: Int, end: Int) -> Bool {
            var position = start
            while position < end, !Self.isBlank(bytes[position]), bytes[position] != UInt8(ascii: ",") {
                if bytes[position] == UInt8(ascii: ":") { return true }
                position += 1
            }
            return false
        }

        /// Reads the comma-separated label list at `start`, calling `add` for each label; returns
        /// the position after it.
        private func readLabels(from start: Int, line: LineCursor.Line, header: Header, add: (Int) throws -> Void) throws -> Int {
            var position = start
            while true {
                let (label, after) = number(from: position, end: line.end)
                guard after > position, after == line.end || Self.isBlank(bytes[after]) || bytes[after] == UInt8(ascii: ",") else {
                    var tokenEnd = start
                    while tokenEnd < line.end, !Self.isBlank(bytes[tokenEnd]) { tokenEnd += 1 }
                    throw DatasetError.content(file: file, line: line.number, reason: "the label list '\(NumberText.text(UnsafeBufferPointer(rebasing: bytes[start..<tokenEnd])))' "
                                               + "is not comma-separated label indices (0-based integers); a row without labels begins with a blank")
                }
                position = after
                try checkRange(label, of: header.labels, "label", header: header, line: line)
                try add(label)
                guard position < line.end, bytes[position] == UInt8(ascii: ",") else { return position }
                position += 1
                while position < line.end, Self.isBlank(bytes[position]) { position += 1 }
            }
        }

        /// The decimal digits from `start` as a number (at most 13 digits are read) and the position after them.
        private func number(from start: Int, end: Int) -> (Int, Int) {
            var position = start
            var value = 0
            while position < end, bytes[position] &- 48 < 10, value < 1 << 40 {
                value = value * 10 + Int(bytes[position] &- 48)
                position += 1
            }
            return (value, position)
        }

        /// Refuses a label or feature index (`what`) that is not below the header's count.
        private func checkRange(_ index: Int, of count: Int, _ what: String, header: Header, line: LineCursor.Line) throws {
            guard index >= count else { return }
            throw DatasetError.content(file: file, line: line.number, reason: "\(what) index \(index) is not below the \(count) \(what)s the header "
                                       + "(line \(header.line)) announces; indices count from 0 (a file counting from 1 has index \(count)): fix the "
                                       + "header's \(what == "feature" ? "second" : "third") number or the index")
        }

        /// One `index:value` token.
        private func feature(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, line: LineCursor.Line,
                             header: Header) throws -> (Int, Float) {
            let (index, colon) = number(from: start, end: end)
            guard colon < end, colon > start, bytes[colon] == UInt8(ascii: ":") else {
                throw DatasetError.content(file: file, line: line.number, reason: "'\(NumberText.text(UnsafeBufferPointer(rebasing: bytes[start..<end])))' "
                                           + "is not a feature 'index:value' with a 0-based integer index")
            }
            try checkRange(index, of: header.features, "feature", header: header, line: line)
            let valueToken = UnsafeBufferPointer(rebasing: bytes[(colon + 1)..<end])
            guard let value = NumberText.feature(valueToken) else {
                throw DatasetError.content(file: file, line: line.number, reason: "the value of feature \(index) \(NumberText.problem(valueToken)); "
                                           + "every feature value must be a finite number")
            }
            return (index, value)
        }
    }
}
