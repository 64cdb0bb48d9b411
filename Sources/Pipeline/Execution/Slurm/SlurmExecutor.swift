import Artifacts
import Formats
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs every stage instance as one Slurm batch job.
///
/// ``launch(_:after:)`` writes the instance's `slurm.sh` (``SlurmScript``) and submits it with
/// `--dependency=afterok:` on the jobs of its upstream instances, so the runner can queue a
/// whole plan at once. ``poll(_:)`` asks `squeue` at most once per `pollInterval`, and
/// `scontrol show job` once for each job that has left the queue. The job id is recorded in
/// the instance folder (``SlurmJobRecord``), so a run that starts while jobs of a dead runner
/// are still queued, running or finished unseen adopts them instead of submitting again.
public final class SlurmExecutor: StageExecutor {
    let settings: ExecutorSettings
    let queue = SlurmQueue()
    /// Minimum seconds between two `squeue` calls.
    let pollInterval: TimeInterval
    /// How long ``waitUntilStopped(_:)`` waits for cancelled jobs to leave the queue.
    let stopTimeout: TimeInterval
    /// Instance folder and last known state of every job launched or adopted, by job id.
    private var folders: [String: URL] = [:]
    private var known: [String: JobState] = [:]
    private var lastPoll = Date.distantPast

    public init(settings: ExecutorSettings, pollInterval: TimeInterval = 1, stopTimeout: TimeInterval = 120) {
        self.settings = settings
        self.pollInterval = pollInterval
        self.stopTimeout = stopTimeout
    }

    public var queuesDependencies: Bool { true }
    public var usesLocalCores: Bool { false }

    /// The batch script of `job` (what `launch` writes, and `run --dry-run` prints).
    public func script(for job: StageJob) throws -> String {
        try SlurmScript.text(for: job, resources: settings.resources(for: job.type))
    }

    public func checkReady() throws {
        try queue.ping()
    }

    public func launch(_ job: StageJob, after upstream: [JobHandle]) throws -> JobHandle {
        let script = job.folder.appendingPathComponent(SlurmScript.fileName)
        try AtomicFile.write(try self.script(for: job), to: script)
        let id = try queue.submit(script: script, afterOK: upstream.map(\.id))
        let record = SlurmJobRecord(jobId: id, name: job.name, command: job.command,
                                    submittedAt: ISO8601DateFormatter().string(from: Date()))
        do {
            try record.write(in: job.folder)
        } catch {
            queue.cancel([id])
            throw error
        }
        folders[id] = job.folder
        known[id] = .queued
        return Self.handle(id)
    }

    public func poll(_ handles: [JobHandle]) throws -> [JobHandle: JobState] {
        if Date().timeIntervalSince(lastPoll) >= pollInterval {
            lastPoll = Date()
            let active = handles.map(\.id).filter { if case .finished? = known[$0] { return false } else { return true } }
            for (id, state) in try states(of: active) { known[id] = state }
        }
        return Dictionary(handles.map { ($0, known[$0.id] ?? .queued) }) { first, _ in first }
    }

    public func cancel(_ handles: [JobHandle]) {
        queue.cancel(handles.map(\.id))
    }

    public func waitUntilStopped(_ handles: [JobHandle]) {
        let deadline = Date().addingTimeInterval(stopTimeout)
        while Date() < deadline, let listed = try? queue.listed(handles.map(\.id)), !listed.isEmpty {
            usleep(500_000)
        }
    }

    public func adopt(_ jobs: [StageJob], note: (String) -> Void) throws -> [Int: (handle: JobHandle, state: JobState)] {
        let recorded = jobs.compactMap { job in SlurmJobRecord.read(in: job.folder).map { (job: job, record: $0) } }
        guard !recorded.isEmpty else { return [:] }
        let states = try states(of: recorded.map(\.record.jobId), names: recorded.map(\.record.name))
        var adopted: [Int: (handle: JobHandle, state: JobState)] = [:]
        for (job, record) in recorded {
            let handle = Self.handle(record.jobId)
            let current = record.name == job.name && record.command == job.command
            let complete = FileManager.default.fileExists(atPath: job.folder.appendingPathComponent(Manifest.fileName).path)
            var state = states[record.jobId]
            if state == nil && current && complete { state = .finished(.exited(0)) }
            let live = state == .queued || state == .running
            if let state, current, live || state == .finished(.exited(0)) {
                adopted[job.index] = (handle, state)
                folders[record.jobId] = job.folder
                known[record.jobId] = state
                continue
            }
            if live {
                queue.cancel([record.jobId])
                waitUntilStopped([handle])
                note("cancelled \(handle) of \(job.id): it was submitted with another command line")
            }
            SlurmJobRecord.remove(in: job.folder)
        }
        return adopted
    }

    public func forget(_ handle: JobHandle) {
        if let folder = folders.removeValue(forKey: handle.id) { SlurmJobRecord.remove(in: folder) }
        known[handle.id] = nil
    }

    static func handle(_ id: String) -> JobHandle {
        JobHandle(id: id, description: "Slurm job \(id)")
    }

    /// The state of each job of `ids`: from `squeue` while it is queued or running, else from
    /// `scontrol show job`. Jobs Slurm no longer knows (or whose name is not the one in `names`,
    /// when given: the id was reused after the controller lost its state) are absent.
    private func states(of ids: [String], names: [String]? = nil) throws -> [String: JobState] {
        let listed = try queue.listed(ids)
        var states: [String: JobState] = [:]
        for (position, id) in ids.enumerated() {
            let name = names?[position]
            if let job = listed[id], name == nil || name == job.name,
               case let state = SlurmJobInfo.state(job.state), state == .queued || state == .running {
                states[id] = state
            } else if let info = try queue.info(id), name == nil || name == info.name {
                states[id] = info.state
            } else if let folder = folders[id] {
                let complete = FileManager.default.fileExists(atPath: folder.appendingPathComponent(Manifest.fileName).path)
                states[id] = .finished(complete ? .exited(0)
                    : .stopped("Slurm no longer knows job \(id) (it forgets finished jobs after MinJobAge) and it left no manifest.json"))
            }
        }
        return states
    }
}

/// `.slurm-job` in an instance folder: the batch job building it, written right after the
/// submission and removed once the runner has seen how the job ended. A later run adopts the
/// job through it instead of submitting the instance again, if the job's name and command are
/// still the instance's.
struct SlurmJobRecord: Codable, Equatable {
    static let fileName = ".slurm-job"

    var jobId: String
    var name: String
    var command: [String]
    var submittedAt: String

    static func read(in folder: URL) -> SlurmJobRecord? {
        FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path)
            .flatMap { try? JSONDecoder().decode(SlurmJobRecord.self, from: $0) }
    }

    func write(in folder: URL) throws {
        try AtomicFile.write(try JSONEncoder().encode(self), to: folder.appendingPathComponent(Self.fileName))
    }

    static func remove(in folder: URL) {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(fileName))
    }
}
