import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// The runner with a fake stage executable. Serialized: one test sends SIGINT to this process.
@Suite(.serialized) struct RunnerTests {
    static func yaml(epochs: Int = 3, folds: Int = 2, drift: String = "[1, 3]") -> String {
        """
        name: fake
        seed: 1
        stages:
          fetch: { uses: fetch, with: { dataset: d } }
          split: { uses: split, needs: fetch, with: { folds: \(folds) } }
          train:
            uses: train
            needs: split
            matrix: { selector: [random, uncertainty], fold: [0, 1] }
            with: { epochs: \(epochs), warmup_epochs: 1 }
          analyze: { uses: analyze, needs: train, with: { drift_epochs: \(drift) } }
        """
    }

    let folder = TestSupport.temporaryFolder("runner")
    var root: String { folder.appendingPathComponent("Artifacts/fake").path }
    var log: URL { folder.appendingPathComponent("display.log") }

    func run(_ yaml: String = Self.yaml(), stage: FakeStage? = nil, executor: StageExecutor = LocalExecutor(),
             configure: (inout RunOptions) throws -> Void = { _ in }) throws -> RunSummary {
        let plan = try PipelinePlan(try PipelineParser.parse(yaml: yaml, file: "fake.yaml"))
        var options = RunOptions()
        options.jobs = 4
        try configure(&options)
        let descriptor = open(log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        defer { close(descriptor) }
        let runner = try PipelineRunner(plan: plan, rootPath: root, launcher: (stage ?? FakeStage(folder: folder)).launcher,
                                        options: options, display: ProgressDisplay(live: false, descriptor: descriptor), executor: executor)
        return try runner.run()
    }

    func text(_ relative: String) -> String {
        (try? String(contentsOfFile: root + "/" + relative, encoding: .utf8)) ?? ""
    }

    static let trains = ["train/selector=random,fold=0", "train/selector=random,fold=1",
                         "train/selector=uncertainty,fold=0", "train/selector=uncertainty,fold=1"]
    static let all = ["fetch/default", "split/default"] + trains + ["analyze/default"]

    @Test func firstRunBuildsEverythingSecondSkipsEverything() throws {
        let first = try run()
        #expect(first.built == Self.all)
        #expect(first.succeeded)
        // Inputs are wired: analyze read all four trains, each of which read split and fetch.
        #expect(text("analyze/default/out.txt").components(separatedBy: "train --dataset --split").count == 5)
        #expect(text("train/selector=uncertainty,fold=1/out.txt").hasPrefix("train --dataset --split --epochs 3 --warmup-epochs 1 --seed 1 --selector uncertainty --fold 1 | fetch --dataset d | split --dataset --folds 2 --seed 1"))
        #expect(text("train/selector=random,fold=0/stage.log").contains("epoch 3/3 loss=0.5"))
        // The wall-time split covers every launched instance and is written beside pipeline.lock.
        let times = try #require(first.times)
        #expect(times.instances.map(\.id) == Self.all)
        #expect(times.instances.allSatisfy { $0.outcome == "built" && $0.started != nil && $0.ended >= $0.started! })
        #expect(times.stages.map(\.name) == ["fetch", "split", "train", "analyze"])
        #expect(times.stages[2].epochs == 12)
        #expect(times.runningSeconds + times.runnerOnlySeconds == times.totalSeconds)
        #expect(RunTimes.read(from: URL(fileURLWithPath: root)) == times)
        let second = try run()
        #expect(second.built.isEmpty)
        #expect(second.upToDate == Self.all)
        // Nothing launched: the file keeps the last run that built something (the next ETA's prior).
        #expect(second.times?.instances.isEmpty == true)
        #expect(RunTimes.read(from: URL(fileURLWithPath: root)) == times)
        let display = try String(contentsOf: log, encoding: .utf8)
        #expect(display.contains("  train/selector=random,fold=0: epoch 3/3 eta=0:03") || display.contains("done  train/selector=random,fold=0"))
    }

    @Test func editingAParameterRebuildsExactlyTheDependents() throws {
        _ = try run()
        #expect(try run(Self.yaml(epochs: 5)).built == Self.trains + ["analyze/default"])
        #expect(try run(Self.yaml(epochs: 5, drift: "[2, 3]")).built == ["analyze/default"])
        let bySplit = try run(Self.yaml(epochs: 5, folds: 3, drift: "[2, 3]"))
        #expect(bySplit.built == ["split/default"] + Self.trains + ["analyze/default"])
        #expect(bySplit.upToDate == ["fetch/default"])
        // A complete but stale folder is cleared before its rebuild: one attempt, not two.
        #expect(text("split/default/attempts.txt") == "start\n")
    }

    @Test func stageSelectionRebuildsOneInstanceAndNothingDownstream() throws {
        _ = try run()
        let forced = try run { $0.selection = try InstanceSelection(parsing: "train[selector=random,fold=1]"); $0.force = true }
        #expect(forced.built == ["train/selector=random,fold=1"])
        #expect(forced.upToDate.isEmpty)
        let edited = Self.yaml(epochs: 4)
        let one = try run(edited) { $0.selection = try InstanceSelection(parsing: "train[selector=random,fold=0]") }
        #expect(one.built == ["train/selector=random,fold=0"])
        let downstream = try run(edited) { $0.selection = try InstanceSelection(parsing: "train[fold=1]"); $0.downstream = true }
        #expect(downstream.built == ["train/selector=random,fold=1", "train/selector=uncertainty,fold=1", "analyze/default"])
        #expect(try run(edited).built == ["train/selector=uncertainty,fold=0", "analyze/default"])
    }

    @Test func selectionBuildsMissingUpstreamFirst() throws {
        let summary = try run { $0.selection = try InstanceSelection(parsing: "split") }
        #expect(summary.built == ["fetch/default", "split/default"])
    }

    @Test func failureStopsOnlyDependents() throws {
        let summary = try run(stage: FakeStage(folder: folder, fail: "selector=random,fold=0"))
        #expect(summary.failed == ["train/selector=random,fold=0"])
        #expect(summary.notRun == ["analyze/default"])
        #expect(summary.built == ["fetch/default", "split/default"] + Self.trains.dropFirst())
        #expect(!summary.succeeded)
        let display = try String(contentsOf: log, encoding: .utf8)
        #expect(display.contains("failed  train/selector=random,fold=0: exit status 3"))
        #expect(display.contains("    | boom: cannot train"))
        // The next run rebuilds just what is missing.
        #expect(try run().built == ["train/selector=random,fold=0", "analyze/default"])
    }

    @Test func failFastStopsTheRest() throws {
        let summary = try run(stage: FakeStage(folder: folder, fail: "split")) { $0.failFast = true }
        #expect(summary.failed == ["split/default"])
        #expect(summary.notRun == Self.trains + ["analyze/default"])
    }

    @Test func killedInstanceResumesInItsFolder() throws {
        let first = try run(stage: FakeStage(folder: folder, dieOnce: "selector=uncertainty,fold=1"))
        #expect(first.failed == ["train/selector=uncertainty,fold=1"])
        let plan = try PipelinePlan(try PipelineParser.parse(yaml: Self.yaml(), file: "fake.yaml"))
        let statuses = try CacheState(plan: plan, root: URL(fileURLWithPath: root)).statuses()
        #expect(statuses[5] == .stale([.incomplete]))
        #expect(statuses[6] == .stale([.missing]))
        let second = try run(stage: FakeStage(folder: folder, dieOnce: "selector=uncertainty,fold=1"))
        #expect(second.built == ["train/selector=uncertainty,fold=1", "analyze/default"])
        // Same folder, second attempt, partial output of the first kept for the stage to resume from.
        #expect(text("train/selector=uncertainty,fold=1/attempts.txt") == "start\nstart\n")
        #expect(text("train/selector=uncertainty,fold=1/partial.txt") == "partial\n")
    }

    @Test func jobsBoundsParallelism() throws {
        let serial = FakeStage(folder: folder, sleep: 0.3)
        _ = try run(stage: serial) { $0.jobs = 1 }
        #expect(serial.maxActive == 1)
        let parallelFolder = TestSupport.temporaryFolder("runner-parallel")
        let parallel = FakeStage(folder: parallelFolder, sleep: 1)
        _ = try run(stage: parallel) { $0.force = true }
        #expect(parallel.maxActive == 4)
    }

    /// The runner runs on a Dispatch thread and the test waits synchronously: neither needs one of
    /// Swift concurrency's cooperative threads, which other tests' blocking waits may hold for the
    /// whole 20 s the fake stages sleep (then SIGINT would come after the run had ended).
    @Test func interruptStopsChildrenAndReportsTheSignal() throws {
        let rootPath = root
        let launcher = FakeStage(folder: folder, sleep: 20).launcher
        let displayPath = log.path
        let finished = DispatchGroup()
        nonisolated(unsafe) var outcome: Result<RunSummary, any Error>?
        DispatchQueue.global().async(group: finished) {
            outcome = Result {
                let plan = try PipelinePlan(try PipelineParser.parse(yaml: Self.yaml(), file: "fake.yaml"))
                let descriptor = open(displayPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                defer { close(descriptor) }
                return try PipelineRunner(plan: plan, rootPath: rootPath, launcher: launcher, options: RunOptions(),
                                          display: ProgressDisplay(live: false, descriptor: descriptor)).run()
            }
        }
        let started = rootPath + "/train/selector=random,fold=0/attempts.txt"
        while !FileManager.default.fileExists(atPath: started) { usleep(50_000) }
        kill(getpid(), SIGINT)
        finished.wait()
        let summary = try #require(outcome).get()
        #expect(summary.interruption == SIGINT)
        #expect(!summary.succeeded)
        #expect(summary.built == ["fetch/default", "split/default"])
        // The trains that were running are interrupted, the rest not run: each counted once.
        #expect(!summary.interrupted.isEmpty && summary.failed.isEmpty)
        #expect((summary.interrupted + summary.notRun).sorted() == (Self.trains + ["analyze/default"]).sorted())
        #expect(!FileManager.default.fileExists(atPath: rootPath + "/train/selector=random,fold=0/manifest.json"))
        // The stage processes that were running (still registered in active/) have been stopped and reaped.
        let running = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("active").path).compactMap { Int32($0) }
        #expect(!running.isEmpty)
        for pid in running { #expect(kill(pid, 0) != 0, "stage process \(pid) still exists") }
    }

    /// `run --verify` rebuilds the instances whose outputs differ from their manifests (a plain
    /// run takes them as up to date); the rebuilt outputs are the recorded ones again, so nothing
    /// downstream is redone. A corrupt manifest.json is rebuilt by any run.
    @Test func verifyRebuildsDamagedInstances() throws {
        _ = try run()
        let damaged = root + "/train/selector=random,fold=0/out.txt"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        bytes[0] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: damaged))
        #expect(try run().upToDate == Self.all)
        let verified = try run { $0.verify = true }
        #expect(verified.built == ["train/selector=random,fold=0"])
        #expect(verified.upToDate == Self.all.filter { $0 != "train/selector=random,fold=0" })
        #expect(try String(contentsOfFile: damaged, encoding: .utf8).hasPrefix("train "))
        try Data("{".utf8).write(to: URL(fileURLWithPath: root + "/split/default/manifest.json"))
        #expect(try run().built == ["split/default"])
    }

    /// SIGINT to the whole process group reaches the stages as well as the runner: a stage killed
    /// by it is counted (and named) as interrupted, whether the runner sees the signal before or
    /// with the stage's death. The summary used to say "0 failed" beside "failed … killed by signal 2".
    @Test(arguments: [(2, 3), (2, 2)])
    func stageKilledByTheGroupsSignalIsCountedInterrupted(raiseAt: Int, deadFrom: Int) throws {
        let summary = try run(executor: ProcessGroupSignal(raiseAt: raiseAt, deadFrom: deadFrom))
        #expect(summary.interruption == SIGINT)
        #expect(summary.interrupted == ["fetch/default"] && summary.failed.isEmpty)
        #expect(summary.notRun == ["split/default"] + Self.trains + ["analyze/default"])
        #expect(summary.lines == ["0 built, 0 up to date, 0 failed, 1 interrupted, 6 not run", "  interrupted: fetch/default (`run` resumes them)"])
        let display = try String(contentsOf: log, encoding: .utf8)
        #expect(display.contains("interrupted  fetch/default: killed by signal 2"))
        #expect(!display.contains("failed  fetch/default"))
    }

    /// The stage CPU figure counts only the run's stage processes, not CPU this process's children
    /// used before (under `swift run`, the build it did before executing the runner: the
    /// quickstart reported 291.8 s of stage CPU for a 5 s run).
    @Test func stageCPUCountsOnlyTheRunsStages() throws {
        let before = PipelineRunner.cpuSeconds(PipelineRunner.usageOfChildren)
        let burner = Process()
        burner.executableURL = URL(fileURLWithPath: "/bin/sh")
        burner.arguments = ["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"]
        try burner.run()
        burner.waitUntilExit()
        let start = PipelineRunner.cpuSeconds(PipelineRunner.usageOfChildren)
        try #require(start - before > 0.05, "the burner used \(start - before) s of CPU")
        let summary = try run()
        let end = PipelineRunner.cpuSeconds(PipelineRunner.usageOfChildren)
        let stageCPU = try #require(summary.times?.stageCPUSeconds)
        #expect(stageCPU > 0 && stageCPU <= end - start + 1e-6, "stage CPU \(stageCPU) s; this process's children used \(end - start) s during the run")
    }
}

/// An executor standing in for stages that a SIGINT to the whole process group kills: its poll
/// number `raiseAt` raises SIGINT in the runner, and from poll `deadFrom` on every job has been
/// killed by it (the first poll is the one right after the launch).
final class ProcessGroupSignal: StageExecutor {
    let raiseAt: Int, deadFrom: Int
    private var polls = 0

    init(raiseAt: Int, deadFrom: Int) {
        self.raiseAt = raiseAt
        self.deadFrom = deadFrom
    }

    var queuesDependencies: Bool { false }
    var usesLocalCores: Bool { true }
    func checkReady() {}
    func launch(_ job: StageJob, after upstream: [JobHandle]) throws -> JobHandle { JobHandle(id: job.id.description, description: "fake") }

    func poll(_ handles: [JobHandle]) throws -> [JobHandle: JobState] {
        polls += 1
        if polls == raiseAt { raise(SIGINT) }
        return Dictionary(uniqueKeysWithValues: handles.map { ($0, polls >= deadFrom ? JobState.finished(.signalled(SIGINT)) : .running) })
    }

    func cancel(_ handles: [JobHandle]) {}
    func waitUntilStopped(_ handles: [JobHandle]) {}
    func adopt(_ jobs: [StageJob], note: (String) -> Void) throws -> [Int: (handle: JobHandle, state: JobState)] { [:] }
    func forget(_ handle: JobHandle) {}
}
