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

    public var succeeded: Bool { failed.isEmpty && notRun.isEmpty && interruption == nil }
}

/// Runs the instances of a plan as child processes, in dependency order, up to `jobs` at a
/// time, skipping up-to-date ones and recording each completed instance in pipeline.lock.
///
/// Folder rules: an instance is rebuilt in place when it is incomplete and was started with
/// the same key (recorded in the hidden `.pipeline-key`), so stages that resume (train's
/// checkpoints) continue; a folder built with another key, a complete but stale folder, or a
/// forced one is moved aside and deleted first, so no outputs of an old configuration survive.
/// Each instance's stdout and stderr are appended to `stage.log` in its folder.
public final class PipelineRunner {
    public static let logName = "stage.log"
    static let keyMarkerName = ".pipeline-key"

    let plan: PipelinePlan
    /// `Artifacts/<pipeline>` as given to the children (may be relative to the working folder).
    let rootPath: String
    let launcher: StageLauncher
    let options: RunOptions
    let display: ProgressDisplay
    var cache: CacheState

    public init(plan: PipelinePlan, rootPath: String, launcher: StageLauncher, options: RunOptions, display: ProgressDisplay) throws {
        self.plan = plan
        self.rootPath = rootPath
        self.launcher = launcher
        self.options = options
        self.display = display
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

    private enum State { case pending, running(ChildProcess, Fingerprint), built, upToDate, failed, notRun }

    /// Runs everything in scope and returns what happened. Installs SIGINT/SIGTERM handling:
    /// on a signal, children get SIGTERM (SIGKILL after 10 s) and the run returns interrupted.
    public func run() throws -> RunSummary {
        let (scope, forced) = try scope()
        Interruption.install()
        removeTrash()
        var states = [Int: State]()
        var checked = Set<Int>()
        for index in scope { states[index] = .pending }
        var summary = RunSummary()
        var stopping = false
        var lastUpdate = Date.distantPast

        func counts() -> RunCounts {
            var counts = RunCounts(total: scope.count)
            for state in states.values {
                switch state {
                case .built, .upToDate: counts.done += 1
                case .running: counts.running += 1
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

        while true {
            if let signal = Interruption.received, summary.interruption == nil {
                summary.interruption = signal
                display.event("interrupted (signal \(signal)): stopping running stages…")
                stopping = true
            }
            if !stopping {
                for index in scope {
                    guard case .pending? = states[index] else { continue }
                    let instance = plan.instances[index]
                    if let broken = instance.upstream.first(where: isBroken) {
                        states[index] = .notRun
                        summary.notRun.append(instance.id.description)
                        display.event("not run  \(instance.id)  (upstream \(plan.instances[broken].id) failed)")
                        continue
                    }
                    guard instance.upstream.allSatisfy(isFinished) else { continue }
                    // Its inputs are final now: decide once whether it is up to date.
                    if checked.insert(index).inserted, !forced.contains(index),
                       cache.status(of: index, upstreamStatus: { _ in .upToDate }) == .upToDate {
                        states[index] = .upToDate
                        summary.upToDate.append(instance.id.description)
                        display.event("up to date  \(instance.id)")
                        continue
                    }
                    guard counts().running < max(options.jobs, 1) else { continue }
                    do {
                        let (child, fingerprint) = try launch(index, forced: forced.contains(index))
                        states[index] = .running(child, fingerprint)
                        display.event("start  \(instance.id)")
                    } catch {
                        states[index] = .failed
                        summary.failed.append(instance.id.description)
                        display.event("failed  \(instance.id): \(error)")
                    }
                }
            }
            var anyRunning = false
            for index in scope {
                guard case let .running(child, fingerprint)? = states[index] else { continue }
                guard let ending = child.poll() else {
                    anyRunning = true
                    continue
                }
                let instance = plan.instances[index]
                let seconds = Date().timeIntervalSince(child.started)
                if ending == .exited(0), let manifest = cache.manifest(of: index) {
                    do {
                        try cache.record(index, fingerprint: fingerprint, manifest: manifest)
                        states[index] = .built
                        summary.built.append(instance.id.description)
                        display.event("done  \(instance.id)  (\(ProgressDisplay.duration(seconds)))")
                        continue
                    } catch {
                        display.event("failed  \(instance.id): \(error)")
                    }
                } else {
                    let why = ending == .exited(0) ? "exited without writing manifest.json" : ending.description
                    let log = cache.folder(of: index).appendingPathComponent(Self.logName)
                    let tail = Self.tail(of: log, lines: 8).map { "    | " + $0 }.joined(separator: "\n")
                    display.event("failed  \(instance.id): \(why) after \(ProgressDisplay.duration(seconds)); log: \(rootPath)/\(instance.folder)/\(Self.logName)" + (tail.isEmpty ? "" : "\n" + tail))
                }
                states[index] = .failed
                if summary.interruption == nil { summary.failed.append(instance.id.description) }
                if options.failFast && !stopping && summary.interruption == nil {
                    display.event("--fail-fast: stopping the other stages")
                    stopping = true
                }
            }
            if stopping {
                for case let .running(child, _) in states.values { child.send(SIGTERM) }
                waitForChildren(states.values.compactMap { if case let .running(child, _) = $0 { return child } else { return nil } })
                for index in scope {
                    switch states[index] {
                    case .running?, .pending?:
                        states[index] = .notRun
                        summary.notRun.append(plan.instances[index].id.description)
                    default: break
                    }
                }
                break
            }
            if !anyRunning && !states.values.contains(where: { if case .pending = $0 { return true } else { return false } }) { break }
            if Date().timeIntervalSince(lastUpdate) >= 0.5 {
                lastUpdate = Date()
                let running: [(id: String, progress: ProgressEvent?, seconds: Double)] = scope.compactMap { index in
                    guard case let .running(child, _)? = states[index] else { return nil }
                    return (plan.instances[index].id.description, ProgressEvent.latest(in: cache.folder(of: index)),
                            Date().timeIntervalSince(child.started))
                }
                display.update(counts: counts(), running: running)
            }
            usleep(50_000)
        }
        display.finish()
        let order = Dictionary(uniqueKeysWithValues: plan.instances.enumerated().map { ($1.id.description, $0) })
        for path in [\RunSummary.built, \.upToDate, \.failed, \.notRun] as [WritableKeyPath<RunSummary, [String]>] {
            summary[keyPath: path].sort { order[$0]! < order[$1]! }
        }
        return summary
    }

    /// Prepares the instance folder and starts its stage process.
    private func launch(_ index: Int, forced: Bool) throws -> (ChildProcess, Fingerprint) {
        guard let fingerprint = cache.fingerprint(of: index) else {
            throw PipelineError.io(path: cache.folder(of: index).path, reason: "upstream not built: \(cache.unbuiltInputs(of: index).joined(separator: ", "))")
        }
        let folder = cache.folder(of: index)
        let marker = folder.appendingPathComponent(Self.keyMarkerName)
        let previousKey = (try? String(contentsOf: marker, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let complete = FileManager.default.fileExists(atPath: folder.appendingPathComponent(Manifest.fileName).path)
        if forced || complete || (previousKey != nil && previousKey != fingerprint.key) {
            try moveAside(folder)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicFile.write(fingerprint.key + "\n", to: marker)
        let arguments = launcher.leadingArguments + [plan.instances[index].type.rawValue] + plan.arguments(of: index, root: rootPath)
        let log = folder.appendingPathComponent(Self.logName)
        let header = "=== \(ISO8601DateFormatter().string(from: Date())) \(([launcher.executable] + arguments).joined(separator: " "))\n"
        if let handle = FileHandle(forWritingAtPath: log.path) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(header.utf8))
            try? handle.close()
        } else {
            try Data(header.utf8).write(to: log)
        }
        return (try ChildProcess(executable: launcher.executable, arguments: arguments, log: log), fingerprint)
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

    /// Waits for `children` to exit, sending SIGKILL to any still running after 10 seconds.
    private func waitForChildren(_ children: [ChildProcess]) {
        var remaining = children
        let deadline = Date().addingTimeInterval(10)
        while !remaining.isEmpty {
            remaining.removeAll { $0.poll() != nil }
            if Date() > deadline { remaining.forEach { $0.send(SIGKILL) } }
            usleep(50_000)
        }
    }

    /// The last `lines` lines of a log file.
    static func tail(of url: URL, lines: Int) -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map(String.init)
    }
}
