import Formats
import Foundation
import Testing
import TestSupport

/// Issue 20, item 1: a train instance killed inside its finish (after the last epoch: the history
/// files renamed into place one by one, `test-metrics.json`, the test events, the checkpoint
/// removed, `run.json`, `manifest.json`) used to strand the folder: every later `pipeline run`
/// failed with "predictions.npy.partial: file not found" while `status` said `run` resumes it.
/// The train stage's test-only `MLBATCH_TEST_KILL_AT` kills it at each named point in turn, with
/// the real `pipeline` runner, fetch, split and train on emotions from the mirror.
@Suite struct TrainFinishTests {
    let folder = TestSupport.temporaryFolder("train-finish")
    /// The points of train's finish, in order (docs/reliability.md, "Finishing a train run").
    static let finishPoints = ["finish", "prediction-epochs.npy", "predictions.npy", "correlation.npy", "weights.npy", "selected.npy",
                               "order.npy", "test-metrics.json", "events.out.tfevents.mlbatch", "checkpoint-removed", "run.json"]

    func writePipeline() throws {
        let catalog = TestSupport.packageRoot.appendingPathComponent("Datasets/catalog.yaml").path
        let yaml = """
        name: finish
        seed: 3
        stages:
          fetch:
            uses: fetch
            with: { dataset: emotions, catalog: \(catalog), mirror: \(TestSupport.datasetsMirror.path) }
          split:
            uses: split
            needs: [fetch]
            with: { folds: 3, restarts: 1 }
          train:
            uses: train
            needs: [split]
            with: { fold: 0, epochs: 3, batch_size: 64, warmup_epochs: 1, threads: 1, selector: uncertainty }
        """
        let url = folder.appendingPathComponent("Pipelines/finish.yaml")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
    }

    func pipeline(_ arguments: String..., killAt point: String? = nil) throws -> TestSupport.ProcessResult {
        try TestSupport.runProduct("pipeline", arguments, environment: point.map { ["MLBATCH_TEST_KILL_AT": $0] } ?? [:],
                                   currentDirectory: folder)
    }

    var trainFolder: URL { folder.appendingPathComponent("Artifacts/finish/train/default") }

    @Test func aKillAtEveryPointOfTheFinishIsFinishedByTheNextRun() throws {
        try writePipeline()
        let reference = try pipeline("run", "finish")
        try #require(reference.status == 0, "\(reference.standardOutput)\(reference.standardError)")
        let expected = try Manifest.read(from: trainFolder).outputs
        for point in Self.finishPoints {
            let killed = try pipeline("run", "finish", "--stage", "train", "--force", killAt: point)
            #expect(killed.status == 1, "\(point): \(killed.standardOutput)")
            let log = try String(contentsOf: trainFolder.appendingPathComponent("stage.log"), encoding: .utf8)
            try #require(log.contains("MLBATCH_TEST_KILL_AT: killed at \(point)\n"), "\(point): \(log)")
            // status, run --dry-run and clean --stale agree: the folder is incomplete, and run resumes it.
            #expect(try pipeline("status", "finish").standardOutput.contains("train/default  incomplete: no manifest.json "
                + "(an interrupted or failed run; `run` resumes it)"), "\(point)")
            #expect(try pipeline("run", "finish", "--dry-run").standardOutput.contains("run    train/default  incomplete"), "\(point)")
            #expect(try pipeline("clean", "finish", "--stale").standardOutput == "nothing to clean in Artifacts/finish\n", "\(point)")
            let resumed = try pipeline("run", "finish")
            #expect(resumed.status == 0, "\(point): \(resumed.standardOutput)\(resumed.standardError)")
            #expect(resumed.standardOutput.contains("1 built, 2 up to date"), "\(point): \(resumed.standardOutput)")
            #expect(try Manifest.read(from: trainFolder).outputs == expected, "\(point): the finished outputs differ")
            let left = try FileManager.default.contentsOfDirectory(atPath: trainFolder.path)
                .filter { $0.hasPrefix("checkpoint") || $0.hasSuffix(".partial") || $0.contains(".tmp-") }
            #expect(left.isEmpty, "\(point): left behind \(left)")
        }
        #expect(try pipeline("status", "finish").standardOutput.contains("3 of 3 up to date"))
    }

    /// Killed after writing `manifest.json`, before the runner recorded it: the folder is complete
    /// but unrecorded; status says so, clean --stale removes it and run rebuilds it.
    @Test func aKillAfterTheManifestLeavesAnUnrecordedFolderThatEveryCommandTreatsAlike() throws {
        try writePipeline()
        let killed = try pipeline("run", "finish", killAt: "manifest.json")
        #expect(killed.status == 1)
        #expect(FileManager.default.fileExists(atPath: trainFolder.appendingPathComponent("manifest.json").path))
        #expect(try pipeline("status", "finish").standardOutput.contains("train/default  stale: not recorded in pipeline.lock"))
        #expect(try pipeline("run", "finish", "--dry-run").standardOutput.contains("run    train/default  stale: not recorded"))
        #expect(try pipeline("clean", "finish", "--stale").standardOutput.contains("removed Artifacts/finish/train/default\n"))
        let rerun = try pipeline("run", "finish")
        #expect(rerun.status == 0, "\(rerun.standardOutput)\(rerun.standardError)")
        #expect(try pipeline("status", "finish").standardOutput.contains("3 of 3 up to date"))
    }
}
