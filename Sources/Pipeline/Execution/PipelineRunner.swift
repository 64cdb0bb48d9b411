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
    /// `--verify`: re-hash every output against its manifest and rebuild damaged instances.
    public var verify = false
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
    /// Instances that were running when the run stopped (a signal, or `--fail-fast`) and did
    /// not finish: killed by the signal or stopped by the runner. A new run resumes them.
    public var interrupted: [String] = []
    public var notRun: [String] = []
    /// The signal that interrupted the run, if any.
    public var interruption: Int32?
    /// Where the wall time went (also in `run-times.json` when anything was launched).
    public var times: RunTimes?

    public var succeeded: Bool { failed.isEmpty && interrupted.isEmpty && notRun.isEmpty && interruption == nil }

    /// What `pipeline run` prints at its end: the counts (every instance in scope in exactly one),
    /// then the failed and interrupted instances by name.
    public var lines: [String] {
        var counts = "\(built.count) built, \(upToDate.count) up to date, \(failed.count) failed"
        if !interrupted.isEmpty { counts += ", \(interrupted.count) interrupted" }
        var lines = [counts + ", \(notRun.count) not run"]
        if !failed.isEmpty { lines.append("  failed: " + failed.joined(separator: ", ")) }
        if !interrupted.isEmpty { lines.append("  interrupted: " + interrupted.joined(separator: ", ") + " (`run` resumes them)") }
        return lines
    }
}

/// Runs the instances of a plan through an executor (local child processes, up to `jobs` at
/// a time, or Slurm batch jobs), in dependency order, skipping up-to-date ones and recording
/// each completed instance in pipeline.lock. Cache decisions and folders are the runner's, so
/// they are the same whatever the executor.
///
/// Folder rules: an instance is rebuilt in place when it is incomplete and was started with
/// the same key (recorded in the hidden `.pipeline-key`), so stages that resume (train's
/// checkpoints) continue; a folder built with another key, a complete but stale folder, or a
/// forced one is moved aside and deleted first, so no outputs of an old configuration survive;
/// a folder rebuilt in place loses the hidden temporary files of writes that a kill interrupted.
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
        cache = try CacheState(plan: plan, root: URL(fileURLWithPath: rootPath), verify: options.verify)
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

    /// Runs everything in scope and returns what happened. Installs SIGINT/SIGTERM handling:
    /// on a signal, the executor cancels what it launched (local children get SIGTERM, SIGKILL
    /// after 10 s) and the run returns interrupted.
    ///
    /// An executor that queues dependencies (Slurm) gets every instance that is rebuilt whatever
    /// its inputs turn out to be as soon as the jobs of those inputs are queued, so a plan is
    /// queued at once; an instance whose cache decision needs its inputs' outputs is decided,
    /// as locally, once they are built.
    public func run() throws -> RunSummary {
        // CPU used before the run (by `swift run`'s build, whose children this process inherits
        // across exec, or by the plan) is not the run's.
        let cpuBefore = (runner: Self.cpuSeconds(Self.usageOfSelf), stages: Self.cpuSeconds(Self.usageOfChildren))
        let (scope, forced) = try scope()
        try executor.checkReady()
        let interruption = Interruption()
        removeTrash()
        return try RunLoop(runner: self, scope: scope, forced: forced, interruption: interruption, cpuBefore: cpuBefore).run()
    }

    /// The planned epochs of instance `index` (a stage with an `epochs` parameter), else nil.
    func plannedEpochs(_ index: Int) -> Int? {
        plan.instances[index].parameters.train?.epochs
    }

    #if canImport(Glibc)
    static let usageOfSelf = RUSAGE_SELF.rawValue, usageOfChildren = RUSAGE_CHILDREN.rawValue
    #else
    static let usageOfSelf = RUSAGE_SELF, usageOfChildren = RUSAGE_CHILDREN
    #endif

    /// User plus system CPU seconds of this process (`usageOfSelf`) or of its waited-for
    /// children (`usageOfChildren`), so far.
    static func cpuSeconds(_ who: Int32) -> Double {
        func seconds(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) / 1e6 }
        var usage = rusage()
        getrusage(who, &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Jobs of an earlier run that are still queued or running, or succeeded unseen, in plan
    /// order. A job is kept only if its inputs are final: each upstream instance is kept itself,
    /// or up to date with inputs that are final. The others read inputs this run rebuilds (the
    /// pipeline file was edited since), so they are cancelled, or their outputs ignored.
    func adoptedJobs() throws -> [(Int, (handle: JobHandle, state: JobState))] {
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
    func launch(_ index: Int, forced: Bool, after upstream: [JobHandle]) throws -> (JobHandle, Fingerprint?) {
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
        } else if FileManager.default.fileExists(atPath: folder.path) {
            // Rebuilt in place: the temporary files of writes a kill interrupted go first.
            try AtomicFile.removeLeftovers(in: folder)
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
