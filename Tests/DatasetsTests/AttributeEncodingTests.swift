import Formats
import Datasets
import Foundation
import NumpyIO
import Testing
import TestSupport

/// Issue 12, items 13 and 14: what each attribute became, identifier-like attributes, and sparse
/// files encoded without ever forming the dense matrix.
@Suite struct AttributeEncodingTests {
    /// A MEKA-layout file (labels last) with an identifier-like `protein` attribute: 12 rows, 12 IDs.
    static func proteinFile(rows: Int = 12) -> String {
        let ids = (0..<rows).map { "P\($0)" }
        var text = "@relation 'proteins: -C -2'\n@attribute protein {\(ids.joined(separator: ","))}\n"
            + "@attribute mass numeric\n@attribute kind {a,b,c}\n@attribute y1 {0,1}\n@attribute y2 {0,1}\n@data\n"
        for row in 0..<rows { text += "P\(row),\(row).5,\(["a", "b", "c"][row % 3]),\(row % 2),\((row + 1) % 2)\n" }
        return text
    }

    @Test func identifierAttributeIsFound() throws {
        let table = try Fixtures.parse(Self.proteinFile(), file: "p.arff")
        let found = IdentifierAttribute.find(in: table, labels: [3, 4])
        #expect(found == [IdentifierAttribute(index: 0, name: "protein", distinctValues: 12, rowsWithValue: 12, columns: 12)])
        // Nine rows are too few to tell; a value shared by many rows is no identifier.
        #expect(IdentifierAttribute.find(in: try Fixtures.parse(Self.proteinFile(rows: 9)), labels: [3, 4]).isEmpty)
        let shared = Self.proteinFile().replacingOccurrences(of: "\nP3,", with: "\nP0,").replacingOccurrences(of: "\nP4,", with: "\nP0,")
        #expect(IdentifierAttribute.find(in: try Fixtures.parse(shared), labels: [3, 4]).isEmpty)
        // The same data in sparse rows gives the same answer (omitted values are the first value, P0).
        var sparse = "@relation s\n@attribute protein {\((0..<12).map { "P\($0)" }.joined(separator: ","))}\n@attribute y {0,1}\n@data\n{1 1}\n"
        for row in 1..<12 { sparse += "{0 P\(row)}\n" }
        #expect(IdentifierAttribute.find(in: try Fixtures.parse(sparse), labels: [1]).map(\.distinctValues) == [12])
    }

    /// Catalog data with a text-like nominal attribute to warn about: the fetch warns, records what
    /// every attribute became, and drops identifiers or named attributes on request.
    @Test func fetchWarnsRecordsAndDrops() throws {
        let options = try Fixtures.badDataset(["p.arff": Self.proteinFile()], data: ["p.arff"], xml: nil, layout: "meka")
        let meta = try FetchStage.run(options)
        #expect(meta.warnings == [IdentifierAttribute(index: 0, name: "protein", distinctValues: 12, rowsWithValue: 12, columns: 12)
            .warning(file: "bad.tar.gz/p.arff")])
        #expect(meta.warnings.first?.contains("--drop-attribute 'protein'") == true)
        #expect(meta.statistics.features == 12 + 1 + 3)
        #expect(meta.attributes == [
            AttributeEncoding(name: "protein", role: .feature, encoding: .oneHot, columns: Array(0..<12)),
            AttributeEncoding(name: "mass", role: .feature, encoding: .numeric, columns: [12]),
            AttributeEncoding(name: "kind", role: .feature, encoding: .oneHot, columns: [13, 14, 15]),
            AttributeEncoding(name: "y1", role: .label, encoding: .binary, columns: [0]),
            AttributeEncoding(name: "y2", role: .label, encoding: .binary, columns: [1]),
        ])
        let written = try JSONDecoder().decode(DatasetMeta.self, from: Data(contentsOf: options.output.appendingPathComponent("meta.json")))
        #expect(written.attributes == meta.attributes && written.warnings == meta.warnings)

        var dropping = options
        dropping.output = TestSupport.temporaryFolder().appendingPathComponent("dropped")
        dropping.parameters.dropIdentifiers = true
        let dropped = try FetchStage.run(dropping)
        #expect(dropped.warnings.isEmpty && dropped.featureNames == ["mass", "kind=a", "kind=b", "kind=c"])
        #expect(dropped.attributes[0] == AttributeEncoding(name: "protein", role: .dropped, encoding: .oneHot, columns: []))
        #expect(dropped.attributes[1].columns == [0])
        let features = try NpyFile.read(dropping.output.appendingPathComponent("features.npy"))
        #expect(features.shape == [12, 4])

        var byName = options
        byName.output = TestSupport.temporaryFolder().appendingPathComponent("by-name")
        byName.parameters.dropAttribute = ["protein", "mass"]
        #expect(try FetchStage.run(byName).featureNames == ["kind=a", "kind=b", "kind=c"])
        byName.parameters.dropAttribute = ["y1"]
        #expect(throws: DatasetError.labels(file: "bad.tar.gz/p.arff", reason: "cannot drop attribute 'y1': it is a label; only features can be dropped")) {
            try FetchStage.run(byName)
        }
        byName.parameters.dropAttribute = ["nope"]
        #expect(throws: DatasetError.self) { try FetchStage.run(byName) }
    }

    /// Sparse and dense spellings of the same rows encode to the same matrix, including
    /// omitted values whose first declared value is not 0 ({1,0} binary, one-hot, {1,0} labels).
    @Test func sparseEncodingMatchesDense() throws {
        let header = "@relation 'r: -C -2'\n@attribute n numeric\n@attribute f {1,0}\n@attribute c {x,y,z}\n@attribute m numeric\n"
            + "@attribute y1 {1,0}\n@attribute y2 {0,1}\n@data\n"
        let dense = header + "0,1,x,0,1,0\n2.5,0,z,?,0,1\n0,1,y,-1,1,1\n0,1,x,0,1,0\n"
        let sparse = header + "{}\n{0 2.5,1 0,2 z,3 ?,4 0,5 1}\n{2 y,3 -1,5 1}\n{0 0}\n"
        let a = try Fixtures.parse(dense)
        let b = try Fixtures.parse(sparse)
        let labels = [4, 5]
        let x = try MultiLabelDataset.encode(a, labelAttributes: labels, impute: .zero)
        let y = try MultiLabelDataset.encode(b, labelAttributes: labels, impute: .zero)
        guard case let .compressedRows(csr) = y.features else { Issue.record("sparse rows gave dense features"); return }
        #expect(csr.indices.count == csr.data.count && !csr.data.contains(0))
        #expect(y.features.denseValues(columns: 6) == x.features.denseValues(columns: 6))
        #expect(x.features.denseValues(columns: 6) == [0, 1, 1, 0, 0, 0,  2.5, 0, 0, 0, 1, 0,  0, 1, 0, 1, 0, -1,  0, 1, 1, 0, 0, 0])
        #expect(y.labels == x.labels && x.labels == [1, 0, 0, 1, 1, 1, 1, 0])
        #expect(y.attributes == x.attributes)
        // A missing feature in a sparse row is an error by default, naming its line.
        #expect(throws: DatasetError.arff(file: "test.arff", line: 10,
                                          reason: "missing value '?' for feature 'm'; rerun with --impute zero to replace missing features by 0")) {
            try MultiLabelDataset.encode(b, labelAttributes: labels, impute: .error)
        }
    }

    /// A sparse source's `features.npy` is written from compressed rows and equals the CSR copy.
    @Test func sparseSourceWritesBothForms() throws {
        let fetched = try Fixtures.fetch("corel5k")
        let z = try NpzFile.read(fetched.output.appendingPathComponent(DatasetFiles.compressedFeatures))
        let csr = CompressedRows(indptr: try z["indptr"]!.values(as: Int64.self), indices: try z["indices"]!.values(as: Int32.self),
                                 data: try z["data"]!.values(as: Float.self))
        #expect(csr.denseValues(columns: fetched.d) == fetched.features)
        #expect(fetched.meta.attributes.filter { $0.role == .label }.map(\.columns) == (0..<374).map { [$0] })
    }
}

/// Issue 12, item 15: progress on a terminal, nothing in a log.
@Suite struct ProgressTests {
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ text: String) { lock.lock(); items.append(text); lock.unlock() }
        var written: [String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    @Test func terminalLineRedrawsOnlyWhenItChanges() {
        let recorder = Recorder()
        let display = TerminalProgress(isTerminal: true) { recorder.append($0) }
        for done in [0, 100, 101, 200, 2_000] {
            display.update(FetchProgress(step: .unpack, subject: "a.zip", done: Int64(done), total: 2_000))
        }
        display.update(FetchProgress(step: .download, subject: "https://h/a.zip", done: 1_500_000, total: nil))
        display.finish()
        #expect(recorder.written == ["\r\u{1B}[Kunpacking a.zip: 0% (0.0 of 0.0 MB)", "\r\u{1B}[Kunpacking a.zip: 5% (0.0 of 0.0 MB)",
                                     "\r\u{1B}[Kunpacking a.zip: 10% (0.0 of 0.0 MB)", "\r\u{1B}[Kunpacking a.zip: 100% (0.0 of 0.0 MB)",
                                     "\r\u{1B}[Kdownloading https://h/a.zip: 1.5 MB", "\r\u{1B}[K"])
    }

    @Test func nothingWhenNotATerminal() {
        let recorder = Recorder()
        let display = TerminalProgress(isTerminal: false) { recorder.append($0) }
        display.update(FetchProgress(step: .parse, subject: "x.arff", done: 1, total: 2))
        display.finish()
        #expect(recorder.written.isEmpty)
    }

    /// The stage reports unpacking, parsing and writing, each reaching its total.
    @Test func fetchReportsEachStep() throws {
        final class Steps: @unchecked Sendable {
            let lock = NSLock()
            var last: [FetchProgress.Step: FetchProgress] = [:]
        }
        let steps = Steps()
        try FetchStage.run(Fixtures.options("enron")) { progress in
            steps.lock.lock()
            steps.last[progress.step] = progress
            steps.lock.unlock()
        }
        let unpack = try #require(steps.last[.unpack])
        let parse = try #require(steps.last[.parse])
        let write = try #require(steps.last[.write])
        #expect(unpack.subject == "mulan/enron.tar.bz2" && unpack.done == unpack.total)
        #expect(parse.subject == "mulan/enron.tar.bz2/enron/enron.arff" && parse.done == parse.total)
        #expect(write.subject == "features.npy" && write.done == 1702 * 1001 * 4 && write.total == write.done)
    }
}
