import Artifacts
import Formats
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How stage processes are started: `executable leadingArguments… <type> --output DIR …`.
/// The `pipeline` executable uses itself with `["stage"]`, so no other product must be built.
public struct StageLauncher: Sendable {
    public var executable: String
    public var leadingArguments: [String]

    public init(executable: String, leadingArguments: [String]) {
        self.executable = executable
        self.leadingArguments = leadingArguments
    }
}

/// Options of `pipeline run`.
public struct RunOptions: Sendable {
    /// `--stage`: only these instances (plus any upstream instance that was never built).
    public var selection: InstanceSelection?
    /// `--downstream`: with `--stage`, also everything that depends on the selection.
    public var downstream = false
    /// `--force`: rebuild the selected instances even if up to date.
    public var force = false
    /// `--jobs`: at most this many stage processes at once.
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// `--fail-fast`: stop everything at the first failure.
    public var failFast = false
    /// When the run's clock starts, for the wall-time split (default: when ``PipelineRunner/run()`` starts).
    public var clockStart: Date?

    public init() {}
}

/// What a run did (instance ids in plan order).
public struct RunSummary: Sendable {
    public var built: [String] = []
    public var upToDate: [String] = []
    public var failed: [String] = []
    public var notRun: [String] = []
    /// The signal that interrupted the run, if any.
    public var interruption: Int32?
    /// Where the wall time went (also in `run-times.json` when anything was launched).
    public var times: RunTimes?

    public var succeeded: Bool { failed.isEmpty && notRun.isEmpty && interruption == nil }
}

/// Runs the instances of a plan through an executor (local child processes, up to `jobs` at
/// a time, or Slurm batch jobs), in dependency order, skipping up-to-date ones and recording
/// each completed instance in pipeline.lock. Cache decisions and folders are the runner's, so
/// they are the same whatever the executor.
///
/// Folder rules: an instance is rebuilt in place when it is incomplete and was started with
/// the same key (recorded in the hidden `.pipeline-key`), so stages that resume (train's
/// checkpoints) continue; a folder built with another key, a complete but stale folder, or a
/// forced one is moved aside and deleted first, so no outputs of an old configuration survive.
/// Each instance's stdout and stderr are appended to `stage.log` in its folder.
public final class PipelineRunner {
    public static let logName = "stage.log"
    static let keyMarkerName = ".pipeline-key"
    /// The key marker of an instance queued before its inputs were built: its key is unknown
    /// until they are, so an interrupted attempt is never resumed under another key.
    static let pendingKey = "pending: inputs not built yet"

    let plan: PipelinePlan
    /// `Artifacts/<pipeline>` as given to the children (may be relative to the working folder).
    let rootPath: String
    /// The same, absolute.
    let absoluteRoot: String
    let launcher: StageLauncher
    let options: RunOptions
    let display: ProgressDisplay
    let executor: StageExecutor
    var cache: CacheState

    /// `executor` defaults to local child processes.
    public init(plan: PipelinePlan, rootPath: String, launcher: StageLauncher, options: RunOptions, display: ProgressDisplay,
                executor: StageExecutor = LocalExecutor()) throws {
        self.plan = plan
        self.rootPath = rootPath
        absoluteRoot = rootPath.hasPrefix("/") ? rootPath : FileManager.default.currentDirectoryPath + "/" + rootPath
        self.launcher = launcher
        self.options = options
        self.display = display
        self.executor = executor
        cache = try CacheState(plan: plan, root: URL(fileURLWithPath: rootPath))
    }

    /// The instances this run considers and those it forces, in plan order.
    public func scope() throws -> (instances: [Int], forced: Set<Int>) {
        guard let selection = options.selection else {
            let all = Array(plan.instances.indices)
            return (all, options.force ? Set(all) : [])
        }
        var chosen = Set(try selection.resolve(in: plan))
        let forced = options.force ? chosen : []
        if options.downstream { chosen.formUnion(plan.descendants(of: chosen)) }
        let unbuilt = plan.ancestors(of: Array(chosen)).filter { !chosen.contains($0) && cache.manifest(of: $0) == nil }
        chosen.formUnion(unbuilt)
        return (chosen.sorted(), forced)
    }

    /// `--dry-run`: one line per instance in scope saying what `run` would do and why.
    public func planLines() throws -> [String] {
        let (scope, forced) = try scope()
        let statuses = cache.statuses()
        let width = scope.map { plan.instances[$0].id.description.count }.max() ?? 0
        return scope.map { index in
            let id = plan.instances[index].id.description.padding(toLength: width, withPad: " ", startingAt: 0)
            if forced.contains(index) { return "run    \(id)  forced" }
            switch statuses[index] {
            case .upToDate: return "skip   \(id)  up to date"
            case let .waiting(ids): return "check  \(id)  after \(ids.joined(separator: ", ")) (rebuilt only if their outputs change)"
            case .stale: return "run    \(id)  \(statuses[index])"
            }
        }
    }

    /// `--dry-run` for an executor that queues dependencies: every instance in scope that may
    /// run (stale, forced, or downstream of one that runs), in plan order, with the instances
    /// among those it would wait for, and whether its submission waits until its inputs are
    /// built (it is rebuilt only if they change, or it waits for such an instance).
    public func batchPreview() throws -> [(job: StageJob, after: [InstanceID], deferred: Bool)] {
        let (scope, forced) = try scope()
        let statuses = cache.statuses()
        var runs = Set<Int>()
        var deferred = Set<Int>()
        return scope.compactMap { index in
            let after = plan.instances[index].upstream.filter(runs.contains)
            guard forced.contains(index) || !statuses[index].isUpToDate || !after.isEmpty else { return nil }
            runs.insert(index)
            if !rebuildsRegardless(index, forced: forced) || after.contains(where: deferred.contains) { deferred.insert(index) }
            return (job(index), after.map { plan.instances[$0].id }, deferred.contains(index))
        }
    }

    /// Where an instance is in this run.
    private enum State {
        case pending
        /// Handed to the executor. `fingerprint` is nil while it is queued ahead of its inputs
        /// (its key needs their outputs); `since` is when it was launched, then when it started.
        case launched(JobHandle, fingerprint: Fingerprint?, state: JobState, since: Date)
        case built, upToDate, failed, notRun
    }

    /// What the runner saw of a launched instance, for the ETA and the wall-time split.
    private struct Timing {
        var launched: Date
        var started: Date?
        var ended: Date?
        var outcome = ""
        var adopted = false
        /// Epoch progress (a stage with an `epochs` parameter), else nil.
        var track: RunEstimator.EpochTrack?
    }

    /// Runs everything in scope and returns what happened. Installs SIGINT/SIGTERM handling:
    /// on a signal, the executor cancels what it launched (local children get SIGTERM, SIGKILL
    /// after 10 s) and the run returns interrupted.
    ///
    /// An executor that queues dependencies (Slurm) gets every instance that is rebuilt whatever
    /// its inputs turn out to be as soon as the jobs of those inputs are queued, so a plan is
    /// queued at once; an instance whose cache decision needs its inputs' outputs is decided,
    /// as locally, once they are built.
    public func run() throws -> RunSummary {
        var (scope, forced) = try scope()
        try executor.checkReady()
        let interruption = Interruption()
        removeTrash()
        var states = [Int: State]()
        var checked = Set<Int>()
        for index in scope { states[index] = .pending }
        var summary = RunSummary()
        var stopping = false
        var lastUpdate = Date.distantPast
        var lastWarning: String?
        let clockStart = options.clockStart ?? Date()
        var timings = [Int: Timing]()
        let estimator = RunEstimator(jobs: executor.usesLocalCores ? options.jobs : nil,
                                     prior: RunTimes.read(from: cache.root)?.prior ?? RunEstimator.Prior())
        func track(_ index: Int, launchedAt date: Date, state: JobState, adopted: Bool = false) {
            let start = plannedEpochs(index) == nil ? nil : ProgressEvent.latest(in: cache.folder(of: index))?.epoch ?? 0
            timings[index] = Timing(launched: date, started: state == .queued ? nil : date, adopted: adopted,
                                    track: start.map(RunEstimator.EpochTrack.init(startEpoch:)))
        }
        func observe(_ index: Int, _ progress: ProgressEvent?, now: Date) {
            guard let progress, let timing = timings[index], timing.track != nil else { return }
            timings[index]!.track!.observe(epoch: progress.epoch, at: now.timeIntervalSince(timing.started ?? timing.launched))
        }
        func end(_ index: Int, _ outcome: String) {
            guard timings[index] != nil, timings[index]!.ended == nil else { return }
            observe(index, timings[index]!.track == nil ? nil : ProgressEvent.latest(in: cache.folder(of: index)), now: Date())
            timings[index]!.ended = Date()
            timings[index]!.outcome = outcome
        }

        for (index, job) in try adoptedJobs() {
            states[index] = .launched(job.handle, fingerprint: nil, state: job.state, since: Date())
            track(index, launchedAt: Date(), state: job.state, adopted: true)
            display.event("adopted  \(plan.instances[index].id)  (\(job.handle), \(job.state))")
            scope.append(index)
        }
        scope = Set(scope).sorted()
        let rebuiltRegardless = executor.queuesDependencies ? Set(scope.filter { rebuildsRegardless($0, forced: forced) }) : []

        func counts() -> RunCounts {
            var counts = RunCounts(total: scope.count)
            for state in states.values {
                switch state {
                case .built, .upToDate: counts.done += 1
                case .launched(_, _, .queued, _): counts.queued += 1
                case .launched: counts.running += 1
                case .failed, .notRun: counts.failed += 1
                case .pending: counts.waiting += 1
                }
            }
            return counts
        }
        func isFinished(_ index: Int) -> Bool {
            switch states[index] {
            case nil, .built?, .upToDate?: return true
            default: return false
            }
        }
        func isBroken(_ index: Int) -> Bool {
            switch states[index] {
            case .failed?, .notRun?: return true
            default: return false
            }
        }
        func activeJob(_ index: Int) -> JobHandle? {
            if case let .launched(handle, _, state, _)? = states[index], !state.isFinished { return handle }
            return nil
        }
        func notRun(_ index: Int, because broken: Int, cancelled handle: JobHandle? = nil) {
            states[index] = .notRun
            summary.notRun.append(plan.instances[index].id.description)
            display.event("not run  \(plan.instances[index].id)  (upstream \(plan.instances[broken].id) failed" + (handle.map { "; cancelled \($0)" } ?? "") + ")")
        }

        while true {
            if let signal = interruption.received, summary.interruption == nil {
                summary.interruption = signal
                display.event("interrupted (signal \(signal)): stopping running stages…")
                stopping = true
            }
            if !stopping {
                for index in scope {
                    let instance = plan.instances[index]
                    switch states[index] {
                    case .pending?:
                        if let broken = instance.upstream.first(where: isBroken) {
                            notRun(index, because: broken)
                            continue
                        }
                        if instance.upstream.allSatisfy(isFinished) {
                            // Its inputs are final now: decide once whether it is up to date.
                            if checked.insert(index).inserted, !forced.contains(index),
                               cache.status(of: index, upstreamStatus: { _ in .upToDate }) == .upToDate {
                                states[index] = .upToDate
                                summary.upToDate.append(instance.id.description)
                                display.event("up to date  \(instance.id)")
                                continue
                            }
                            let busy = counts()
                            guard !executor.usesLocalCores || busy.running + busy.queued < max(options.jobs, 1) else { continue }
                        } else {
                            guard rebuiltRegardless.contains(index),
                                  instance.upstream.allSatisfy({ isFinished($0) || activeJob($0) != nil }) else { continue }
                        }
                        let upstream = instance.upstream.compactMap(activeJob)
                        do {
                            let (handle, fingerprint) = try launch(index, forced: forced.contains(index), after: upstream)
                            let state = (try? executor.poll([handle]))?[handle] ?? .queued
                            states[index] = .launched(handle, fingerprint: fingerprint, state: state, since: Date())
                            track(index, launchedAt: Date(), state: state)
                            display.event(state == .queued
                                ? "queued  \(instance.id)  (\(handle)" + (upstream.isEmpty ? "" : ", afterok:" + upstream.map(\.id).joined(separator: ":")) + ")"
                                : "start  \(instance.id)" + (executor.queuesDependencies ? "  (\(handle))" : ""))
                        } catch {
                            states[index] = .failed
                            summary.failed.append(instance.id.description)
                            display.event("failed  \(instance.id): \(error)")
                        }
                    case let .launched(handle, nil, state, since)?:
                        // Queued ahead of its inputs: cancel it if one failed; its key is known once all are built.
                        if let broken = instance.upstream.first(where: isBroken) {
                            executor.cancel([handle])
                            executor.forget(handle)
                            end(index, "stopped")
                            notRun(index, because: broken, cancelled: handle)
                        } else if instance.upstream.allSatisfy(isFinished), let fingerprint = cache.fingerprint(of: index) {
                            try? AtomicFile.write(fingerprint.key + "\n", to: cache.folder(of: index).appendingPathComponent(Self.keyMarkerName))
                            states[index] = .launched(handle, fingerprint: fingerprint, state: state, since: since)
                        }
                    default:
                        break
                    }
                }
            }
            var polled: [JobHandle: JobState] = [:]
            do {
                polled = try executor.poll(scope.compactMap(activeJob))
                lastWarning = nil
            } catch {
                let warning = "warning: cannot get the state of the launched jobs (\(error)); retrying"
                if warning != lastWarning { display.event(warning) }
                lastWarning = warning
            }
            var anyActive = false
            for index in scope {
                guard case let .launched(handle, fingerprint, previous, since)? = states[index] else { continue }
                let state = polled[handle] ?? previous
                let instance = plan.instances[index]
                if previous == .queued && state == .running {
                    display.event("start  \(instance.id)  (\(handle))")
                    timings[index]?.started = Date()
                }
                guard case let .finished(ending) = state else {
                    anyActive = true
                    states[index] = .launched(handle, fingerprint: fingerprint, state: state, since: previous == state ? since : Date())
                    continue
                }
                executor.forget(handle)
                let seconds = Date().timeIntervalSince(since)
                if timings[index]?.started == nil { timings[index]?.started = since }   // ran between two polls
                if ending == .exited(0), let manifest = cache.manifest(of: index) {
                    do {
                        guard let fingerprint = fingerprint ?? cache.fingerprint(of: index) else {
                            throw PipelineError.io(path: cache.folder(of: index).path, reason: "upstream not built: \(cache.unbuiltInputs(of: index).joined(separator: ", "))")
                        }
                        try cache.record(index, fingerprint: fingerprint, manifest: manifest)
                        states[index] = .built
                        end(index, "built")
                        summary.built.append(instance.id.description)
                        display.event("done  \(instance.id)  (\(ProgressDisplay.duration(seconds)))")
                        continue
                    } catch {
                        display.event("failed  \(instance.id): \(error)")
                    }
                } else if let broken = instance.upstream.first(where: isBroken) {
                    end(index, "stopped")
                    notRun(index, because: broken, cancelled: handle)   // by the scheduler: an upstream job failed
                    continue
                } else {
                    let why = ending == .exited(0) ? "exited without writing manifest.json" : ending.description
                    let log = cache.folder(of: index).appendingPathComponent(Self.logName)
                    let tail = Self.tail(of: log, lines: 8).map { "    | " + $0 }.joined(separator: "\n")
                    display.event("failed  \(instance.id): \(why) after \(ProgressDisplay.duration(seconds)); log: \(rootPath)/\(instance.folder)/\(Self.logName)" + (tail.isEmpty ? "" : "\n" + tail))
                }
                states[index] = .failed
                end(index, summary.interruption == nil ? "failed" : "stopped")
                if summary.interruption == nil { summary.failed.append(instance.id.description) }
                if options.failFast && !stopping && summary.interruption == nil {
                    display.event("--fail-fast: stopping the other stages")
                    stopping = true
                }
            }
            if stopping {
                let active = scope.compactMap(activeJob)
                executor.cancel(active)
                executor.waitUntilStopped(active)
                for index in scope {
                    switch states[index] {
                    case let .launched(handle, _, _, _)?:
                        executor.forget(handle)
                        end(index, "stopped")
                        fallthrough
                    case .pending?:
                        states[index] = .notRun
                        summary.notRun.append(plan.instances[index].id.description)
                    default: break
                    }
                }
                break
            }
            if !anyActive && !states.values.contains(where: { if case .pending = $0 { return true } else { return false } }) { break }
            if Date().timeIntervalSince(lastUpdate) >= 0.5 {
                let now = Date()
                lastUpdate = now
                var running: [(id: String, progress: ProgressEvent?, seconds: Double)] = []
                var queued: [(id: String, seconds: Double)] = []
                for index in scope {
                    guard case let .launched(_, _, state, since)? = states[index] else { continue }
                    let id = plan.instances[index].id.description
                    if state == .queued {
                        queued.append((id, now.timeIntervalSince(since)))
                    } else {
                        let progress = ProgressEvent.latest(in: cache.folder(of: index))
                        observe(index, progress, now: now)
                        running.append((id, progress, now.timeIntervalSince(since)))
                    }
                }
                let items = plan.instances.indices.map { index in
                    estimatorItem(index, state: states[index], timing: timings[index], now: now)
                }
                display.update(counts: counts(), running: running, queued: queued, eta: .some(estimator.estimate(items)))
            }
            usleep(50_000)
        }
        display.finish()
        let finished = Date()
        var usage = rusage()
        getrusage(Self.usageOfSelf, &usage)
        let runnerCPU = Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime)
        getrusage(Self.usageOfChildren, &usage)
        let stageCPU = executor.usesLocalCores ? Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime) : nil
        let instances = timings.keys.sorted().map { index in
            let timing = timings[index]!
            let epochs = timing.track.flatMap { $0.latestEpoch > $0.startEpoch ? $0.latestEpoch - $0.startEpoch : nil }
            return RunTimes.Instance(id: plan.instances[index].id.description, stage: plan.instances[index].id.stage,
                                     type: plan.instances[index].type.rawValue,
                                     launched: timing.launched.timeIntervalSince(clockStart),
                                     started: timing.started?.timeIntervalSince(clockStart),
                                     ended: (timing.ended ?? finished).timeIntervalSince(clockStart),
                                     outcome: timing.outcome.isEmpty ? "stopped" : timing.outcome, epochs: epochs, adopted: timing.adopted)
        }
        let times = RunTimes(pipeline: plan.definition.name, executor: executor.usesLocalCores ? "local" : executor is SlurmExecutor ? "slurm" : "scheduler",
                             jobs: executor.usesLocalCores ? options.jobs : nil, startedAt: clockStart,
                             totalSeconds: finished.timeIntervalSince(clockStart), instances: instances,
                             stageOrder: plan.instances.reduce(into: [String]()) { if !$0.contains($1.id.stage) { $0.append($1.id.stage) } },
                             runnerCPUSeconds: runnerCPU, stageCPUSeconds: stageCPU)
        summary.times = times
        if !instances.isEmpty {
            do { try times.write(into: cache.root) } catch { display.event("warning: cannot write \(RunTimes.fileName): \(error)") }
        }
        let order = Dictionary(uniqueKeysWithValues: plan.instances.enumerated().map { ($1.id.description, $0) })
        for path in [\RunSummary.built, \.upToDate, \.failed, \.notRun] as [WritableKeyPath<RunSummary, [String]>] {
            summary[keyPath: path].sort { order[$0]! < order[$1]! }
        }
        return summary
    }

    /// The estimator's view of instance `index`.
    private func estimatorItem(_ index: Int, state: State?, timing: Timing?, now: Date) -> RunEstimator.Item {
        let instance = plan.instances[index]
        let phase: RunEstimator.Phase
        switch state {
        case nil, .upToDate?: phase = .skipped
        case .pending?: phase = .pending
        case .launched(_, _, .queued, _)?: phase = .queued
        case .launched?: phase = .running(elapsed: now.timeIntervalSince(timing?.started ?? timing?.launched ?? now))
        case .built?:
            let seconds = timing.flatMap { timing in timing.started.map { (timing.ended ?? now).timeIntervalSince($0) } }
            phase = timing?.adopted == true || seconds == nil ? .skipped : .finished(seconds: seconds!)
        case .failed?, .notRun?: phase = .broken
        }
        return RunEstimator.Item(stage: instance.id.stage, upstream: instance.upstream,
                                 epochs: plannedEpochs(index), phase: phase, track: timing?.track)
    }

    /// The planned epochs of instance `index` (a stage with an `epochs` parameter), else nil.
    private func plannedEpochs(_ index: Int) -> Int? {
        plan.instances[index].parameters.train?.epochs
    }

    #if canImport(Glibc)
    static let usageOfSelf = RUSAGE_SELF.rawValue, usageOfChildren = RUSAGE_CHILDREN.rawValue
    #else
    static let usageOfSelf = RUSAGE_SELF, usageOfChildren = RUSAGE_CHILDREN
    #endif

    static func seconds(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) / 1e6 }

    /// Jobs of an earlier run that are still queued or running, or succeeded unseen, in plan
    /// order. A job is kept only if its inputs are final: each upstream instance is kept itself,
    /// or up to date with inputs that are final. The others read inputs this run rebuilds (the
    /// pipeline file was edited since), so they are cancelled, or their outputs ignored.
    private func adoptedJobs() throws -> [(Int, (handle: JobHandle, state: JobState))] {
        let adopted = try executor.adopt(plan.instances.indices.map(job), note: display.event)
        guard !adopted.isEmpty else { return [] }
        var kept: [(Int, (handle: JobHandle, state: JobState))] = []
        var final = Set<Int>()
        for index in plan.instances.indices {
            let inputsFinal = plan.instances[index].upstream.allSatisfy(final.contains)
            if let job = adopted[index] {
                if inputsFinal {
                    kept.append((index, job))
                    final.insert(index)
                    continue
                }
                if !job.state.isFinished {
                    executor.cancel([job.handle])
                    executor.waitUntilStopped([job.handle])
                }
                executor.forget(job.handle)
                display.event("not adopted  \(plan.instances[index].id)  (\(job.handle) read inputs that this run rebuilds" + (job.state.isFinished ? ")" : "; cancelled)"))
            } else if inputsFinal, cache.status(of: index, upstreamStatus: { _ in .upToDate }) == .upToDate {
                final.insert(index)
            }
        }
        return kept
    }

    /// Whether instance `index` is rebuilt whatever its upstream instances produce in this run:
    /// forced, or stale for a reason of its own (missing, incomplete, not recorded, changed
    /// parameters, tool version or outputs). Stale only because its inputs changed, or up to
    /// date so far, it may still turn out up to date once they are rebuilt.
    func rebuildsRegardless(_ index: Int, forced: Set<Int>) -> Bool {
        if forced.contains(index) { return true }
        guard case let .stale(reasons) = cache.status(of: index, upstreamStatus: { _ in .upToDate }) else { return false }
        return reasons.contains { reason in
            switch reason {
            case .inputsChanged, .upstreamNotBuilt: return false
            default: return true
            }
        }
    }

    /// What the executor runs for instance `index`: the same command whatever the executor.
    public func job(_ index: Int) -> StageJob {
        let instance = plan.instances[index]
        let folder = URL(fileURLWithPath: absoluteRoot).appendingPathComponent(instance.folder)
        let threads = instance.parameters.train?.threads
        return StageJob(index: index, id: instance.id, type: instance.type, name: plan.definition.name + "/" + instance.folder,
                        command: [launcher.executable] + launcher.leadingArguments + [instance.type.rawValue] + plan.arguments(of: index, root: rootPath),
                        workingDirectory: FileManager.default.currentDirectoryPath,
                        folder: folder, log: folder.appendingPathComponent(Self.logName), threads: threads)
    }

    /// Prepares the instance folder and hands the instance to the executor. `upstream` are the
    /// jobs of inputs still being built: then the key is not known yet, the marker says so
    /// (``pendingKey``) and the runner writes the key once they are built.
    private func launch(_ index: Int, forced: Bool, after upstream: [JobHandle]) throws -> (JobHandle, Fingerprint?) {
        let fingerprint = cache.fingerprint(of: index)
        guard fingerprint != nil || !upstream.isEmpty else {
            throw PipelineError.io(path: cache.folder(of: index).path, reason: "upstream not built: \(cache.unbuiltInputs(of: index).joined(separator: ", "))")
        }
        let key = upstream.isEmpty ? fingerprint!.key : Self.pendingKey
        let folder = cache.folder(of: index)
        if let holder = StageLock.holder(of: folder) {
            throw PipelineError.io(path: folder.path, reason: "still being written by \(holder), a stage process of an earlier run whose runner "
                + "was stopped; wait for it to exit (or stop it), then run again")
        }
        let marker = folder.appendingPathComponent(Self.keyMarkerName)
        let previousKey = (try? String(contentsOf: marker, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let complete = FileManager.default.fileExists(atPath: folder.appendingPathComponent(Manifest.fileName).path)
        if forced || complete || (previousKey != nil && (previousKey != key || key == Self.pendingKey)) {
            try moveAside(folder)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicFile.write(key + "\n", to: marker)
        let job = job(index)
        let header = "=== \(ISO8601DateFormatter().string(from: Date())) \(job.command.joined(separator: " "))\n"
        if let handle = FileHandle(forWritingAtPath: job.log.path) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(header.utf8))
            try? handle.close()
        } else {
            try Data(header.utf8).write(to: job.log)
        }
        return (try executor.launch(job, after: upstream), upstream.isEmpty ? fingerprint : nil)
    }

    /// Renames `folder` to a hidden trash folder and deletes it, so a crash mid-way never
    /// leaves a half-deleted instance folder under its own name.
    private func moveAside(_ folder: URL) throws {
        guard FileManager.default.fileExists(atPath: folder.path) else { return }
        let trash = cache.root.appendingPathComponent(".trash-\(UUID().uuidString)")
        do {
            try FileManager.default.moveItem(at: folder, to: trash)
        } catch {
            throw PipelineError.io(path: folder.path, reason: "cannot clear the old outputs: \(error.localizedDescription)")
        }
        try? FileManager.default.removeItem(at: trash)
    }

    /// Deletes trash folders left by an interrupted run.
    private func removeTrash() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.root.path)) ?? []
        for name in names where name.hasPrefix(".trash-") {
            try? FileManager.default.removeItem(at: cache.root.appendingPathComponent(name))
        }
    }

    /// The last `lines` lines of a log file.
    static func tail(of url: URL, lines: Int) -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map(String.init)
    }
}
