import Foundation

/// The whole-run ETA: how long until every instance of a run has finished, from the work that
/// remains and the speed observed so far. Pure: the runner passes what it knows (phases, epoch
/// progress, seconds since launch); no clock is read here.
///
/// Model. Instances of one pipeline stage (`train`, or a `floor` stage of type train with
/// another model) share their speed; stages of one type need not. A stage with epochs (train)
/// costs `epochs × s` per instance, where `s` is the stage's observed seconds per epoch,
/// pooled over its instances in this run:
/// finished ones contribute their whole running time over the epochs they ran (so start-up
/// and the final writes are amortised into `s`), running ones the time between the first and
/// the latest epoch the runner saw (start-up excluded). `s` is used once at least
/// ``minimumEpochs`` epochs have been timed; until then the `prior` (the previous run's
/// `run-times.json`) stands in. A stage without epochs costs the mean running time of its
/// finished instances in this run, else the prior. A running instance's remainder is its
/// epochs still to do times `s`, minus the time since its latest epoch appeared (so the ETA
/// counts down between epochs instead of moving in steps); without epochs, the mean minus its
/// elapsed time (at least zero).
///
/// The remaining instances are then scheduled as the runner schedules them: in plan order,
/// each once its inputs are done, at most `jobs` at once (nil: no limit, for a scheduler
/// whose queue wait is unknown, so the ETA is a lower bound). Skipped (up-to-date) and
/// finished instances cost nothing; failed ones and everything downstream of them never run.
/// Instances waiting for their inputs count as work even if they may turn out up to date.
public struct RunEstimator: Sendable {
    /// Where an instance is.
    public enum Phase: Equatable, Sendable {
        /// Not launched yet: waits for its inputs or a free job slot.
        case pending
        /// Launched, waiting in a scheduler's queue.
        case queued
        /// Running for `elapsed` seconds.
        case running(elapsed: Double)
        /// Finished successfully after running `seconds`.
        case finished(seconds: Double)
        /// No work in this run: up to date, or outside the run's scope.
        case skipped
        /// Failed or not run: it and everything downstream of it will not run.
        case broken
    }

    /// Epoch progress of a launched instance as the runner saw it; times in seconds since launch.
    public struct EpochTrack: Equatable, Sendable {
        /// The epoch of the progress file at launch: 0, or where a resumed run continues.
        public var startEpoch: Int
        /// The first epoch seen after launch (beyond `startEpoch`) and when it was first seen.
        public var firstEpoch: Int?
        public var firstSeen: Double
        /// The latest epoch seen and when it was first seen (`startEpoch` at 0 before any).
        public var latestEpoch: Int
        public var latestSeen: Double

        public init(startEpoch: Int) {
            self.startEpoch = startEpoch
            firstSeen = 0
            latestEpoch = startEpoch
            latestSeen = 0
        }

        /// Records that the progress file shows `epoch` at `seconds` after launch.
        public mutating func observe(epoch: Int, at seconds: Double) {
            guard epoch > latestEpoch else { return }
            if firstEpoch == nil {
                firstEpoch = epoch
                firstSeen = seconds
            }
            latestEpoch = epoch
            latestSeen = seconds
        }
    }

    /// One instance of the plan.
    public struct Item: Equatable, Sendable {
        /// Its pipeline stage (`train`, `floor`, …): instances of one stage share their speed.
        public var stage: String
        /// Indices (in the item list) of the instances it reads.
        public var upstream: [Int]
        /// Its planned epochs; nil for a stage without epochs.
        public var epochs: Int?
        public var phase: Phase
        public var track: EpochTrack?

        public init(stage: String, upstream: [Int] = [], epochs: Int? = nil, phase: Phase, track: EpochTrack? = nil) {
            self.stage = stage
            self.upstream = upstream
            self.epochs = epochs
            self.phase = phase
            self.track = track
        }
    }

    /// Typical speeds from an earlier run, per stage, used for a stage until this run has timed it.
    public struct Prior: Equatable, Sendable {
        public var secondsPerEpoch: [String: Double]
        public var secondsPerInstance: [String: Double]

        public init(secondsPerEpoch: [String: Double] = [:], secondsPerInstance: [String: Double] = [:]) {
            self.secondsPerEpoch = secondsPerEpoch
            self.secondsPerInstance = secondsPerInstance
        }
    }

    /// The estimate: `seconds` until the run ends. `untimed` names stages without epochs
    /// that still have work but no timing yet (counted as zero); `lowerBound` says the queue
    /// wait of a scheduler is not included.
    public struct Estimate: Equatable, Sendable {
        public var seconds: Double
        public var untimed: [String]
        public var lowerBound: Bool

        public init(seconds: Double, untimed: [String] = [], lowerBound: Bool = false) {
            self.seconds = seconds
            self.untimed = untimed
            self.lowerBound = lowerBound
        }
    }

    /// Epochs that must have been timed in this run before its own speed replaces the prior.
    public static let minimumEpochs = 3

    /// At most this many instances at once; nil: no limit (a scheduler decides).
    public var jobs: Int?
    public var prior: Prior

    public init(jobs: Int?, prior: Prior = Prior()) {
        self.jobs = jobs.map { max($0, 1) }
        self.prior = prior
    }

    /// Seconds per epoch of stage `stage`, or nil while unknown.
    public func secondsPerEpoch(_ stage: String, in items: [Item]) -> Double? {
        var seconds = 0.0, epochs = 0
        for item in items where item.stage == stage {
            guard let planned = item.epochs, let track = item.track else { continue }
            switch item.phase {
            case let .finished(total) where planned > track.startEpoch:
                seconds += total
                epochs += planned - track.startEpoch
            case .running:
                if let first = track.firstEpoch, track.latestEpoch > first {
                    seconds += track.latestSeen - track.firstSeen
                    epochs += track.latestEpoch - first
                }
            default: break
            }
        }
        if epochs >= Self.minimumEpochs { return seconds / Double(epochs) }
        return prior.secondsPerEpoch[stage]
    }

    /// Mean running seconds of a finished instance of `stage`, or nil while unknown.
    public func secondsPerInstance(_ stage: String, in items: [Item]) -> Double? {
        var total = 0.0, count = 0
        for item in items where item.stage == stage {
            if case let .finished(seconds) = item.phase {
                total += seconds
                count += 1
            }
        }
        return count > 0 ? total / Double(count) : prior.secondsPerInstance[stage]
    }

    /// The whole-run ETA, or nil while unknown: when a stage with epochs has work left
    /// but no speed yet, or when nothing that remains is timed. Zero when nothing remains.
    public func estimate(_ items: [Item]) -> Estimate? {
        let count = items.count
        var done = [Bool](repeating: false, count: count)
        var dead = [Bool](repeating: false, count: count)
        var remaining = [Double](repeating: 0, count: count)
        var epochRates: [String: Double?] = [:]
        var instanceMeans: [String: Double?] = [:]
        var untimed = Set<String>()
        var timed = false
        var lowerBound = false
        var active: [Int] = []
        var waitingOn = [Int](repeating: 0, count: count)
        var dependents = [[Int]](repeating: [], count: count)

        for (index, item) in items.enumerated() {
            switch item.phase {
            case .skipped, .finished:
                done[index] = true
                continue
            case .broken:
                dead[index] = true
                continue
            case .pending:
                if item.upstream.contains(where: { dead[$0] }) {
                    dead[index] = true
                    continue
                }
            case .queued:
                lowerBound = jobs == nil
            case .running:
                break
            }
            // Its remaining seconds.
            let cost: Double?
            if let epochs = item.epochs {
                if epochRates[item.stage] == nil { epochRates[item.stage] = secondsPerEpoch(item.stage, in: items) }
                guard let rate = epochRates[item.stage]! else { return nil }
                if case let .running(elapsed) = item.phase {
                    let track = item.track ?? EpochTrack(startEpoch: 0)
                    cost = Double(max(epochs - track.latestEpoch, 0)) * rate - (elapsed - track.latestSeen)
                } else {
                    cost = Double(epochs) * rate
                }
            } else {
                if instanceMeans[item.stage] == nil { instanceMeans[item.stage] = secondsPerInstance(item.stage, in: items) }
                if let mean = instanceMeans[item.stage]! {
                    if case let .running(elapsed) = item.phase { cost = mean - elapsed } else { cost = mean }
                } else {
                    cost = nil
                }
            }
            if cost != nil { timed = true } else { untimed.insert(item.stage) }
            remaining[index] = max(cost ?? 0, 0)
            if case .pending = item.phase {
                for upstream in item.upstream where !done[upstream] {
                    waitingOn[index] += 1
                    dependents[upstream].append(index)
                }
            } else {
                active.append(index)
            }
        }
        if !untimed.isEmpty && !timed { return nil }

        // Schedule what remains: ready instances start in plan order while a slot is free.
        var ready = items.indices.filter { items[$0].phase == .pending && !dead[$0] && waitingOn[$0] == 0 }
        var readyStart = 0
        var clock = 0.0
        while true {
            while readyStart < ready.count && (jobs.map { active.count < $0 } ?? true) {
                active.append(ready[readyStart])
                readyStart += 1
            }
            guard let step = active.map({ remaining[$0] }).min() else { break }
            clock += step
            var still: [Int] = []
            var released: [Int] = []
            for index in active {
                remaining[index] -= step
                if remaining[index] > 1e-9 { still.append(index); continue }
                for dependent in dependents[index] {
                    waitingOn[dependent] -= 1
                    if waitingOn[dependent] == 0 { released.append(dependent) }
                }
            }
            active = still
            if !released.isEmpty {
                ready = Array(ready[readyStart...]) + released
                ready.sort()
                readyStart = 0
            }
        }
        return Estimate(seconds: clock, untimed: untimed.sorted(), lowerBound: lowerBound)
    }
}
