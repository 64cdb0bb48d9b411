import Datasets
import Formats
import Foundation
import Testing
import TestSupport

/// The `fetch` executable: exit codes, `error:` messages, mirror from the environment.
@Suite struct FetchCommandLineTests {
    private let catalog = Fixtures.catalogURL.path

    @Test func fetchesFromTheMirrorInTheEnvironment() throws {
        let output = TestSupport.temporaryFolder().appendingPathComponent("flags")
        let result = try TestSupport.runProduct("fetch", ["--dataset", "flags", "--catalog", catalog, "--cache",
                                                          TestSupport.temporaryFolder().path, "--output", output.path],
                                                environment: ["MLBATCH_MIRROR": "/nonexistent:" + Fixtures.mirror.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("flags: 194 instances, 43 features, 7 labels"))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.json").path))
    }

    @Test func unknownDatasetExitsWithOne() throws {
        let output = TestSupport.temporaryFolder().appendingPathComponent("none")
        let result = try TestSupport.runProduct("fetch", ["--dataset", "nope", "--catalog", catalog, "--output", output.path],
                                                environment: ["MLBATCH_MIRROR": Fixtures.mirror.path])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: dataset 'nope' is not in"))
        #expect(result.standardError.contains("known datasets: corel5k, scene, scene-meka, yeast, enron, enron-meka, emotions, music, flags"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func badArgumentsExitWith64() throws {
        let output = TestSupport.temporaryFolder().appendingPathComponent("none")
        let impute = try TestSupport.runProduct("fetch", ["--dataset", "flags", "--impute", "mean", "--output", output.path])
        #expect(impute.status == 64)
        #expect(impute.standardError.contains("invalid --impute 'mean': expected one of error, zero"))
        let url = try TestSupport.runProduct("fetch", ["--dataset", "flags", "--url", "http://127.0.0.1:9/x", "--output", output.path])
        #expect(url.status == 64)
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// A dataset the catalog does not know, given by an explicit path + checksum + layout.
    @Test func explicitArchiveOutsideTheCatalog() throws {
        let output = TestSupport.temporaryFolder().appendingPathComponent("mine")
        let archive = Fixtures.mirror.appendingPathComponent("meka/Yeast.arff.bz2").path
        let result = try TestSupport.runProduct("fetch", [
            "--dataset", "my-yeast", "--catalog", "/nonexistent/catalog.yaml", "--cache", TestSupport.temporaryFolder().path,
            "--url", archive, "--sha256", "98da124ba009c4ee2f8323076d6ec13442e6eaedc66314e88f289375d3ef5ab5",
            "--layout", "meka", "--data", "Yeast.arff", "--output", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("my-yeast: 2417 instances, 103 features, 14 labels, cardinality 4.237"))
        let incomplete = try TestSupport.runProduct("fetch", ["--dataset", "x", "--url", archive, "--sha256", String(repeating: "a", count: 64),
                                                              "--layout", "mulan", "--data", "Yeast.arff", "--output", output.path])
        #expect(incomplete.status == 64 && incomplete.standardError.contains("--xml"))
    }

    /// A label positive on every row is a warning, on stderr (the stage log) and in meta.json.
    @Test func labelPositiveOnEveryRowIsAWarning() throws {
        let arff = "@relation r\n@attribute a numeric\n@attribute L1 {0,1}\n@attribute L2 {0,1}\n@data\n1,1,0\n2,1,1\n3,1,0\n"
        let options = try Fixtures.badDataset(["x.arff": arff, "x.xml": "<labels><label name='L1'/><label name='L2'/></labels>"],
                                              data: ["x.arff"], xml: "x.xml", layout: "mulan")
        let output = TestSupport.temporaryFolder().appendingPathComponent("bad")
        let result = try TestSupport.runProduct("fetch", ["--dataset", "bad", "--catalog", options.parameters.catalog, "--mirror",
                                                          options.parameters.mirror[0], "--cache", options.parameters.cache, "--output", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        let warning = "bad.tar.gz/x.arff: label 'L1' is positive in every one of the 3 instances"
        #expect(result.standardError.contains("warning: " + warning), "\(result.standardError)")
        let meta = try JSONDecoder().decode(DatasetMeta.self, from: Data(contentsOf: output.appendingPathComponent(DatasetFiles.meta)))
        #expect(meta.warnings.count == 1 && meta.warnings[0].hasPrefix(warning), "\(meta.warnings)")
    }

    @Test func checksumMismatchExitsWithOne() throws {
        let output = TestSupport.temporaryFolder().appendingPathComponent("yeast")
        let archive = Fixtures.mirror.appendingPathComponent("meka/Yeast.arff.bz2").path
        let result = try TestSupport.runProduct("fetch", ["--dataset", "yeast", "--catalog", catalog, "--url", archive,
                                                          "--sha256", String(repeating: "0", count: 64), "--output", output.path])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: \(archive): SHA-256 mismatch"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
