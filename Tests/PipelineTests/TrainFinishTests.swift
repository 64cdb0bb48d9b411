import Formats
import Foundation
import Testing
import TestSupport

/// Issue 20, item 1: a train instance killed inside its finish (after the last epoch: the history
/// files renamed into place one by one, `test-metrics.json`, the test events, the checkpoint
/// removed, `run.json`, `manifest.json`) used to strand the folder: every later `pipeline run`
/// failed with "predictions.npy.partial: file not found" while `status` said `run` resumes it.
/// The train stage's test-only `MLBATCH_TEST_KILL_AT` kills it at each named point in turn, with
/// the real `pipeline` runner, fetch, split and train on emotions from the mirror (the
/// ``ExecutableTests`` pipeline with a train stage).
extension ExecutableTests {
    /// The points of train's finish, in order (docs/reliability.md, "Finishing a train run").
    static let finishPoints = ["finish", "prediction-epochs.npy", "predictions.npy", "correlation.npy", "weights.npy", "selected.npy",
                               "order.npy", "test-metrics.json", "events.out.tfevents.mlbatch", "checkpoint-removed", "run.json"]

    /// The fetch → split pipeline with one train instance.
    func writeTrainPipeline() throws {
        _ = try writePipeline(extra: """
              train:
                uses: train
                needs: [split]
                with: { fold: 0, epochs: 3, batch_size: 64, warmup_epochs: 1, threads: 1, selector: uncertainty }
            """)
    }

    func pipeline(_ arguments: String..., killAt point: String) throws -> TestSupport.ProcessResult {
        try TestSupport.runProduct("pipeline", arguments, environment: ["MLBATCH_TEST_KILL_AT": point], currentDirectory: folder)
    }

    var trainFolder: URL { folder.appendingPathComponent("Artifacts/tiny/train/default") }

    @Test func aKillAtEveryPointOfTheFinishIsFinishedByTheNextRun() throws {
        try writeTrainPipeline()
        let reference = try pipeline("run", "tiny")
        try #require(reference.status == 0, "\(reference.standardOutput)\(reference.standardError)")
        let expected = try Manifest.read(from: trainFolder).outputs
        for point in Self.finishPoints {
            let killed = try pipeline("run", "tiny", "--stage", "train", "--force", killAt: point)
            #expect(killed.status == 1, "\(point): \(killed.standardOutput)")
            let log = try String(contentsOf: trainFolder.appendingPathComponent("stage.log"), encoding: .utf8)
            try #require(log.contains("MLBATCH_TEST_KILL_AT: killed at \(point)\n"), "\(point): \(log)")
            // status, run --dry-run and clean --stale agree: the folder is incomplete, and run resumes it.
            #expect(try pipeline("status", "tiny").standardOutput.contains("train/default  incomplete: no manifest.json "
                + "(an interrupted or failed run; `run` resumes it)"), "\(point)")
            #expect(try pipeline("run", "tiny", "--dry-run").standardOutput.contains("run    train/default  incomplete"), "\(point)")
            #expect(try pipeline("clean", "tiny", "--stale").standardOutput == "nothing to clean in Artifacts/tiny\n", "\(point)")
            let resumed = try pipeline("run", "tiny")
            #expect(resumed.status == 0, "\(point): \(resumed.standardOutput)\(resumed.standardError)")
            #expect(resumed.standardOutput.contains("1 built, 2 up to date"), "\(point): \(resumed.standardOutput)")
            #expect(try Manifest.read(from: trainFolder).outputs == expected, "\(point): the finished outputs differ")
            let left = try FileManager.default.contentsOfDirectory(atPath: trainFolder.path)
                .filter { $0.hasPrefix("checkpoint") || $0.hasSuffix(".partial") || $0.contains(".tmp-") }
            #expect(left.isEmpty, "\(point): left behind \(left)")
        }
        #expect(try pipeline("status", "tiny").standardOutput.contains("3 of 3 up to date"))
    }

    /// Killed after writing `manifest.json`, before the runner recorded it: the folder is complete
    /// but unrecorded; status says so, clean --stale removes it and run rebuilds it.
    @Test func aKillAfterTheManifestLeavesAnUnrecordedFolderThatEveryCommandTreatsAlike() throws {
        try writeTrainPipeline()
        let killed = try pipeline("run", "tiny", killAt: "manifest.json")
        #expect(killed.status == 1)
        #expect(FileManager.default.fileExists(atPath: trainFolder.appendingPathComponent("manifest.json").path))
        #expect(try pipeline("status", "tiny").standardOutput.contains("train/default  stale: not recorded in pipeline.lock"))
        #expect(try pipeline("run", "tiny", "--dry-run").standardOutput.contains("run    train/default  stale: not recorded"))
        #expect(try pipeline("clean", "tiny", "--stale").standardOutput.contains("removed Artifacts/tiny/train/default\n"))
        let rerun = try pipeline("run", "tiny")
        #expect(rerun.status == 0, "\(rerun.standardOutput)\(rerun.standardError)")
        #expect(try pipeline("status", "tiny").standardOutput.contains("3 of 3 up to date"))
    }
}
