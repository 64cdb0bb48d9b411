import Foundation
import Testing
@testable import Pipeline

/// The runner with an executor that queues dependencies (``FakeScheduler``): what Slurm gets.
extension RunnerTests {
    @Test func aWholePlanIsQueuedBeforeAnythingRuns() throws {
        let scheduler = FakeScheduler()
        scheduler.holdStartsUntilSubmitted = Self.all.count
        let summary = try run(executor: scheduler)
        #expect(summary.built == Self.all)
        #expect(scheduler.submitted == Self.all)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        let lastQueued = try #require(lines.lastIndex { $0.hasPrefix("queued  analyze/default  (fake job 7, afterok:3:4:5:6)") })
        let firstDone = try #require(lines.firstIndex { $0.hasPrefix("done  ") })
        #expect(lastQueued < firstDone)
        // Inputs are wired as locally; the key marker of an instance queued ahead of its inputs
        // is written once they are built.
        #expect(text("analyze/default/out.txt").components(separatedBy: "train --dataset --split").count == 5)
        #expect(text("analyze/default/.pipeline-key").range(of: "^[0-9a-f]{64}\n$", options: .regularExpression) != nil)
        #expect(try run().upToDate == Self.all)
    }

    @Test func aFailedJobCancelsItsQueuedDependents() throws {
        let summary = try run(stage: FakeStage(folder: folder, fail: "split"), executor: FakeScheduler())
        #expect(summary.failed == ["split/default"])
        #expect(summary.built == ["fetch/default"])
        #expect(summary.notRun == Self.trains + ["analyze/default"])
        let display = try String(contentsOf: log, encoding: .utf8)
        #expect(display.contains("    | boom: cannot train"))
        #expect(display.contains("not run  train/selector=random,fold=0  (upstream split/default failed; cancelled fake job 3)"))
    }

    /// An instance that is up to date unless its inputs change is not queued ahead of them: it is
    /// decided once they are built, as locally.
    @Test func dependentsWhoseKeyNeedsTheirInputsAreDecidedOnceTheyAreBuilt() throws {
        _ = try run()
        let forced = FakeScheduler()
        let summary = try run(executor: forced) { $0.selection = try InstanceSelection(parsing: "fetch"); $0.force = true; $0.downstream = true }
        #expect(forced.submitted == ["fetch/default"])
        #expect(summary.upToDate == ["split/default"] + Self.trains + ["analyze/default"])

        // Editing epochs: the trains are stale on their own and queued at once; analyze is
        // rebuilt only because their outputs changed, so it is submitted after they are built.
        try FileManager.default.removeItem(at: log)
        let edited = FakeScheduler()
        #expect(try run(Self.yaml(epochs: 5), executor: edited).built == Self.trains + ["analyze/default"])
        #expect(edited.submitted == Self.trains + ["analyze/default"])
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        let analyzeQueued = try #require(lines.firstIndex { $0.hasPrefix("queued  analyze/default") || $0.hasPrefix("start  analyze/default") })
        #expect(lines[..<analyzeQueued].filter { $0.hasPrefix("done  train/") }.count == 4)
    }

    /// A job of a dead runner that finished unseen is recorded, not rebuilt, if its inputs are
    /// final; if this run rebuilds one of its inputs (the file was edited since), it is rebuilt.
    @Test func finishedJobsOfAnEarlierRunAreAdoptedOnlyWithFinalInputs() throws {
        _ = try run()
        let lock = URL(fileURLWithPath: root).appendingPathComponent(LockFile.fileName)
        func forgetAnalyze() throws {
            var recorded = try LockFile.read(from: lock.deletingLastPathComponent(), pipeline: "fake")
            recorded.instances["analyze/default"] = nil
            try recorded.write(into: lock.deletingLastPathComponent())
        }
        try forgetAnalyze()
        let adopting = FakeScheduler()
        adopting.finishedUnseen = ["analyze/default"]
        let adopted = try run(executor: adopting)
        #expect(adopted.built == ["analyze/default"])
        #expect(adopting.submitted.isEmpty)
        #expect(text("analyze/default/attempts.txt") == "start\n")

        try forgetAnalyze()
        let edited = FakeScheduler()
        edited.finishedUnseen = ["analyze/default"]
        #expect(try run(Self.yaml(epochs: 5), executor: edited).built == Self.trains + ["analyze/default"])
        #expect(edited.submitted == Self.trains + ["analyze/default"])
        #expect(text("analyze/default/out.txt").contains("--epochs 5"))
        #expect(try String(contentsOf: log, encoding: .utf8).contains("not adopted  analyze/default  (earlier fake job read inputs that this run rebuilds)"))
    }
}
