import Formats
import Foundation

/// Reads CSV or TSV files whose first row names the columns: the label columns become labels,
/// every other column that is not dropped a feature (in header order), each cell a number.
///
/// Cells are separated by one delimiter byte. A cell may be quoted with `"` (a doubled `""`
/// inside is one quote; a delimiter inside is text); blanks around cells, blank lines, CRLF line
/// ends and a UTF-8 byte-order mark are accepted; a quoted cell cannot span lines. Refused, with
/// the file, line and column: duplicate or empty column names, a row with more or fewer cells
/// than the header, a feature cell that is not a finite float32 number, a label cell that is not
/// 0 or 1. Several files are concatenated; their headers must be the same. Time O(file size);
/// memory O(rows × columns) floats.
struct DelimitedTable {
    /// How the label columns are chosen.
    enum LabelColumns: Sendable {
        /// By header name, in this order (the order of `labels.npy`).
        case named([String])
        /// Every column whose name starts with this, in header order.
        case prefix(String)

        /// ``DatasetMeta/Source/labelSource``: `columns:a,b` or `prefix:p`.
        var labelSource: String {
            switch self {
            case let .named(names): return "columns:" + names.joined(separator: ",")
            case let .prefix(prefix): return "prefix:" + prefix
            }
        }
    }

    /// What a column becomes.
    private enum Role {
        case feature(Int)
        case label(Int)
        case dropped
    }

    let delimiter: UInt8
    let labelColumns: LabelColumns
    let dropColumns: [String]

    /// Reads `files` (URL and the name messages use), rows concatenated. `progress` hears
    /// (bytes read, file size) about once per MiB of each file.
    func read(_ files: [(url: URL, name: String)], progress: ((String, Int, Int) -> Void)? = nil) throws -> MultiLabelDataset {
        var plan: (header: [String], roles: [Role], dataset: MultiLabelDataset)?
        var features: [Float] = []
        var labels: [UInt8] = []
        var rows = 0
        for (url, name) in files {
            try FileBytes.withContents(of: url, displayName: name) { bytes in
                var cursor = LineCursor(bytes)
                guard let headerLine = cursor.nextNonBlankLine(blank: isBlank) else {
                    throw DatasetError.content(file: name, line: 0, reason: "the file is empty; expected a header row naming the columns, then one row per instance")
                }
                let header = try headerNames(bytes, headerLine, file: name)
                if let (first, _, _) = plan {
                    if header != first { throw headerMismatch(header, first, file: name, line: headerLine.number, firstFile: files[0].name) }
                } else {
                    plan = try columnPlan(header, file: name, line: headerLine.number)
                }
                let (_, roles, template) = plan!
                rows += try readRows(bytes, cursor: &cursor, header: header, roles: roles, featureCount: template.featureCount,
                                     labelCount: template.labelCount, file: name, features: &features, labels: &labels) { done in
                    progress?(name, done, bytes.count)
                }
            }
        }
        guard var dataset = plan?.dataset else {
            throw DatasetError.content(file: files.first?.name ?? "", line: 0, reason: "no file to read; pass --data")
        }
        if rows == 0 {
            throw DatasetError.content(file: files[0].name, line: 0, reason: "the file holds a header but no rows; expected one row per instance after it")
        }
        dataset = MultiLabelDataset(featureNames: dataset.featureNames, labelNames: dataset.labelNames, features: .dense(features),
                                    labels: labels, count: rows, attributes: dataset.attributes)
        return dataset
    }

    /// Blanks around cells: spaces, carriage returns, and tabs unless they separate the cells.
    @inline(__always)
    private func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0D || (byte == 0x09 && delimiter != 0x09)
    }

    /// The column names of the header line; refuses empty and duplicate names and a one-column
    /// header whose cells look separated by another character.
    private func headerNames(_ bytes: UnsafeBufferPointer<UInt8>, _ line: LineCursor.Line, file: String) throws -> [String] {
        var names: [String] = []
        var scratch: [UInt8] = []
        _ = try forEachCell(bytes, line, file: file, scratch: &scratch) { _, token in names.append(String(decoding: token, as: UTF8.self)) }
        if names.count == 1, let other = [",", "\t", ";", "|"].first(where: { names[0].contains($0) }) {
            let fix = other == "\t" ? "--format tsv" : other == "," && delimiter == 0x09 ? "--format csv" : "--delimiter '\(other)'"
            throw DatasetError.content(file: file, line: line.number, reason: "the header row is one column, '\(names[0].prefix(60))', when "
                                       + "cells are separated by \(delimiter == 0x09 ? "tabs" : "'\(Character(Unicode.Scalar(delimiter)))'"); its "
                                       + "names look separated by \(other == "\t" ? "tabs" : "'\(other)'") instead: pass \(fix)")
        }
        if let empty = names.firstIndex(where: { $0.isEmpty }) {
            throw DatasetError.content(file: file, line: line.number, reason: "column \(empty + 1) of the header has no name; name every column "
                                       + "(an unnamed first column is often a pandas index: save with to_csv(..., index=False))")
        }
        var seen: [String: Int] = [:]
        for (column, name) in names.enumerated() {
            if let earlier = seen.updateValue(column, forKey: name) {
                throw DatasetError.content(file: file, line: line.number, reason: "columns \(earlier + 1) and \(column + 1) are both named '\(name)'; "
                                           + "a column name must say which column it is: rename one of them")
            }
        }
        return names
    }

    /// Which columns are labels (in label order), dropped, or features (in header order), and an
    /// empty dataset holding the names and attribute encodings.
    private func columnPlan(_ header: [String], file: String, line: Int) throws -> ([String], [Role], MultiLabelDataset) {
        let shown = header.prefix(20).map { "'\($0)'" }.joined(separator: ", ") + (header.count > 20 ? ", …" : "")
        let labelPositions: [Int]
        switch labelColumns {
        case let .named(names):
            labelPositions = try names.map { name in
                guard let position = header.firstIndex(of: name) else {
                    throw DatasetError.content(file: file, line: line, reason: "--labels names the column '\(name)', which the header does not "
                                               + "have; its columns are \(shown)")
                }
                return position
            }
        case let .prefix(prefix):
            labelPositions = header.indices.filter { header[$0].hasPrefix(prefix) }
            if labelPositions.isEmpty {
                throw DatasetError.content(file: file, line: line, reason: "no column name starts with --label-prefix '\(prefix)'; the columns "
                                           + "are \(shown). Pass the prefix the label columns share, or name them with --labels")
            }
        }
        let dropped = try DatasetLoader.droppedColumns(dropColumns, of: header, file: file, what: "column", labels: Set(labelPositions))
        var roles = [Role](repeating: .dropped, count: header.count)
        var attributes: [AttributeEncoding] = []
        var featureNames: [String] = []
        for (label, position) in labelPositions.enumerated() { roles[position] = .label(label) }
        for (position, name) in header.enumerated() {
            if case let .label(label) = roles[position] {
                attributes.append(AttributeEncoding(name: name, role: .label, encoding: .numeric, columns: [label]))
            } else if dropped.contains(position) {
                attributes.append(AttributeEncoding(name: name, role: .dropped, encoding: .numeric, columns: []))
            } else {
                roles[position] = .feature(featureNames.count)
                attributes.append(AttributeEncoding(name: name, role: .feature, encoding: .numeric, columns: [featureNames.count]))
                featureNames.append(name)
            }
        }
        if featureNames.isEmpty {
            throw DatasetError.content(file: file, line: line, reason: "no feature column is left (every column is a label or dropped); keep at "
                                       + "least one feature")
        }
        let empty = MultiLabelDataset(featureNames: featureNames, labelNames: labelPositions.map { header[$0] }, features: .dense([]),
                                      labels: [], count: 0, attributes: attributes)
        return (header, roles, empty)
    }

    private func headerMismatch(_ header: [String], _ first: [String], file: String, line: Int, firstFile: String) -> DatasetError {
        let column = zip(header, first).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(header.count, first.count)
        let found = column < header.count ? "'\(header[column])'" : "no column"
        let expected = column < first.count ? "'\(first[column])'" : "no column"
        return .content(file: file, line: line, reason: "the header differs from \(firstFile)'s at column \(column + 1): \(found) where "
                        + "\(firstFile) has \(expected). Files read together must have the same columns in the same order")
    }

    /// Reads the rows after the header into `features` and `labels`; returns their number.
    private func readRows(_ bytes: UnsafeBufferPointer<UInt8>, cursor: inout LineCursor, header: [String], roles: [Role], featureCount: Int,
                          labelCount: Int, file: String, features: inout [Float], labels: inout [UInt8],
                          progress: (Int) -> Void) throws -> Int {
        var rowFeatures = [Float](repeating: 0, count: featureCount)
        var rowLabels = [UInt8](repeating: 0, count: labelCount)
        var scratch: [UInt8] = []
        var rows = 0
        var reported = 0
        while let line = cursor.nextNonBlankLine(blank: isBlank) {
            let cells = try forEachCell(bytes, line, file: file, scratch: &scratch) { column, token in
                guard column < roles.count else { return }
                switch roles[column] {
                case let .feature(index):
                    guard let value = NumberText.feature(token) else {
                        throw DatasetError.content(file: file, line: line.number, reason: "feature column '\(header[column])' (column \(column + 1)) "
                                                   + "\(NumberText.problem(token)); every feature cell must be a finite number. Fix or drop the cell")
                    }
                    rowFeatures[index] = value
                case let .label(index):
                    guard let value = NumberText.label(token) else {
                        throw DatasetError.content(file: file, line: line.number, reason: "label column '\(header[column])' (column \(column + 1)) "
                                                   + "holds '\(NumberText.text(token))'; a label cell must be 0 or 1")
                    }
                    rowLabels[index] = value
                case .dropped:
                    break
                }
            }
            if cells != header.count {
                throw DatasetError.content(file: file, line: line.number, reason: "the row has \(cells) cells but the header has \(header.count) "
                                           + "columns; every row needs one cell per column")
            }
            features.append(contentsOf: rowFeatures)
            labels.append(contentsOf: rowLabels)
            rows += 1
            if line.end - reported >= 1 << 20 {
                reported = line.end
                progress(reported)
            }
        }
        progress(bytes.count)
        return rows
    }

    /// Calls `body(column, token)` for each cell of `line` (quotes removed, blanks around it
    /// trimmed) and returns the number of cells.
    private func forEachCell(_ bytes: UnsafeBufferPointer<UInt8>, _ line: LineCursor.Line, file: String, scratch: inout [UInt8],
                             _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Int {
        let quote = UInt8(ascii: "\"")
        var position = line.start
        var column = 0
        while true {
            while position < line.end, isBlank(bytes[position]) { position += 1 }
            if position < line.end, bytes[position] == quote {
                scratch.removeAll(keepingCapacity: true)
                var index = position + 1
                var closed = false
                while index < line.end {
                    if bytes[index] == quote {
                        if index + 1 < line.end, bytes[index + 1] == quote {
                            scratch.append(quote)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    scratch.append(bytes[index])
                    index += 1
                }
                guard closed else {
                    throw DatasetError.content(file: file, line: line.number, reason: "the quote that opens cell \(column + 1) is not closed on "
                                               + "this line; close it (a cell cannot span lines)")
                }
                while index < line.end, isBlank(bytes[index]) { index += 1 }
                guard index == line.end || bytes[index] == delimiter else {
                    throw DatasetError.content(file: file, line: line.number, reason: "cell \(column + 1) has text after its closing quote; "
                                               + "quote the whole cell, and write a quote inside it as \"\"")
                }
                try scratch.withUnsafeBufferPointer { try body(column, $0) }
                position = index
            } else {
                var index = position
                while index < line.end, bytes[index] != delimiter { index += 1 }
                var tokenEnd = index
                while tokenEnd > position, isBlank(bytes[tokenEnd - 1]) { tokenEnd -= 1 }
                try body(column, UnsafeBufferPointer(rebasing: bytes[position..<tokenEnd]))
                position = index
            }
            column += 1
            if position >= line.end { return column }
            position += 1
        }
    }
}

/// Walks the lines of a text file held in memory, numbering them from 1; a UTF-8 byte-order
/// mark at the start is skipped.
struct LineCursor {
    /// One line: its bytes are `start..<end` (the line end excluded), `number` counts from 1.
    struct Line {
        var start: Int
        var end: Int
        var number: Int
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int
    private var number = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        position = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// The next line, or nil at the end of the file.
    mutating func nextLine() -> Line? {
        guard position < bytes.count else { return nil }
        let end = ArffBytes.endOfLine(bytes, from: position)
        number += 1
        let line = Line(start: position, end: end, number: number)
        position = end + 1
        return line
    }

    /// The next line holding more than `blank` bytes, or nil at the end of the file.
    mutating func nextNonBlankLine(blank: (UInt8) -> Bool) -> Line? {
        while let line = nextLine() {
            if (line.start..<line.end).contains(where: { !blank(bytes[$0]) }) { return line }
        }
        return nil
    }
}
