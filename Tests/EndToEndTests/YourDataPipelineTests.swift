import Formats
import Foundation
import NumpyIO
import Testing
import TestSupport

/// The first pipeline of docs/your-data.md — a CSV file of one's own through fetch → split →
/// train → analyze — run by the real `pipeline` executable on a CSV file written here (the
/// doc's checksum replaced by the file's).
@Suite struct YourDataPipelineTests {
    @Test func docPipelineRunsOnACSVFile() async throws {
        let folder = TestSupport.temporaryFolder("your-data")
        let data = folder.appendingPathComponent("data/my-data.csv")
        try FileManager.default.createDirectory(at: data.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SyntheticData.csv.write(to: data, atomically: true, encoding: .utf8)
        let hash = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", data.path]).standardOutput.prefix(64)
        let doc = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/your-data.md"), encoding: .utf8)
        let documented = try #require(doc.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let yaml = try documented.replacing(Regex(#"sha256: [0-9a-f]{64}"#), with: "sha256: \(hash)")
        try #require(yaml != documented && yaml.contains("url: ../data/my-data.csv"), "the doc's first pipeline should fetch ../data/my-data.csv")
        let pipeline = folder.appendingPathComponent("Pipelines/my-data.yaml")
        try FileManager.default.createDirectory(at: pipeline.deletingLastPathComponent(), withIntermediateDirectories: true)
        try yaml.write(to: pipeline, atomically: true, encoding: .utf8)

        let result = try await TestSupport.offCooperativePool {
            try TestSupport.runProduct("pipeline", ["run", "Pipelines/my-data.yaml", "--plain"], currentDirectory: folder)
        }
        try #require(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("7 built, 0 up to date, 0 failed, 0 not run"), "\(result.standardOutput)")
        let fetched = folder.appendingPathComponent("Artifacts/my-data/fetch/default")
        let meta = try DatasetMeta.read(from: fetched)
        #expect(meta.source.format == "csv" && meta.source.labelSource == "prefix:label_" && meta.statistics.instances == 300)
        #expect(meta.featureNames == (0..<8).map { "x\($0)" } && meta.labelNames == ["label_a", "label_b", "label_c"])
        #expect(try NpyFile.read(fetched.appendingPathComponent("features.npy")).shape == [300, 8])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("Artifacts/my-data/analyze/default/report.html").path))
    }
}
