import Formats
import Artifacts
import Datasets
import Foundation
import NumpyIO
import Testing
import TestSupport

@Suite struct FetchStageTests {
    /// n / d / q / cardinality for every catalog entry (published figures where they exist).
    /// Emotions: the data hold 1108 positives / 593 rows = 1.8685, published (rounded) as 1.869.
    @Test(arguments: [
        ("scene", 2407, 294, 6, 1.074), ("scene-meka", 2407, 294, 6, 1.074),
        ("yeast", 2417, 103, 14, 4.237), ("corel5k", 5000, 499, 374, 3.522),
        ("enron", 1702, 1001, 53, 3.378), ("enron-meka", 1702, 1001, 53, 3.378),
        ("emotions", 593, 72, 6, 1.869), ("music", 592, 71, 6, 1.870), ("flags", 194, 43, 7, 3.392),
    ])
    func publishedStatistics(name: String, n: Int, d: Int, q: Int, cardinality: Double) throws {
        let fetched = try Fixtures.fetch(name)
        let s = fetched.meta.statistics
        #expect(s.instances == n && s.features == d && s.labels == q)
        #expect(abs(s.cardinality - cardinality) < 0.0006, "cardinality \(s.cardinality)")
        #expect(fetched.labels.count == n * q && fetched.features.count == n * d)
        #expect(fetched.meta.featureNames.count == d && fetched.meta.labelNames.count == q)
        #expect(s.imbalanceRatio.count == q && s.imbalanceRatio.min() == 1)
        // NumPy recomputes every statistic from the .npy files (scripts/inspect_dataset.py).
        let script = TestSupport.packageRoot.appendingPathComponent("scripts/inspect_dataset.py")
        let check = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, fetched.output.path])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
    }

    @Test func outputFolderAndManifest() throws {
        let options = Fixtures.options("scene")
        try FetchStage.run(options)
        let listing = Fixtures.listing(options.output)
        #expect(listing == ["features.npy", "labels.npy", "manifest.json", "meta.json", "source", "source/scene",
                            "source/scene/scene-test.arff", "source/scene/scene-train.arff", "source/scene/scene.xml"])
        let manifest = try Manifest.read(from: options.output)
        #expect(manifest.stage == "fetch")
        #expect(manifest.inputs.first?.sha256 == "7de53934771d07bfd6303b7f3f7986db2db504f089f992f94687ceeca3b1d6bf")
        #expect(manifest.outputs == (try Manifest.hashOutputs(in: options.output)))
        let meta = try JSONDecoder().decode(DatasetMeta.self, from: Data(contentsOf: options.output.appendingPathComponent("meta.json")))
        #expect(meta.labelNames == ["Beach", "Sunset", "FallFoliage", "Field", "Mountain", "Urban"])
        #expect(meta.source.files == ["scene/scene-train.arff", "scene/scene-test.arff"])
        #expect(meta.source.labelSource == "xml:scene/scene.xml")
        // Reading the .npy with NumPy gives the same shapes and the label sums of the XML order.
        let script = """
            import numpy as np, sys
            X = np.load(sys.argv[1] + "/features.npy", mmap_mode="r"); Y = np.load(sys.argv[1] + "/labels.npy")
            print(X.dtype, X.shape, Y.dtype, Y.shape, ",".join(str(int(v)) for v in Y.sum(0)))
            """
        let result = try TestSupport.python(script, [options.output.path])
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                == "float32 (2407, 294) uint8 (2407, 6) 427,364,397,433,533,431")
    }

    @Test func sameInputSameBytes() throws {
        let first = Fixtures.options("flags")
        let second = Fixtures.options("flags")
        try FetchStage.run(first)
        try FetchStage.run(second)
        #expect(try Manifest.read(from: first.output).outputs == (try Manifest.read(from: second.output).outputs))
    }

    @Test func unknownDatasetListsTheKnownNames() throws {
        let options = Fixtures.options("corel6k")
        do {
            try FetchStage.run(options)
            Issue.record("an unknown dataset was fetched")
        } catch let error as DatasetError {
            guard case let .unknownDataset(name, _, known) = error else { Issue.record("wrong error \(error)"); return }
            #expect(name == "corel6k")
            #expect(known == ["corel5k", "scene", "scene-meka", "yeast", "enron", "enron-meka", "emotions", "music", "flags", "bibtex", "tmc2007-500", "cal500"])
            #expect(error.description.contains("corel5k, scene, scene-meka"))
        }
        #expect(!FileManager.default.fileExists(atPath: options.output.path))
    }

    @Test func checksumMismatchInTheMirror() throws {
        let options = Fixtures.options("yeast")
        var wrong = options
        wrong.parameters.sha256 = String(repeating: "0", count: 64)
        #expect(throws: DatasetError.checksumMismatch(
            file: Fixtures.mirror.appendingPathComponent("meka/Yeast.arff.bz2").path, expected: wrong.parameters.sha256!,
            actual: "98da124ba009c4ee2f8323076d6ec13442e6eaedc66314e88f289375d3ef5ab5", deleted: false)) {
            try FetchStage.run(wrong)
        }
        #expect(FileManager.default.fileExists(atPath: Fixtures.mirror.appendingPathComponent("meka/Yeast.arff.bz2").path))
        #expect(!FileManager.default.fileExists(atPath: options.output.path))
    }

    @Test func missingEverywhere() throws {
        var options = Fixtures.options("corel5k")
        options.parameters.mirror = [TestSupport.temporaryFolder("empty-mirror").path]
        #expect(throws: DatasetError.self) { try FetchStage.run(options) }
        #expect(!FileManager.default.fileExists(atPath: options.output.path))
    }

    /// Runs a failing fetch into a folder holding a previous complete result: the error names
    /// the file, and the folder is exactly as before (no new or half-written artifact).
    private func expectFailureLeavesNothing(_ options: FetchStage.Options, _ expected: String) throws {
        var previous = Fixtures.options("flags")
        previous.output = options.output
        try FetchStage.run(previous)
        let before = try Manifest.hashOutputs(in: options.output)
        let listing = Fixtures.listing(options.output)
        do {
            try FetchStage.run(options)
            Issue.record("bad input was accepted")
        } catch let error as DatasetError {
            #expect(error.description.contains(expected), "\(error)")
        }
        #expect(Fixtures.listing(options.output) == listing)
        #expect(try Manifest.hashOutputs(in: options.output) == before)
        // And into a fresh folder: nothing is created at all.
        var fresh = options
        fresh.output = TestSupport.temporaryFolder().appendingPathComponent("fresh")
        #expect(throws: DatasetError.self) { try FetchStage.run(fresh) }
        #expect(!FileManager.default.fileExists(atPath: fresh.output.path))
    }

    static let header = "@relation 'bad: -C 1'\n@attribute y {0,1}\n@attribute a numeric\n@attribute b {u,v}\n@data\n"

    @Test func wrongValueCount() throws {
        let options = try Fixtures.badDataset(["d/x.arff": Self.header + "1,2,u\n0,3\n"], data: ["d/x.arff"], xml: nil, layout: "meka")
        try expectFailureLeavesNothing(options, "bad.tar.gz/d/x.arff:7: expected 3 values (one per attribute), found 2")
    }

    @Test func sparseIndexOutOfRange() throws {
        let options = try Fixtures.badDataset(["x.arff": Self.header + "{0 1,1 2}\n{0 1,3 u}\n"], data: ["x.arff"], xml: nil, layout: "meka")
        try expectFailureLeavesNothing(options, "bad.tar.gz/x.arff:7: sparse index 3 is out of range")
    }

    @Test func unknownNominalValue() throws {
        let options = try Fixtures.badDataset(["x.arff": Self.header + "1,2,w\n"], data: ["x.arff"], xml: nil, layout: "meka")
        try expectFailureLeavesNothing(options, "bad.tar.gz/x.arff:6: unknown value 'w' for nominal attribute 'b'")
    }

    @Test func emptyData() throws {
        let options = try Fixtures.badDataset(["x.arff": Self.header + "\n% none\n"], data: ["x.arff"], xml: nil, layout: "meka")
        try expectFailureLeavesNothing(options, "bad.tar.gz/x.arff:5: @data section is empty")
    }

    @Test func mekaCountTooLarge() throws {
        let text = Self.header.replacingOccurrences(of: "-C 1", with: "-C 7") + "1,2,u\n"
        let options = try Fixtures.badDataset(["x.arff": text], data: ["x.arff"], xml: nil, layout: "meka")
        try expectFailureLeavesNothing(options, "bad.tar.gz/x.arff: relation says '-C 7' but the file declares 3 attributes")
    }

    @Test func xmlNamesAMissingLabel() throws {
        let xml = "<labels xmlns=\"http://mulan.sourceforge.net/labels\"><label name=\"y\"></label><label name=\"nope\"></label></labels>"
        let options = try Fixtures.badDataset(["x.arff": Self.header + "1,2,u\n", "x.xml": xml], data: ["x.arff"], xml: "x.xml", layout: "mulan")
        try expectFailureLeavesNothing(options, "bad.tar.gz/x.xml: names label 'nope', which is not an attribute of bad.tar.gz/x.arff")
    }

    @Test func catalogMemberMissingFromArchive() throws {
        let options = try Fixtures.badDataset(["x.arff": Self.header + "1,2,u\n"], data: ["y.arff"], xml: nil, layout: "meka")
        try expectFailureLeavesNothing(options, "bad.tar.gz: the catalog lists 'y.arff' but the archive holds only: x.arff")
    }

    @Test func missingValuePolicy() throws {
        let options = try Fixtures.badDataset(["x.arff": Self.header + "1,?,u\n0,1,v\n"], data: ["x.arff"], xml: nil, layout: "meka")
        try expectFailureLeavesNothing(options, "bad.tar.gz/x.arff:6: missing value '?' for feature 'a'")
        var imputed = options
        imputed.parameters.impute = .zero
        imputed.output = TestSupport.temporaryFolder().appendingPathComponent("imputed")
        try FetchStage.run(imputed)
        let features = try NpyFile.read(imputed.output.appendingPathComponent("features.npy"))
        #expect(features.shape == [2, 3])
        #expect(try features.values(as: Float.self) == [0, 1, 0, 1, 0, 1])
    }

    @Test func truncatedArchive() throws {
        let original = try Data(contentsOf: Fixtures.mirror.appendingPathComponent("mulan/scene.tar.gz"))
        let archive = TestSupport.temporaryFolder("bad-mirror").appendingPathComponent("bad.tar.gz")
        try original.prefix(original.count / 3).write(to: archive)
        let options = try Fixtures.catalogued(archive, data: ["scene/scene-train.arff"], xml: "scene/scene.xml", layout: "mulan")
        try expectFailureLeavesNothing(options, "bad.tar.gz: cannot unpack")
    }

    @Test func escapingEntry() throws {
        let archive = TestSupport.temporaryFolder("bad-mirror").appendingPathComponent("bad.tar.gz")
        let script = """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w:gz") as tar:
                info = tarfile.TarInfo("../evil"); info.size = 1; tar.addfile(info, io.BytesIO(b"x"))
            """
        try Fixtures.python(script, [archive.path])
        let options = try Fixtures.catalogued(archive, data: ["x.arff"], xml: nil, layout: "meka")
        try expectFailureLeavesNothing(options, "bad.tar.gz: refusing archive entry '../evil'")
    }

    @Test func unpackedSizeLimit() throws {
        var options = Fixtures.options("scene")
        options.parameters.maxUnpackedBytes = 1_000_000
        try expectFailureLeavesNothing(options, "mulan/scene.tar.gz: unpacked content exceeds the limit of 1000000 bytes")
    }

    @Test func sparseSourcesAlsoGetCSR() throws {
        let sparse = Fixtures.options("enron")
        try FetchStage.run(sparse)
        let script = """
            import numpy as np, scipy.sparse, sys
            z = np.load(sys.argv[1] + "/features-csr.npz")
            m = scipy.sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            dense = np.load(sys.argv[1] + "/features.npy")
            print(m.nnz, bool((m.toarray() == dense).all()))
            """
        let result = try TestSupport.python(script, [sparse.output.path])
        let fields = result.standardOutput.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(fields.count == 2 && (Int(fields[0]) ?? 0) > 0 && fields[1] == "True", "\(result.standardOutput) \(result.standardError)")
        #expect(try Manifest.read(from: sparse.output).outputs["features-csr.npz"] != nil)
        let dense = Fixtures.options("flags")
        try FetchStage.run(dense)
        #expect(!FileManager.default.fileExists(atPath: dense.output.appendingPathComponent("features-csr.npz").path))
    }

    @Test func compressedRowsByHand() {
        let csr = CompressedRows(dense: [0, 2, 0, 0, 0, 0, 1, 0, 3], rows: 3, columns: 3)
        #expect(csr.indptr == [0, 1, 1, 3] && csr.indices == [1, 0, 2] && csr.data == [2, 1, 3])
    }

    @Test func staleStagingOfAnInterruptedRunIsRemoved() throws {
        let options = Fixtures.options("flags")
        let stale = options.output.appendingPathComponent(".fetch-staging-interrupted")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: stale.appendingPathComponent("features.npy"))
        try FetchStage.run(options)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(try Manifest.read(from: options.output).outputs.keys.allSatisfy { !$0.contains("staging") })
    }
}
