import Foundation
import Testing
@testable import Pipeline

/// The whole-run ETA and the wall-time split on hand-computed cases (times are injected).
struct RunEstimatorTests {
    typealias Item = RunEstimator.Item

    /// A train track that started at `start` and saw `epochs` (epoch, seconds since launch).
    static func track(start: Int = 0, _ seen: [(Int, Double)] = []) -> RunEstimator.EpochTrack {
        var track = RunEstimator.EpochTrack(startEpoch: start)
        for (epoch, at) in seen { track.observe(epoch: epoch, at: at) }
        return track
    }

    /// fetch, split, three trains of 10 epochs (0 finished, 1 running, 2 pending), analyze.
    static func plan(analyze: RunEstimator.Phase = .pending) -> [Item] {
        [Item(stage: "fetch", phase: .skipped),
         Item(stage: "split", upstream: [0], phase: .skipped),
         Item(stage: "train", upstream: [1], epochs: 10, phase: .finished(seconds: 20), track: track([(1, 3), (9, 18)])),
         Item(stage: "train", upstream: [1], epochs: 10, phase: .running(elapsed: 5), track: track([(1, 2.5), (2, 4.5)])),
         Item(stage: "train", upstream: [1], epochs: 10, phase: .pending),
         Item(stage: "analyze", upstream: [2, 3, 4], phase: analyze)]
    }

    @Test func trackKeepsTheFirstAndLatestNewEpoch() {
        let seen = Self.track(start: 4, [(4, 1), (5, 2), (5, 2.5), (7, 6)])
        #expect(seen.firstEpoch == 5 && seen.firstSeen == 2)
        #expect(seen.latestEpoch == 7 && seen.latestSeen == 6)
    }

    @Test func pooledSecondsPerEpoch() {
        // finished: 20 s over 10 epochs; running: 2.0 s between epochs 1 and 2 → 22 / 11.
        #expect(RunEstimator(jobs: 2).secondsPerEpoch("train", in: Self.plan()) == 2)
    }

    @Test func twoJobsRunThePendingTrainBesideTheRunningOne() throws {
        // running: 8 epochs × 2 s − 0.5 s since epoch 2 = 15.5; pending: 20, starts at once in
        // the free slot; analyze has no timing (counted 0, named). Ends at 20.
        let estimate = try #require(RunEstimator(jobs: 2).estimate(Self.plan()))
        #expect(estimate == RunEstimator.Estimate(seconds: 20, untimed: ["analyze"]))
    }

    @Test func oneJobRunsThemOneAfterTheOther() throws {
        let estimate = try #require(RunEstimator(jobs: 1).estimate(Self.plan()))
        #expect(estimate.seconds == 35.5)
    }

    @Test func priorTimesTheAnalyzeAfterEveryTrain() throws {
        let prior = RunEstimator.Prior(secondsPerInstance: ["analyze": 7])
        #expect(try #require(RunEstimator(jobs: 2, prior: prior).estimate(Self.plan())) == .init(seconds: 27))
        // The running analyze's own elapsed time counts down its mean: nothing else is left.
        var plan = Self.plan(analyze: .running(elapsed: 3))
        plan[3].phase = .finished(seconds: 18)
        plan[4].phase = .finished(seconds: 19)
        plan[4].track = Self.track([(1, 2), (10, 19)])
        #expect(try #require(RunEstimator(jobs: 2, prior: prior).estimate(plan)) == .init(seconds: 4))
    }

    @Test func unknownUntilEpochsAreTimed() throws {
        // Only the running train, with one epoch gap seen (< minimumEpochs): unknown.
        var plan = Self.plan()
        plan[2].phase = .pending
        #expect(RunEstimator(jobs: 2).estimate(plan) == nil)
        // A prior speed stands in: 10 × 3 − (5 − 4.5) and 10 × 3 each; three trains on two slots.
        let prior = RunEstimator.Prior(secondsPerEpoch: ["train": 3])
        let estimate = try #require(RunEstimator(jobs: 2, prior: prior).estimate(plan))
        // running: 8 × 3 − 0.5 = 23.5; pending A, B: 30 each → slots: 23.5 | 30, then 30 from 23.5 → 53.5.
        #expect(estimate.seconds == 53.5)
        // Three epochs timed in this run replace the prior: (1→4) over 6 s → 2 s/epoch.
        plan[3].track = Self.track([(1, 2.5), (4, 8.5)])
        plan[3].phase = .running(elapsed: 9)
        // running: 6 × 2 − 0.5 = 11.5; pending: 20, 20 → 11.5 | 20, 31.5 → 31.5.
        #expect(try #require(RunEstimator(jobs: 2, prior: prior).estimate(plan)).seconds == 31.5)
    }

    @Test func failedInstancesAndTheirDependentsCostNothing() throws {
        var plan = Self.plan()
        plan[4].phase = .broken
        // analyze reads the broken train, so it never runs; what is left is the running train.
        #expect(try #require(RunEstimator(jobs: 2).estimate(plan)) == .init(seconds: 15.5))
    }

    @Test func nothingLeftIsZero() throws {
        let plan = [Item(stage: "fetch", phase: .skipped), Item(stage: "train", upstream: [0], epochs: 5, phase: .skipped)]
        #expect(try #require(RunEstimator(jobs: 3).estimate(plan)) == .init(seconds: 0))
    }

    @Test func resumedInstanceCountsOnlyTheEpochsItRan() {
        // Resumed at epoch 60 of 100, finished in 80 s: 2 s per epoch, not 0.8.
        let plan = [Item(stage: "train", epochs: 100, phase: .finished(seconds: 80), track: Self.track(start: 60))]
        #expect(RunEstimator(jobs: 1).secondsPerEpoch("train", in: plan) == 2)
    }

    @Test func schedulerWithoutJobLimitIsALowerBound() throws {
        // Unlimited slots: both queued trains run at once: max(20, 20) = 20, queue wait unknown.
        let plan = [Item(stage: "train", epochs: 10, phase: .finished(seconds: 20), track: Self.track()),
                    Item(stage: "train", epochs: 10, phase: .queued),
                    Item(stage: "train", epochs: 10, phase: .queued)]
        #expect(try #require(RunEstimator(jobs: nil).estimate(plan)) == .init(seconds: 20, lowerBound: true))
    }

    @Test func runningPastItsEstimateLeavesZero() throws {
        let prior = RunEstimator.Prior(secondsPerInstance: ["fetch": 5])
        let plan = [Item(stage: "fetch", phase: .running(elapsed: 9))]
        #expect(try #require(RunEstimator(jobs: 1, prior: prior).estimate(plan)) == .init(seconds: 0))
    }

    @Test func stagesOfOneTypeKeepTheirOwnSpeed() throws {
        // A fast linear `floor` (type train) says nothing about the mlp `train` stage.
        let plan = [Item(stage: "floor", epochs: 10, phase: .finished(seconds: 1), track: Self.track()),
                    Item(stage: "train", epochs: 10, phase: .pending)]
        #expect(RunEstimator(jobs: 1).estimate(plan) == nil)
        let prior = RunEstimator.Prior(secondsPerEpoch: ["train": 2, "floor": 7])
        #expect(try #require(RunEstimator(jobs: 1, prior: prior).estimate(plan)) == .init(seconds: 20))
    }

    @Test func etaText() {
        let now = Date(timeIntervalSince1970: 0)
        #expect(ProgressDisplay.runETAText(nil, now: now) == "run eta ?")
        let text = ProgressDisplay.runETAText(.init(seconds: 754.2, untimed: ["analyze"], lowerBound: true), now: now)
        #expect(text.hasPrefix("run eta ≥12:35 + analyze (~"))
    }
}

struct RunTimesTests {
    @Test func unionOfIntervals() {
        #expect(RunTimes.unionLength([(0, 1), (3, 13), (3, 11), (1.5, 2.5), (11.2, 20), (21, 22)]) == 20)
        #expect(RunTimes.unionLength([]) == 0)
        #expect(RunTimes.unionLength([(2, 2), (5, 4)]) == 0)
    }

    @Test func localSplit() {
        let instances = [
            RunTimes.Instance(id: "fetch/default", type: "fetch", launched: 0, started: 0, ended: 1, outcome: "built"),
            RunTimes.Instance(id: "split/default", type: "split", launched: 1.5, started: 1.5, ended: 2.5, outcome: "built"),
            RunTimes.Instance(id: "train/a", type: "train", launched: 3, started: 3, ended: 13, outcome: "built", epochs: 10),
            RunTimes.Instance(id: "train/b", type: "train", launched: 3, started: 3, ended: 11, outcome: "built", epochs: 6),
            RunTimes.Instance(id: "train/c", type: "train", launched: 11.2, started: 11.2, ended: 20, outcome: "failed", epochs: 3),
            RunTimes.Instance(id: "analyze/default", type: "analyze", launched: 21, started: 21, ended: 22, outcome: "built"),
        ]
        let times = RunTimes(pipeline: "p", executor: "local", jobs: 2, startedAt: Date(), totalSeconds: 23, instances: instances,
                             stageOrder: ["fetch", "split", "train", "analyze"])
        #expect(times.runningSeconds == 20)
        #expect(times.queuedOnlySeconds == 0)
        #expect(times.runnerOnlySeconds == 3)
        #expect(times.stages.map(\.name) == ["fetch", "split", "train", "analyze"])
        let train = times.stages[2]
        #expect(train.instances == 3)
        #expect(abs(train.summedSeconds - 26.8) < 1e-9)
        #expect(train.spanSeconds == 17)
        // Built instances only: 18 s over 16 epochs.
        #expect(train.epochs == 16 && train.secondsPerEpoch == 18.0 / 16)
        #expect(train.secondsPerBuiltInstance == 9)
        #expect(times.prior.secondsPerEpoch["train"] == 18.0 / 16)
        #expect(times.prior.secondsPerInstance["analyze"] == 1)
        #expect(times.lines.contains { $0.hasPrefix("  runner only (no stage running) 3.0 s (13.0 %)") })
    }

    @Test func typeTotalOverSeveralStages() {
        let instances = [
            RunTimes.Instance(id: "floor/fold=0", stage: "floor", type: "train", launched: 0, started: 0, ended: 2, outcome: "built", epochs: 4),
            RunTimes.Instance(id: "train/fold=0", stage: "train", type: "train", launched: 1, started: 1, ended: 5, outcome: "built", epochs: 4),
        ]
        let times = RunTimes(pipeline: "p", executor: "local", jobs: 2, startedAt: Date(), totalSeconds: 6, instances: instances,
                             stageOrder: ["floor", "train"])
        #expect(times.stages.map(\.name) == ["floor", "train"])
        #expect(times.stages.map(\.secondsPerEpoch) == [0.5, 1])
        #expect(times.types.count == 1)
        #expect(times.types[0].name == "train" && times.types[0].type == "floor,train")
        #expect(times.types[0].summedSeconds == 6 && times.types[0].spanSeconds == 5 && times.types[0].instances == 2)
        #expect(times.runningSeconds == 5 && times.runnerOnlySeconds == 1)
        #expect(times.lines.contains { $0.hasPrefix("  all train (floor,train)    2 ×") })
        #expect(times.prior.secondsPerEpoch == ["floor": 0.5, "train": 1])
    }

    @Test func queuedTimeIsNotRunningTime() {
        let instances = [RunTimes.Instance(id: "train/a", type: "train", launched: 0, started: 5, ended: 10, outcome: "built"),
                         RunTimes.Instance(id: "train/b", type: "train", launched: 0, started: nil, ended: 3, outcome: "stopped")]
        let times = RunTimes(pipeline: "p", executor: "scheduler", jobs: nil, startedAt: Date(), totalSeconds: 12, instances: instances)
        #expect(times.runningSeconds == 5)
        #expect(times.queuedOnlySeconds == 5)
        #expect(times.runnerOnlySeconds == 2)
        #expect(times.stages[0].summedSeconds == 5 && times.stages[0].spanSeconds == 5)
    }

    @Test func roundTripsThroughTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runtimes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let times = RunTimes(pipeline: "p", executor: "local", jobs: 1, startedAt: Date(timeIntervalSince1970: 0), totalSeconds: 2,
                             instances: [.init(id: "fetch/default", type: "fetch", launched: 0, started: 0.5, ended: 1.5, outcome: "built")])
        try times.write(into: folder)
        #expect(RunTimes.read(from: folder) == times)
    }
}
