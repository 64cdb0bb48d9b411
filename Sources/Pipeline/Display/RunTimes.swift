import Formats
import Foundation

/// Where the wall time of one `pipeline run` went, printed at its end and written to
/// `Artifacts/<pipeline>/run-times.json` (a run-level file beside `pipeline.lock`: no manifest
/// lists it and no cache key reads it). Times are seconds since the run's clock started
/// (after the artifact lock was taken), as the runner observed them (it polls every 50 ms
/// locally, every second under Slurm).
///
/// Split: per pipeline stage (and per stage type, when a type has several stages, e.g. `floor`
/// and `train`), the instances' running seconds summed and the span from the first start to
/// the last end; for the whole run, the seconds when at least one stage was running,
/// when none ran but one waited in a scheduler's queue, and when neither (the runner only:
/// reading the cache state, deciding what is up to date, launching, recording in
/// `pipeline.lock`, and its polling gaps). Queued time is never running time.
public struct RunTimes: Codable, Equatable, Sendable {
    /// One launched instance.
    public struct Instance: Codable, Equatable, Sendable {
        public var id: String
        /// Its pipeline stage and stage type.
        public var stage: String
        public var type: String
        /// When it was handed to the executor.
        public var launched: Double
        /// When it started running (later than `launched` only in a scheduler's queue); nil if it never ran.
        public var started: Double?
        /// When the runner saw it end.
        public var ended: Double
        /// built, failed or stopped (interrupted, or cancelled because an input failed).
        public var outcome: String
        /// Epochs it ran in this run (train), if known.
        public var epochs: Int?
        /// Adopted from an earlier runner: its start was before this run and is not counted.
        public var adopted: Bool

        public init(id: String, stage: String? = nil, type: String, launched: Double, started: Double?, ended: Double, outcome: String,
                    epochs: Int? = nil, adopted: Bool = false) {
            self.id = id
            self.stage = stage ?? type
            self.type = type
            self.launched = launched
            self.started = started
            self.ended = ended
            self.outcome = outcome
            self.epochs = epochs
            self.adopted = adopted
        }

        /// Running seconds.
        public var seconds: Double { started.map { max(ended - $0, 0) } ?? 0 }
    }

    /// Totals of one pipeline stage, or of one stage type over several stages.
    public struct GroupTimes: Codable, Equatable, Sendable {
        /// The stage name (for a type total: the type).
        public var name: String
        /// The stage type (for a type total: the stages it covers, comma-separated).
        public var type: String
        public var instances: Int
        /// Running seconds summed over its instances.
        public var summedSeconds: Double
        /// From its first start to its last end.
        public var spanSeconds: Double
        /// Epochs run by its built instances, and their running seconds per epoch.
        public var epochs: Int?
        public var secondsPerEpoch: Double?
        /// Mean running seconds of its built instances.
        public var secondsPerBuiltInstance: Double?
    }

    public var pipeline: String
    public var executor: String
    /// `--jobs` (nil under a scheduler).
    public var jobs: Int?
    public var startedAt: String
    public var totalSeconds: Double
    /// At least one stage process running.
    public var runningSeconds: Double
    /// No stage running, at least one waiting in a scheduler's queue.
    public var queuedOnlySeconds: Double
    /// Neither: the runner's own time.
    public var runnerOnlySeconds: Double
    /// CPU seconds (user + system) of the runner process during the run, and of the stage
    /// processes it waited for (local executor only); CPU used before the run (the build
    /// `swift run` did before executing the runner) is not counted.
    public var runnerCPUSeconds: Double?
    public var stageCPUSeconds: Double?
    /// Per stage, in plan order; then a total per stage type that has several stages.
    public var stages: [GroupTimes]
    public var types: [GroupTimes]
    public var instances: [Instance]

    public static let fileName = "run-times.json"

    /// Computes the split of a run that lasted `totalSeconds`; stages in the order of `stageOrder`
    /// (then any other stage by name).
    public init(pipeline: String, executor: String, jobs: Int?, startedAt: Date, totalSeconds: Double,
                instances: [Instance], stageOrder: [String] = [], runnerCPUSeconds: Double? = nil, stageCPUSeconds: Double? = nil) {
        self.pipeline = pipeline
        self.executor = executor
        self.jobs = jobs
        self.startedAt = ISO8601DateFormatter().string(from: startedAt)
        self.totalSeconds = totalSeconds
        self.instances = instances
        self.runnerCPUSeconds = runnerCPUSeconds
        self.stageCPUSeconds = stageCPUSeconds
        let running = instances.compactMap { item in item.started.map { ($0, item.ended) } }
        let launched = instances.map { ($0.launched, $0.ended) }
        runningSeconds = Self.unionLength(running)
        queuedOnlySeconds = max(Self.unionLength(running + launched) - runningSeconds, 0)
        runnerOnlySeconds = max(totalSeconds - runningSeconds - queuedOnlySeconds, 0)
        let names = Set(instances.map(\.stage))
        let ordered = stageOrder.filter(names.contains) + names.subtracting(stageOrder).sorted()
        let stages = ordered.map { stage in Self.group(stage, type: instances.first { $0.stage == stage }!.type, instances.filter { $0.stage == stage }) }
        self.stages = stages
        var typeNames: [String] = []
        for stage in stages where !typeNames.contains(stage.type) { typeNames.append(stage.type) }
        types = typeNames.compactMap { type in
            let covered = stages.filter { $0.type == type }.map(\.name)
            guard covered.count > 1 else { return nil }
            return Self.group(type, type: covered.joined(separator: ","), instances.filter { $0.type == type })
        }
    }

    private static func group(_ name: String, type: String, _ members: [Instance]) -> GroupTimes {
        let ran = members.filter { $0.started != nil }
        let built = members.filter { $0.outcome == "built" && !$0.adopted }
        let epochs = built.compactMap(\.epochs)
        let epochSum = epochs.reduce(0, +)
        let epochSeconds = built.filter { $0.epochs != nil }.map(\.seconds).reduce(0, +)
        return GroupTimes(name: name, type: type, instances: members.count,
                          summedSeconds: ran.map(\.seconds).reduce(0, +),
                          spanSeconds: ran.isEmpty ? 0 : ran.map(\.ended).max()! - ran.compactMap(\.started).min()!,
                          epochs: epochs.isEmpty ? nil : epochSum,
                          secondsPerEpoch: epochSum > 0 ? epochSeconds / Double(epochSum) : nil,
                          secondsPerBuiltInstance: built.isEmpty ? nil : built.map(\.seconds).reduce(0, +) / Double(built.count))
    }

    /// The length of the union of intervals `[start, end)`.
    public static func unionLength(_ intervals: [(Double, Double)]) -> Double {
        var total = 0.0
        var current: (Double, Double)?
        for (start, end) in intervals.filter({ $0.1 > $0.0 }).sorted(by: { $0.0 < $1.0 }) {
            if let (from, to) = current, start <= to {
                current = (from, max(to, end))
            } else {
                if let (from, to) = current { total += to - from }
                current = (start, end)
            }
        }
        if let (from, to) = current { total += to - from }
        return total
    }

    /// The lines `run` prints at its end.
    public var lines: [String] {
        func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }
        var lines = ["wall time \(seconds(totalSeconds)) (\(ProgressDisplay.duration(totalSeconds))); per stage, running seconds summed over its instances and the span from first start to last end:"]
        let labels = stages.map { $0.name == $0.type ? $0.name : "\($0.name) (\($0.type))" } + types.map { "all \($0.name) (\($0.type))" }
        let width = max(labels.map(\.count).max() ?? 0, 7)
        for (label, group) in zip(labels, stages + types) {
            var line = "  " + label.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: " %4d × %10.1f s summed %10.1f s span", group.instances, group.summedSeconds, group.spanSeconds)
            if let rate = group.secondsPerEpoch, let epochs = group.epochs { line += String(format: "  (%d epochs, %.3f s/epoch)", epochs, rate) }
            lines.append(line)
        }
        let share = { (value: Double) in totalSeconds > 0 ? String(format: " (%.1f %%)", 100 * value / totalSeconds) : "" }
        lines.append("  at least one stage running \(seconds(runningSeconds))" + share(runningSeconds))
        if executor != "local" || queuedOnlySeconds > 0 {
            lines.append("  only queued (scheduler wait) \(seconds(queuedOnlySeconds))" + share(queuedOnlySeconds))
        }
        var overhead = "  runner only (no stage running) \(seconds(runnerOnlySeconds))" + share(runnerOnlySeconds)
        if let runnerCPUSeconds { overhead += String(format: "; runner CPU %.1f s", runnerCPUSeconds) }
        if let stageCPUSeconds { overhead += String(format: ", stage CPU %.1f s", stageCPUSeconds) }
        lines.append(overhead)
        if instances.contains(where: \.adopted) {
            lines.append("  (adopted jobs count from when this run adopted them)")
        }
        return lines
    }

    /// Writes `run-times.json` into the artifact folder `root`.
    public func write(into root: URL) throws {
        try JSONFiles.write(self, to: root.appendingPathComponent(Self.fileName))
    }

    /// The `run-times.json` of `root`, if any and readable.
    public static func read(from root: URL) -> RunTimes? {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(fileName).path) else { return nil }
        return try? JSONDecoder().decode(RunTimes.self, from: data)
    }

    /// Speeds for the ETA of the next run.
    public var prior: RunEstimator.Prior {
        var prior = RunEstimator.Prior()
        for stage in stages {
            prior.secondsPerEpoch[stage.name] = stage.secondsPerEpoch
            prior.secondsPerInstance[stage.name] = stage.secondsPerBuiltInstance
        }
        return prior
    }
}
