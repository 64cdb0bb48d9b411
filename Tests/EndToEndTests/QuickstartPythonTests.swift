import Formats
import Foundation
import Testing
import TestSupport

/// The shipped quickstart pipeline, run once into a temporary folder, read from Python the way
/// users do: TensorBoard's reader, safetensors and the notebook. Each test is skipped with the
/// reason when its Python packages are missing (never under CI, where they must be installed).
/// The tests wait for their child processes off Swift concurrency's cooperative threads
/// (`TestSupport.offCooperativePool`), so their minute of waiting stalls no other test.
@Suite(.serialized) struct QuickstartPythonTests {
    /// The folder the quickstart ran in (it holds `Artifacts/quickstart`) and the run's output.
    static let quickstart: (folder: URL, result: TestSupport.ProcessResult?) = {
        let folder = TestSupport.temporaryFolder("quickstart-python")
        do {
            // The shipped file, with the mirror and the catalog given as absolute paths.
            let catalog = TestSupport.packageRoot.appendingPathComponent("Datasets/catalog.yaml").path
            let shipped = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Pipelines/quickstart.yaml"), encoding: .utf8)
            let yaml = shipped.replacingOccurrences(of: "mirror: ../../shared/datasets",
                                                    with: "catalog: \(catalog), mirror: \(TestSupport.datasetsMirror.path)")
            let url = folder.appendingPathComponent("Pipelines/quickstart.yaml")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try yaml.write(to: url, atomically: true, encoding: .utf8)
            return (folder, try TestSupport.runProduct("pipeline", ["run", "Pipelines/quickstart.yaml", "--plain"], currentDirectory: folder))
        } catch {
            return (folder, nil)
        }
    }()

    /// The four train folders of the quickstart (run on first use), after checking that the pipeline succeeded.
    private func trainFolders() async throws -> [String] {
        let (folder, result) = try await TestSupport.offCooperativePool { Self.quickstart }
        let run = try #require(result)
        try #require(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        let train = folder.appendingPathComponent("Artifacts/quickstart/train")
        let names = try FileManager.default.contentsOfDirectory(atPath: train.path).filter { !$0.hasPrefix(".") }.sorted()
        try #require(names == ["selector=random,fold=0", "selector=random,fold=1", "selector=uncertainty,fold=0", "selector=uncertainty,fold=1"])
        return names.map { train.appendingPathComponent($0).path }
    }

    /// Runs `scripts/<name>` on the four train folders: it must succeed and print `line` for each.
    private func expectScript(_ name: String, toSayForEveryRun line: String) async throws {
        let arguments = ["python3", TestSupport.packageRoot.appendingPathComponent("scripts/\(name)").path] + (try await trainFolders())
        let result = try await TestSupport.offCooperativePool {
            try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), arguments, currentDirectory: Self.quickstart.folder)
        }
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").filter { $0.contains(line) }.count == 4, "\(result.standardOutput)")
    }

    /// The quickstart's models have converged: in every train run the best validation epoch is
    /// not the last one, or the last three epochs' validation Macro-AUC lie within 0.005.
    @Test func quickstartModelsConverge() async throws {
        for run in try await trainFolders() {
            let epochs = try EpochRecord.readCSV(from: URL(fileURLWithPath: run))
            let metrics = try TestMetrics.read(from: URL(fileURLWithPath: run))
            let lastThree = epochs.suffix(3).map(\.validationMacroAUC)
            let converged = metrics.bestEpoch < epochs.count || (lastThree.max()! - lastThree.min()!) < 0.005
            #expect(converged, "\(run): best epoch \(metrics.bestEpoch) of \(epochs.count), last three \(lastThree)")
        }
    }

    /// `scripts/selector_shares.py` (the selector shares of docs/performance.md) reads every run's
    /// timings: one row per selector with its two runs, shares between 0 and 100 %.
    @Test func selectorSharesTableCoversEverySelector() async throws {
        _ = try await trainFolders()
        let script = TestSupport.packageRoot.appendingPathComponent("scripts/selector_shares.py").path
        let result = try await TestSupport.offCooperativePool {
            try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, "Artifacts/quickstart"],
                                currentDirectory: Self.quickstart.folder)
        }
        #expect(result.status == 0, "\(result.standardError)")
        let rows = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("| random |") || $0.hasPrefix("| uncertainty |") }
        #expect(rows.count == 2 && rows.allSatisfy { $0.contains(" | 2 | ") && $0.contains(" %** (") }, "\(result.standardOutput)")
    }

    @Test(.enabled(if: TestSupport.pythonCanImport("tensorboard"), "needs the Python package tensorboard (pip install tensorboard)"))
    func tensorBoardReadsTheEpochsAndTestMetrics() async throws {
        try await expectScript("check_tensorboard.py", toSayForEveryRun: "14 scalar tags, 40 epochs")
    }

    @Test(.enabled(if: TestSupport.pythonCanImport("safetensors.numpy"), "needs the Python package safetensors (pip install safetensors)"))
    func safetensorsWeightsReproduceTheRecordedPredictions() async throws {
        try await expectScript("check_safetensors.py", toSayForEveryRun: "numpy forward matches predictions.npy")
    }

    @Test(.enabled(if: TestSupport.pythonCanImport("nbconvert, ipykernel, pandas, matplotlib"),
                   "needs the Python packages nbconvert, ipykernel, pandas and matplotlib"))
    func notebookRunsOnTheFreshArtifacts() async throws {
        _ = try await trainFolders()
        let folder = Self.quickstart.folder
        let executed = folder.appendingPathComponent("explore-executed.ipynb")
        let result = try await TestSupport.offCooperativePool {
            try TestSupport.run(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["python3", "-m", "nbconvert", "--to", "notebook", "--execute", "--output", executed.path,
                 TestSupport.packageRoot.appendingPathComponent("notebooks/explore.ipynb").path],
                environment: ["MLBATCH_ARTIFACTS": folder.appendingPathComponent("Artifacts/quickstart").path])
        }
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let text = try String(contentsOf: executed, encoding: .utf8)
        #expect(text.contains("80 (selector, epoch) points agree with convergence-summary.csv"))
        #expect(text.contains("\"image/png\""))
    }
}
