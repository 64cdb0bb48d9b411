import Formats
import Foundation
import NumpyIO
import Testing
import TestSupport

/// The first pipeline of docs/your-data.md — a CSV file of one's own through fetch → split →
/// train → analyze — run by the real `pipeline` executable on a CSV file written here (the
/// doc's checksum replaced by the file's).
@Suite struct YourDataPipelineTests {
    /// 300 rows of 8 features in [-1, 1) and 3 labels that depend on them (deterministic).
    static func csv() -> String {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        var lines = ["x0,x1,x2,x3,x4,x5,x6,x7,label_a,label_b,label_c"]
        for _ in 0..<300 {
            let x = (0..<8).map { _ in uniform() }
            let labels = [x[0] + 0.5 * x[1] > 0, x[2] - x[3] > 0.3, x[4] * x[5] > 0.1].map { $0 ? "1" : "0" }
            lines.append((x.map { String(format: "%.4f", $0) } + labels).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func docPipelineRunsOnACSVFile() async throws {
        let folder = TestSupport.temporaryFolder("your-data")
        let data = folder.appendingPathComponent("data/my-data.csv")
        try FileManager.default.createDirectory(at: data.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.csv().write(to: data, atomically: true, encoding: .utf8)
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
