import Formats
import Foundation

/// One stage instance handed to an executor: the command the local runner would run, and
/// where its folder and log are. Built by ``PipelineRunner`` from the plan as it is.
public struct StageJob: Sendable {
    /// Position of the instance in ``PipelinePlan/instances``.
    public var index: Int
    public var id: InstanceID
    public var type: StageType
    /// `<pipeline>/<stage>/<instance folder name>`: names the job in a scheduler's queue.
    public var name: String
    /// The executable and its arguments (`pipeline stage train --output … …`), with folders
    /// relative to ``workingDirectory`` unless given absolute.
    public var command: [String]
    /// The folder the command runs in (the project root: `Artifacts/…` paths are relative to it).
    public var workingDirectory: String
    /// The instance folder and its `stage.log` (absolute paths).
    public var folder: URL
    public var log: URL
    /// The stage's `threads` parameter, if it has one.
    public var threads: Int?
}

/// An executor's name for a launched job: `id` is what it tracks (a PID, a Slurm job id),
/// `description` what the user reads (`Slurm job 123`).
public struct JobHandle: Hashable, Sendable, CustomStringConvertible {
    public var id: String
    public var description: String

    public init(id: String, description: String) {
        self.id = id
        self.description = description
    }
}

/// How a job ended.
public enum JobEnding: Equatable, Sendable, CustomStringConvertible {
    /// The stage process exited with this status (0: success).
    case exited(Int32)
    /// The stage process was killed by this signal.
    case signalled(Int32)
    /// The scheduler ended the job for a reason of its own (cancelled, time limit, node failure…).
    case stopped(String)

    public var description: String {
        switch self {
        case let .exited(code): return "exit status \(code)"
        case let .signalled(signal): return "killed by signal \(signal)"
        case let .stopped(reason): return reason
        }
    }
}

/// Where a launched job is.
public enum JobState: Equatable, Sendable, CustomStringConvertible {
    /// Waiting in a scheduler's queue (for its dependencies or for resources).
    case queued
    case running
    case finished(JobEnding)

    public var isFinished: Bool {
        if case .finished = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .queued: return "queued"
        case .running: return "running"
        case let .finished(ending): return "finished: \(ending)"
        }
    }
}

/// Runs stage instances somewhere: as local child processes, or as batch jobs of a cluster
/// scheduler. ``PipelineRunner`` keeps the cache decisions and the state machine; an executor
/// only starts, observes and stops jobs.
public protocol StageExecutor: AnyObject {
    /// Whether ``launch(_:after:)`` accepts upstream jobs that have not finished, queueing the
    /// new job behind them (so a whole plan can be handed over at once).
    var queuesDependencies: Bool { get }
    /// Whether launched jobs run on this machine, so `--jobs` bounds how many run at once.
    var usesLocalCores: Bool { get }

    /// Checks that jobs can be launched at all (e.g. the scheduler answers), before the runner
    /// changes any folder.
    func checkReady() throws
    /// Starts (or queues) `job`; `upstream` are handles of jobs it must wait for, each of which
    /// must succeed (empty unless ``queuesDependencies``).
    func launch(_ job: StageJob, after upstream: [JobHandle]) throws -> JobHandle
    /// The current state of each handle (one query for all of them).
    func poll(_ handles: [JobHandle]) throws -> [JobHandle: JobState]
    /// Asks the jobs to stop (they end as failed or cancelled).
    func cancel(_ handles: [JobHandle])
    /// Waits until cancelled jobs no longer run, forcing them if they do not stop in time.
    func waitUntilStopped(_ handles: [JobHandle])
    /// Jobs launched by an earlier run that are still queued or running, or finished with a
    /// success that run did not see, keyed by ``StageJob/index``. `note` reports what it did.
    func adopt(_ jobs: [StageJob], note: (String) -> Void) throws -> [Int: (handle: JobHandle, state: JobState)]
    /// The runner has taken note of how the job ended; forget it (and any record of it).
    func forget(_ handle: JobHandle)
}
