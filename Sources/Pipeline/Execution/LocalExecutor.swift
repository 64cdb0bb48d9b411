import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs every stage instance as a child process of the runner on this machine, its stdout and
/// stderr appended to its `stage.log`. Cancelled children get SIGTERM, then SIGKILL after
/// `killAfter` seconds.
public final class LocalExecutor: StageExecutor {
    let killAfter: TimeInterval
    private var children: [JobHandle: ChildProcess] = [:]
    private var endings: [JobHandle: JobEnding] = [:]
    /// Reads the job records a Slurm run left in instance folders (see ``adopt(_:note:)``).
    private let recorded = SlurmExecutor(settings: ExecutorSettings())

    public init(killAfter: TimeInterval = 10) {
        self.killAfter = killAfter
    }

    public var queuesDependencies: Bool { false }
    public var usesLocalCores: Bool { true }

    public func checkReady() throws {}

    public func launch(_ job: StageJob, after upstream: [JobHandle]) throws -> JobHandle {
        precondition(upstream.isEmpty, "the local executor starts an instance only once its inputs are built")
        let child = try ChildProcess(executable: job.command[0], arguments: Array(job.command.dropFirst()), log: job.log)
        let handle = JobHandle(id: "\(child.pid)", description: "PID \(child.pid)")
        children[handle] = child
        return handle
    }

    public func poll(_ handles: [JobHandle]) throws -> [JobHandle: JobState] {
        var states: [JobHandle: JobState] = [:]
        for handle in handles {
            if endings[handle] == nil, let ending = children[handle]?.poll() { endings[handle] = ending }
            states[handle] = endings[handle].map(JobState.finished) ?? .running
        }
        return states
    }

    public func cancel(_ handles: [JobHandle]) {
        for handle in handles where endings[handle] == nil { children[handle]?.send(SIGTERM) }
    }

    public func waitUntilStopped(_ handles: [JobHandle]) {
        var remaining = handles.filter { endings[$0] == nil && children[$0] != nil }
        let deadline = Date().addingTimeInterval(killAfter)
        while !remaining.isEmpty {
            remaining.removeAll { handle in
                guard let ending = children[handle]?.poll() else { return false }
                endings[handle] = ending
                return true
            }
            if Date() > deadline { remaining.forEach { children[$0]?.send(SIGKILL) } }
            usleep(50_000)
        }
    }

    /// Instances a Slurm run left behind: a finished successful job is adopted (the runner
    /// records it), but one still queued or running is an error, since running the instance
    /// here as well would have two processes write one folder.
    public func adopt(_ jobs: [StageJob], note: (String) -> Void) throws -> [Int: (handle: JobHandle, state: JobState)] {
        guard let first = jobs.first(where: { SlurmJobRecord.read(in: $0.folder) != nil }) else { return [:] }
        let adopted: [Int: (handle: JobHandle, state: JobState)]
        do {
            adopted = try recorded.adopt(jobs, note: note)
        } catch {
            throw PipelineError.io(path: first.folder.appendingPathComponent(SlurmJobRecord.fileName).path,
                                   reason: "a Slurm run recorded its job here, and whether it still runs cannot be checked (\(error)); run with `--executor slurm`, or delete the .slurm-job files of jobs that no longer run")
        }
        for (index, job) in adopted {
            guard case let .finished(ending) = job.state else {
                let folder = jobs.first { $0.index == index }!.folder
                throw PipelineError.io(path: folder.path, reason: "\(job.handle) is still building this instance; run with `--executor slurm` to adopt it, or cancel it with `scancel \(job.handle.id)`")
            }
            endings[job.handle] = ending
        }
        return adopted
    }

    public func forget(_ handle: JobHandle) {
        children[handle] = nil
        endings[handle] = nil
        recorded.forget(handle)
    }
}
