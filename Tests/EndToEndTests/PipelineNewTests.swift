import Foundation
import NumpyIO
import Testing
import TestSupport

/// `pipeline new` then `pipeline run`: a dataset of one's own, in three formats, through the whole
/// protocol in two commands — the commands of docs/your-data.md ("In five minutes"), run by the real
/// executable in a fresh folder, with 10 epochs.
@Suite struct PipelineNewTests {
    /// The arguments of the doc's `swift run pipeline new my-data --format <format> …` line.
    static func documentedArguments(format: String) throws -> [String] {
        let doc = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/your-data.md"), encoding: .utf8)
        let line = try #require(doc.split(separator: "\n").first { $0.hasPrefix("swift run pipeline new my-data --format \(format) ") },
                                "docs/your-data.md has no `pipeline new` line for --format \(format)")
        return line.split(separator: " ").dropFirst(3).map(String.init)
    }

    /// Writes the synthetic data as `file` under data/, runs the doc's `pipeline new` line for
    /// `format` with 10 epochs, then `pipeline run`; returns the folder and the written pipeline text.
    func newThenRun(format: String, file: String, write: (URL) throws -> Void) async throws -> (folder: URL, text: String) {
        let folder = TestSupport.temporaryFolder("pipeline-new")
        let data = folder.appendingPathComponent("data/\(file)")
        try FileManager.default.createDirectory(at: data.deletingLastPathComponent(), withIntermediateDirectories: true)
        try write(data)
        let arguments = try Self.documentedArguments(format: format)
        #expect(arguments.contains("data/\(file)"))
        let new = try TestSupport.runProduct("pipeline", arguments + ["--epochs", "10"], currentDirectory: folder)
        try #require(new.status == 0, "\(new.standardOutput)\(new.standardError)")
        #expect(new.standardOutput.contains("wrote Pipelines/my-data.yaml"))
        let text = try String(contentsOf: folder.appendingPathComponent("Pipelines/my-data.yaml"), encoding: .utf8)
        #expect(text.contains("url: [../data/\(file)]") && text.contains("compare: [uncertainty vs random]") && text.contains("model: linear"))
        let run = try await TestSupport.offCooperativePool {
            try TestSupport.runProduct("pipeline", ["run", "Pipelines/my-data.yaml", "--plain"], currentDirectory: folder)
        }
        try #require(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        // fetch, split, 5 floors, 2 selectors × 5 folds, analyze.
        #expect(run.standardOutput.contains("18 built, 0 up to date, 0 failed, 0 not run"), "\(run.standardOutput)")
        #expect(!run.standardOutput.contains("did not learn"), "\(run.standardOutput)")
        let report = folder.appendingPathComponent("Artifacts/my-data/analyze/default/report.html")
        #expect(FileManager.default.fileExists(atPath: report.path))
        return (folder, text)
    }

    @Test func csvFile() async throws {
        let (_, text) = try await newThenRun(format: "csv", file: "my-data.csv") {
            try SyntheticData.csv.write(to: $0, atomically: true, encoding: .utf8)
        }
        #expect(text.contains("format: csv") && text.contains("label_prefix: label_"))
    }

    @Test func numpyFile() async throws {
        let (features, labels) = SyntheticData.arrays
        let n = SyntheticData.rows.count
        _ = try await newThenRun(format: "npz", file: "my-data.npz") { url in
            try NpzFile.write([("features", NpyArray(features, shape: [n, SyntheticData.featureCount])),
                               ("labels", NpyArray(labels, shape: [n, SyntheticData.labelNames.count]))], to: url)
        }
    }

    @Test func xmlcFile() async throws {
        _ = try await newThenRun(format: "xmlc", file: "my-data.txt") {
            try SyntheticData.xmlc.write(to: $0, atomically: true, encoding: .utf8)
        }
    }

    /// A second `pipeline new` to the same path is refused and leaves the file as it was; a bad
    /// fetch flag is refused naming it, and writes nothing.
    @Test func refusesToOverwriteAndChecksTheFetchFlags() throws {
        let folder = TestSupport.temporaryFolder("pipeline-new")
        let mirror = TestSupport.datasetsMirror.path
        let first = try TestSupport.runProduct("pipeline", ["new", "emotions", "--output", "Pipelines/emo.yaml", "--mirror", mirror],
                                               currentDirectory: folder)
        try #require(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        let file = folder.appendingPathComponent("Pipelines/emo.yaml")
        let written = try Data(contentsOf: file)
        let second = try TestSupport.runProduct("pipeline", ["new", "scene", "--output", "Pipelines/emo.yaml"], currentDirectory: folder)
        #expect(second.status == 1 && second.standardError.contains("the file exists"), "\(second.standardError)")
        #expect(try Data(contentsOf: file) == written)

        let bad = try TestSupport.runProduct("pipeline", ["new", "mine", "--format", "csv", "--url", "nowhere.csv", "--sha256", String(repeating: "0", count: 64)],
                                             currentDirectory: folder)
        #expect(bad.status == 1 && bad.standardError.contains("--label-prefix"), "\(bad.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Pipelines/mine.yaml").path))
    }
}
