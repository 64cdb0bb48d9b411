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
        #expect(impute.standardError.contains("--impute must be 'error' or 'zero'"))
        let url = try TestSupport.runProduct("fetch", ["--dataset", "flags", "--url", "http://127.0.0.1:9/x", "--output", output.path])
        #expect(url.status == 64)
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
