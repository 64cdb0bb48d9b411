import Datasets
import Foundation
import Testing

@Suite struct ArffParserTests {
    @Test func denseRowsWithCommentsBlankLinesAndCRLF() throws {
        let text = "% a comment\r\n@RELATION 'my data'\r\n\r\n@attribute 'first feature' numeric\r\n"
            + "@attribute \"it\\'s\" REAL\r\n@attribute c {yes,no}\r\n@data\r\n% rows follow\r\n1.5, -2 ,no\r\n\r\n  3e1,4,'yes'\r\n"
        let table = try Fixtures.parse(text)
        #expect(table.relation == "my data")
        #expect(table.attributes.map(\.name) == ["first feature", "it's", "c"])
        #expect(table.attributes[2].kind == .nominal(["yes", "no"]))
        #expect(table.rowCount == 2)
        #expect(table.denseValues() == [1.5, -2, 1, 30, 4, 0])
        #expect(table.lines == [9, 11])
    }

    @Test func sparseRowsDefaultToZero() throws {
        let text = "@relation s\n@attribute a numeric\n@attribute b {0,1}\n@attribute c numeric\n@data\n{0 2.5,2 -1}\n{}\n{ 1 1 }\n"
        let table = try Fixtures.parse(text)
        #expect(table.hasSparseRows)
        #expect(table.storage == .sparse(CompressedRows(indptr: [0, 2, 2, 3], indices: [0, 2, 1], data: [2.5, -1, 1])))
        #expect(table.denseValues() == [2.5, 0, -1, 0, 0, 0, 0, 1, 0])
    }

    @Test func missingValuesAreNaN() throws {
        let table = try Fixtures.parse("@relation m\n@attribute a numeric\n@attribute b {x,y}\n@data\n?,?\n{0 ?}\n")
        let values = table.denseValues()
        #expect(values[0].isNaN && values[1].isNaN && values[2].isNaN)
        #expect(values[3] == 0)
    }

    @Test func wrongValueCountNamesTheLine() {
        let text = "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n3\n"
        #expect(throws: DatasetError.arff(file: "bad.arff", line: 6, reason: "expected 2 values (one per attribute), found 1")) {
            try Fixtures.parse(text, file: "bad.arff")
        }
        #expect(throws: DatasetError.arff(file: "bad.arff", line: 5, reason: "expected 2 values (one per attribute), found 3")) {
            try Fixtures.parse("@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2,3\n", file: "bad.arff")
        }
    }

    @Test func sparseIndexOutOfRange() {
        let text = "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n{0 1}\n{2 1}\n"
        #expect(throws: DatasetError.arff(file: "s.arff", line: 6,
                                          reason: "sparse index 2 is out of range; the header declares 2 attributes (valid indices 0…1)")) {
            try Fixtures.parse(text, file: "s.arff")
        }
    }

    @Test func unknownNominalValue() {
        let text = "@relation r\n@attribute colour {red,green}\n@attribute b numeric\n@data\nred,1\nblue,2\n"
        #expect(throws: DatasetError.arff(file: "n.arff", line: 6,
                                          reason: "unknown value 'blue' for nominal attribute 'colour'; declared values: {red,green}")) {
            try Fixtures.parse(text, file: "n.arff")
        }
    }

    @Test func nonNumericValue() {
        #expect(throws: DatasetError.arff(file: "x.arff", line: 4, reason: "value 'abc' of numeric attribute 'a' (column 1) is not a finite number")) {
            try Fixtures.parse("@relation r\n@attribute a numeric\n@data\nabc\n", file: "x.arff")
        }
    }

    @Test func emptyDataSection() {
        #expect(throws: DatasetError.arff(file: "e.arff", line: 3, reason: "@data section is empty; the file holds no instances")) {
            try Fixtures.parse("@relation r\n@attribute a numeric\n@data\n% nothing\n\n", file: "e.arff")
        }
    }

    @Test func headerErrors() {
        #expect(throws: DatasetError.self) { try Fixtures.parse("@relation r\n@attribute a string\n@data\nx\n") }
        #expect(throws: DatasetError.self) { try Fixtures.parse("@relation r\n@attribute a numeric\n1\n") }
        #expect(throws: DatasetError.self) { try Fixtures.parse("@relation r\n@attribute a {x,y\n@data\nx\n") }
        #expect(throws: DatasetError.self) { try Fixtures.parse("@relation r\n@attribute a numeric\n") }
    }

    /// Issue 12, item 2: a second `@attribute L1` used to become a feature holding label data.
    @Test func duplicateAttributeNamesNameBothLines() {
        let text = "@relation r\n@attribute L1 {0,1}\n@attribute x numeric\n\n@attribute L1 {0,1}\n@data\n1,2,0\n"
        #expect(throws: DatasetError.arff(file: "d.arff", line: 5, reason: "attribute 'L1' is declared twice (lines 2 and 5); "
                                          + "ARFF attribute names must be unique: rename or remove one of them")) {
            try Fixtures.parse(text, file: "d.arff")
        }
        // Two features of the same name as well; names differing only in case are distinct.
        #expect(throws: DatasetError.self) { try Fixtures.parse("@relation r\n@attribute 'a b' numeric\n@attribute \"a b\" numeric\n@data\n1,2\n") }
        #expect(throws: Never.self) { try Fixtures.parse("@relation r\n@attribute a numeric\n@attribute A numeric\n@data\n1,2\n") }
    }

    /// A sparse file stays compressed: entries sorted by index, explicit zeros dropped, and a
    /// dense row among sparse ones is compressed too.
    @Test func sparseFilesStayCompressed() throws {
        let text = "@relation s\n@attribute a numeric\n@attribute b numeric\n@attribute c numeric\n@data\n"
            + "{2 3, 0 1}\n{1 0, 2 6}\n0,7,0\n{1 ?}\n"
        let table = try Fixtures.parse(text)
        guard case let .sparse(rows) = table.storage else { Issue.record("dense storage"); return }
        #expect(rows.indptr == [0, 2, 3, 4, 5])
        #expect(rows.indices == [0, 2, 2, 1, 1])
        #expect(Array(rows.data.prefix(4)) == [1, 3, 6, 7] && rows.data[4].isNaN)
        #expect(table.lines == [6, 7, 8, 9])
    }

    /// A sparse row that gives one index twice is refused naming its line and the index (the
    /// last value used to win silently), for a feature and for a label, whether the file's rows
    /// are kept compressed (first row sparse) or dense (first row dense).
    @Test func repeatedSparseIndexIsRefused() throws {
        let header = "@relation r\n@attribute a numeric\n@attribute b numeric\n@attribute c numeric\n@attribute L {0,1}\n@data\n"
        for (rows, index) in [("{0 1,2 0.5,2 9}", 2), ("1,2,3,0\n{0 1,2 0.5,2 9}", 2), ("{3 1, 0 2, 3 0}", 3), ("1,2,3,0\n{3 1,3 1}", 3)] {
            let line = 7 + rows.filter { $0 == "\n" }.count
            #expect(throws: DatasetError.arff(file: "test.arff", line: line, reason: "sparse index \(index) is given twice in this row, "
                                               + "so its value is ambiguous; keep one entry per index")) { try Fixtures.parse(header + rows + "\n") }
        }
    }

    /// 1e300 and 1e39 are finite numbers beyond Float32 (they were called "not a finite number"):
    /// the message says so, with the line and the column.
    @Test func valuesBeyondFloat32AreCalledSo() {
        for value in ["1e300", "1e39", "-3.5e38", "1e400"] {
            #expect(throws: DatasetError.arff(file: "x.arff", line: 5, reason: "value '\(value)' of numeric attribute 'b' (column 2) is finite but beyond the "
                                               + "Float32 range (±3.4e38) features are stored in; rescale that column in the source, or leave it out with --drop-attribute 'b'")) {
                try Fixtures.parse("@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,\(value)\n", file: "x.arff")
            }
        }
        #expect((try? Fixtures.parse("@relation r\n@attribute a numeric\n@data\n3.4e38\n")) != nil, "the largest Float32 values are accepted")
    }

    /// Latin-1 attribute names (café and cafè) used to decode to one name with U+FFFD, "declared
    /// twice"; the file is refused as not UTF-8, at the line and column of the first such byte.
    @Test func latin1NamesAreNotUTF8() throws {
        func parse(_ bytes: [UInt8]) throws { var bytes = bytes; _ = try bytes.withUnsafeMutableBufferPointer { try ArffParser.parse(UnsafeBufferPointer($0), file: "l.arff") } }
        let header = Array("@relation r\n% caf\u{E9} in a comment is not read\n@attribute caf".utf8) + [0xE9] + Array(" numeric\n@attribute caf".utf8) + [0xE8]
            + Array(" numeric\n@attribute L {0,1}\n@data\n".utf8)
        #expect(throws: DatasetError.arff(file: "l.arff", line: 3, reason: "column 15: byte 0xE9 is not UTF-8: the file is not UTF-8 text "
                                           + "(Latin-1 or another legacy encoding?); convert it, e.g. `iconv -f latin1 -t utf-8`")) {
            try parse(header + Array("1,2,0\n".utf8))
        }
        // A Latin-1 nominal value in the data section: named as not UTF-8, not as an undeclared value.
        let data = Array("@relation r\n@attribute c {a,b}\n@attribute L {0,1}\n@data\nb,1\n".utf8) + [0x61, 0xE9] + Array(",0\n".utf8)
        let error = #expect(throws: DatasetError.self) { try parse(data) }
        #expect(error?.description.hasPrefix("l.arff:6: the value of nominal attribute 'c': byte 0xE9 is not UTF-8") == true, "\(String(describing: error))")
    }

    /// Issue 20, item 4: a zero-filled 2 GiB member of a crafted archive was paged in whole (2.1 GB
    /// resident) while the header parser searched its first line for a line end, before refusing
    /// it. It is refused at its first byte: here everything after the first page is unreadable
    /// (PROT_NONE), so a parser reading on would kill the child process the test runs in.
    @Test func zeroFilledFileIsRefusedAtItsFirstByte() async {
        await #expect(processExitsWith: .success) {
            let page = Int(sysconf(Int32(_SC_PAGESIZE))), length = 256 * page
            guard let memory = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), memory != MAP_FAILED,
                  mprotect(memory + page, length - page, PROT_NONE) == 0 else { exit(2) }
            let expected = DatasetError.arff(file: "zeros.arff", line: 1, reason: "a zero byte where the header should be: the file holds "
                                                 + "binary data, not ARFF text (a blank or zero-filled download?)")
            do {
                _ = try ArffParser.parse(UnsafeBufferPointer(start: memory.assumingMemoryBound(to: UInt8.self), count: length), file: "zeros.arff")
            } catch let error as DatasetError where error == expected {
                exit(0)
            } catch {
                print("unexpected error: \(error)")
            }
            exit(1)
        }
    }

    /// Progress is reported with the file's size, ending at 100 %.
    @Test func parseReportsProgress() throws {
        let text = "@relation r\n@attribute a numeric\n@data\n" + String(repeating: "1.5\n", count: 600_000)
        var bytes = Array(text.utf8)
        var reports: [(Int, Int)] = []
        _ = try bytes.withUnsafeMutableBufferPointer { buffer in
            try ArffParser.parse(UnsafeBufferPointer(buffer), file: "p.arff") { reports.append(($0, $1)) }
        }
        #expect(reports.count >= 2 && reports.allSatisfy { $0.1 == text.utf8.count })
        #expect(reports.last?.0 == text.utf8.count)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.0 <= $1.0 })
    }
}
