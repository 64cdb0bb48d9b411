import Artifacts
import Formats
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `pipeline run` in motion: where each instance in scope is, what the runner saw of the
/// launched ones, and the summary so far. ``run()`` repeats a pass of named steps — notice a
/// signal, launch what is ready, settle what finished, stop everything (on a signal or
/// `--fail-fast`), refresh the display — until nothing is pending or active, then writes the
/// run times. Folder and cache decisions stay with ``PipelineRunner``.
final class RunLoop {
    /// Where an instance is in this run.
    private enum State {
        case pending
        /// Handed to the executor. `fingerprint` is nil while it is queued ahead of its inputs
        /// (its key needs their outputs); `since` is when it was launched, then when it started.
        case launched(JobHandle, fingerprint: Fingerprint?, state: JobState, since: Date)
        case built, upToDate, failed, interrupted, notRun
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

    private let runner: PipelineRunner
    private var scope: [Int]
    private let forced: Set<Int>
    /// With an executor that queues dependencies: the instances launched before their inputs are built.
    private let rebuiltRegardless: Set<Int>
    private let interruption: Interruption
    private let clockStart: Date
    /// CPU seconds used before the run (by `swift run`'s build, or by the plan): not the run's.
    private let cpuBefore: (runner: Double, stages: Double)
    private let estimator: RunEstimator
    private var states = [Int: State]()
    private var timings = [Int: Timing]()
    /// Pending instances whose cache decision was made (once, when their inputs became final).
    private var checked = Set<Int>()
    private var summary = RunSummary()
    private var stopping = false
    private var lastUpdate = Date.distantPast
    private var lastWarning: String?

    private var plan: PipelinePlan { runner.plan }
    private var display: ProgressDisplay { runner.display }
    private var executor: StageExecutor { runner.executor }

    /// Takes over the jobs of an earlier run that are still alive (see `PipelineRunner.adoptedJobs`).
    init(runner: PipelineRunner, scope: [Int], forced: Set<Int>, interruption: Interruption,
         cpuBefore: (runner: Double, stages: Double)) throws {
        self.runner = runner
        self.forced = forced
        self.interruption = interruption
        self.cpuBefore = cpuBefore
        clockStart = runner.options.clockStart ?? Date()
        estimator = RunEstimator(jobs: runner.executor.usesLocalCores ? runner.options.jobs : nil,
                                 prior: RunTimes.read(from: runner.cache.root)?.prior ?? RunEstimator.Prior())
        let adopted = try runner.adoptedJobs()
        self.scope = Set(scope + adopted.map(\.0)).sorted()
        rebuiltRegardless = runner.executor.queuesDependencies
            ? Set(self.scope.filter { runner.rebuildsRegardless($0, forced: forced) }) : []
        for index in scope { states[index] = .pending }
        for (index, job) in adopted {
            states[index] = .launched(job.handle, fingerprint: nil, state: job.state, since: Date())
            track(index, launchedAt: Date(), state: job.state, adopted: true)
            display.event("adopted  \(plan.instances[index].id)  (\(job.handle), \(job.state))")
        }
    }

    /// Runs passes until the run is over; returns what happened.
    func run() -> RunSummary {
        while true {
            noticeSignal()
            if !stopping { launchReady() }
            let anyActive = settleFinished(pollActive())
            if stopping {
                stopAll()
                break
            }
            if !anyActive && !states.values.contains(where: { if case .pending = $0 { return true } else { return false } }) { break }
            refreshDisplay()
            usleep(50_000)
        }
        display.finish()
        writeRunTimes()
        return sortedSummary()
    }

    // MARK: The steps of a pass

    /// A SIGINT/SIGTERM received since the last pass starts stopping the run.
    private func noticeSignal() {
        guard let signal = interruption.received, summary.interruption == nil else { return }
        summary.interruption = signal
        display.event("interrupted (signal \(signal)): stopping running stages…")
        stopping = true
    }

    /// Launches every pending instance whose inputs allow it (up to `--jobs` local stages),
    /// marks up to date or not run what can be decided, and writes the key of instances queued
    /// ahead of inputs that are now built.
    private func launchReady() {
        // Counted once per pass (not per instance: that made a pass quadratic in the plan).
        let now = counts()
        var busy = now.running + now.queued
        for index in scope {
            switch states[index] {
            case .pending?:
                advancePending(index, busy: &busy)
            case let .launched(handle, nil, state, since)?:
                settleQueuedAhead(index, handle: handle, state: state, since: since)
            default:
                break
            }
        }
    }

    /// A pending instance: not run after a broken input; once its inputs are final, up to date
    /// or launched; launched early when the executor queues dependencies and it is rebuilt anyway.
    private func advancePending(_ index: Int, busy: inout Int) {
        let instance = plan.instances[index]
        if let broken = instance.upstream.first(where: isBroken) {
            notRun(index, because: broken)
            return
        }
        if instance.upstream.allSatisfy(isFinished) {
            // Its inputs are final now: decide once whether it is up to date.
            if checked.insert(index).inserted, !forced.contains(index),
               runner.cache.status(of: index, upstreamStatus: { _ in .upToDate }) == .upToDate {
                states[index] = .upToDate
                summary.upToDate.append(instance.id.description)
                display.event("up to date  \(instance.id)")
                return
            }
            guard !executor.usesLocalCores || busy < max(runner.options.jobs, 1) else { return }
        } else {
            guard rebuiltRegardless.contains(index),
                  instance.upstream.allSatisfy({ isFinished($0) || activeJob($0) != nil }) else { return }
        }
        let upstream = instance.upstream.compactMap(activeJob)
        do {
            let (handle, fingerprint) = try runner.launch(index, forced: forced.contains(index), after: upstream)
            let state = (try? executor.poll([handle]))?[handle] ?? .queued
            states[index] = .launched(handle, fingerprint: fingerprint, state: state, since: Date())
            busy += 1
            track(index, launchedAt: Date(), state: state)
            display.event(state == .queued
                ? "queued  \(instance.id)  (\(handle)" + (upstream.isEmpty ? "" : ", afterok:" + upstream.map(\.id).joined(separator: ":")) + ")"
                : "start  \(instance.id)" + (executor.queuesDependencies ? "  (\(handle))" : ""))
        } catch {
            states[index] = .failed
            summary.failed.append(instance.id.description)
            display.event("failed  \(instance.id): \(ArtifactError.message(for: error))")
        }
    }

    /// An instance queued ahead of its inputs: cancelled if one failed; its key is written once all are built.
    private func settleQueuedAhead(_ index: Int, handle: JobHandle, state: JobState, since: Date) {
        let instance = plan.instances[index]
        if let broken = instance.upstream.first(where: isBroken) {
            executor.cancel([handle])
            executor.forget(handle)
            end(index, "stopped")
            notRun(index, because: broken, cancelled: handle)
        } else if instance.upstream.allSatisfy(isFinished), let fingerprint = runner.cache.fingerprint(of: index) {
            try? AtomicFile.write(fingerprint.key + "\n",
                                  to: runner.cache.folder(of: index).appendingPathComponent(PipelineRunner.keyMarkerName))
            states[index] = .launched(handle, fingerprint: fingerprint, state: state, since: since)
        }
    }

    /// The executor's view of the active jobs; a failed poll is warned about once and retried next pass.
    private func pollActive() -> [JobHandle: JobState] {
        do {
            let polled = try executor.poll(scope.compactMap(activeJob))
            lastWarning = nil
            return polled
        } catch {
            let warning = "warning: cannot get the state of the launched jobs (\(error)); retrying"
            if warning != lastWarning { display.event(warning) }
            lastWarning = warning
            return [:]
        }
    }

    /// Applies the polled states: notes starts, and records each finished instance as built,
    /// not run, interrupted or failed. Returns whether any launched instance is still active.
    private func settleFinished(_ polled: [JobHandle: JobState]) -> Bool {
        var anyActive = false
        for index in scope {
            guard case let .launched(handle, fingerprint, previous, since)? = states[index] else { continue }
            let state = polled[handle] ?? previous
            if previous == .queued && state == .running {
                display.event("start  \(plan.instances[index].id)  (\(handle))")
                timings[index]?.started = Date()
            }
            guard case let .finished(ending) = state else {
                anyActive = true
                states[index] = .launched(handle, fingerprint: fingerprint, state: state, since: previous == state ? since : Date())
                continue
            }
            executor.forget(handle)
            if timings[index]?.started == nil { timings[index]?.started = since }   // ran between two polls
            settle(index, ending: ending, handle: handle, fingerprint: fingerprint, seconds: Date().timeIntervalSince(since))
        }
        return anyActive
    }

    /// Records a finished instance: built when it exited 0 with a manifest the cache accepts,
    /// not run when the scheduler dropped it after an input failed, interrupted by a signal,
    /// else failed (with its log's tail); a failure stops the run under `--fail-fast`.
    private func settle(_ index: Int, ending: JobEnding, handle: JobHandle, fingerprint: Fingerprint?, seconds: Double) {
        let instance = plan.instances[index]
        if ending == .exited(0), let manifest = runner.cache.manifest(of: index) {
            do {
                guard let fingerprint = fingerprint ?? runner.cache.fingerprint(of: index) else {
                    throw PipelineError.io(path: runner.cache.folder(of: index).path,
                                           reason: "upstream not built: \(runner.cache.unbuiltInputs(of: index).joined(separator: ", "))")
                }
                try runner.cache.record(index, fingerprint: fingerprint, manifest: manifest)
                states[index] = .built
                end(index, "built")
                summary.built.append(instance.id.description)
                display.event("done  \(instance.id)  (\(ProgressDisplay.duration(seconds)))")
                return
            } catch {
                display.event("failed  \(instance.id): \(ArtifactError.message(for: error))")
            }
        } else if let broken = instance.upstream.first(where: isBroken) {
            end(index, "stopped")
            notRun(index, because: broken, cancelled: handle)   // by the scheduler: an upstream job failed
            return
        } else if summary.interruption != nil || interruption.received != nil {
            // A signal to the whole process group reaches the stages as well as the runner.
            states[index] = .interrupted
            end(index, "stopped")
            summary.interrupted.append(instance.id.description)
            display.event("interrupted  \(instance.id): \(ending) after \(ProgressDisplay.duration(seconds))")
            return
        } else {
            let why = ending == .exited(0) ? "exited without writing manifest.json" : ending.description
            let log = runner.cache.folder(of: index).appendingPathComponent(PipelineRunner.logName)
            let tail = PipelineRunner.tail(of: log, lines: 8).map { "    | " + $0 }.joined(separator: "\n")
            display.event("failed  \(instance.id): \(why) after \(ProgressDisplay.duration(seconds)); log: "
                + "\(runner.rootPath)/\(instance.folder)/\(PipelineRunner.logName)" + (tail.isEmpty ? "" : "\n" + tail))
        }
        states[index] = .failed
        end(index, "failed")
        summary.failed.append(instance.id.description)
        if runner.options.failFast && !stopping && summary.interruption == nil {
            display.event("--fail-fast: stopping the other stages")
            stopping = true
        }
    }

    /// Cancels every active job and waits for it; running instances end interrupted, queued and
    /// pending ones not run.
    private func stopAll() {
        let active = scope.compactMap(activeJob)
        executor.cancel(active)
        executor.waitUntilStopped(active)
        for index in scope {
            switch states[index] {
            case let .launched(handle, _, state, _)? where state != .queued:
                executor.forget(handle)
                end(index, "stopped")
                states[index] = .interrupted
                summary.interrupted.append(plan.instances[index].id.description)
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
    }

    /// At most twice a second: the counts, each running instance's progress, the queue and the ETA.
    private func refreshDisplay() {
        let now = Date()
        guard now.timeIntervalSince(lastUpdate) >= 0.5 else { return }
        lastUpdate = now
        var running: [(id: String, progress: ProgressEvent?, seconds: Double)] = []
        var queued: [(id: String, seconds: Double)] = []
        for index in scope {
            guard case let .launched(_, _, state, since)? = states[index] else { continue }
            let id = plan.instances[index].id.description
            if state == .queued {
                queued.append((id, now.timeIntervalSince(since)))
            } else {
                let progress = ProgressEvent.latest(in: runner.cache.folder(of: index))
                observe(index, progress, now: now)
                running.append((id, progress, now.timeIntervalSince(since)))
            }
        }
        let items = plan.instances.indices.map { estimatorItem($0, now: now) }
        display.update(counts: counts(), running: running, queued: queued, eta: .some(estimator.estimate(items)))
    }

    /// Writes `run-times.json` (when anything was launched) and puts the times in the summary.
    private func writeRunTimes() {
        let finished = Date()
        let runnerCPU = PipelineRunner.cpuSeconds(PipelineRunner.usageOfSelf) - cpuBefore.runner
        let stageCPU = executor.usesLocalCores ? PipelineRunner.cpuSeconds(PipelineRunner.usageOfChildren) - cpuBefore.stages : nil
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
        let times = RunTimes(pipeline: plan.definition.name,
                             executor: executor.usesLocalCores ? "local" : executor is SlurmExecutor ? "slurm" : "scheduler",
                             jobs: executor.usesLocalCores ? runner.options.jobs : nil, startedAt: clockStart,
                             totalSeconds: finished.timeIntervalSince(clockStart), instances: instances,
                             stageOrder: plan.instances.reduce(into: [String]()) { if !$0.contains($1.id.stage) { $0.append($1.id.stage) } },
                             runnerCPUSeconds: runnerCPU, stageCPUSeconds: stageCPU)
        summary.times = times
        guard !instances.isEmpty else { return }
        do { try times.write(into: runner.cache.root) } catch { display.event("warning: cannot write \(RunTimes.fileName): \(error)") }
    }

    /// The summary with each list in plan order.
    private func sortedSummary() -> RunSummary {
        var sorted = summary
        let order = Dictionary(uniqueKeysWithValues: plan.instances.enumerated().map { ($1.id.description, $0) })
        for path in [\RunSummary.built, \.upToDate, \.failed, \.interrupted, \.notRun] as [WritableKeyPath<RunSummary, [String]>] {
            sorted[keyPath: path].sort { order[$0]! < order[$1]! }
        }
        return sorted
    }

    // MARK: Instance bookkeeping

    private func counts() -> RunCounts {
        var counts = RunCounts(total: scope.count)
        for state in states.values {
            switch state {
            case .built, .upToDate: counts.done += 1
            case .launched(_, _, .queued, _): counts.queued += 1
            case .launched: counts.running += 1
            case .failed, .interrupted, .notRun: counts.failed += 1
            case .pending: counts.waiting += 1
            }
        }
        return counts
    }

    /// Built or up to date in this run, or outside its scope (final either way).
    private func isFinished(_ index: Int) -> Bool {
        switch states[index] {
        case nil, .built?, .upToDate?: return true
        default: return false
        }
    }

    private func isBroken(_ index: Int) -> Bool {
        switch states[index] {
        case .failed?, .interrupted?, .notRun?: return true
        default: return false
        }
    }

    private func activeJob(_ index: Int) -> JobHandle? {
        if case let .launched(handle, _, state, _)? = states[index], !state.isFinished { return handle }
        return nil
    }

    private func notRun(_ index: Int, because broken: Int, cancelled handle: JobHandle? = nil) {
        states[index] = .notRun
        summary.notRun.append(plan.instances[index].id.description)
        display.event("not run  \(plan.instances[index].id)  (upstream \(plan.instances[broken].id) failed"
            + (handle.map { "; cancelled \($0)" } ?? "") + ")")
    }

    private func track(_ index: Int, launchedAt date: Date, state: JobState, adopted: Bool = false) {
        let start = runner.plannedEpochs(index) == nil ? nil : ProgressEvent.latest(in: runner.cache.folder(of: index))?.epoch ?? 0
        timings[index] = Timing(launched: date, started: state == .queued ? nil : date, adopted: adopted,
                                track: start.map(RunEstimator.EpochTrack.init(startEpoch:)))
    }

    private func observe(_ index: Int, _ progress: ProgressEvent?, now: Date) {
        guard let progress, let timing = timings[index], timing.track != nil else { return }
        timings[index]!.track!.observe(epoch: progress.epoch, at: now.timeIntervalSince(timing.started ?? timing.launched))
    }

    private func end(_ index: Int, _ outcome: String) {
        guard timings[index] != nil, timings[index]!.ended == nil else { return }
        observe(index, timings[index]!.track == nil ? nil : ProgressEvent.latest(in: runner.cache.folder(of: index)), now: Date())
        timings[index]!.ended = Date()
        timings[index]!.outcome = outcome
    }

    /// The estimator's view of instance `index`.
    private func estimatorItem(_ index: Int, now: Date) -> RunEstimator.Item {
        let instance = plan.instances[index]
        let timing = timings[index]
        let phase: RunEstimator.Phase
        switch states[index] {
        case nil, .upToDate?: phase = .skipped
        case .pending?: phase = .pending
        case .launched(_, _, .queued, _)?: phase = .queued
        case .launched?: phase = .running(elapsed: now.timeIntervalSince(timing?.started ?? timing?.launched ?? now))
        case .built?:
            let seconds = timing.flatMap { timing in timing.started.map { (timing.ended ?? now).timeIntervalSince($0) } }
            phase = timing?.adopted == true || seconds == nil ? .skipped : .finished(seconds: seconds!)
        case .failed?, .interrupted?, .notRun?: phase = .broken
        }
        return RunEstimator.Item(stage: instance.id.stage, upstream: instance.upstream,
                                 epochs: runner.plannedEpochs(index), phase: phase, track: timing?.track)
    }
}
