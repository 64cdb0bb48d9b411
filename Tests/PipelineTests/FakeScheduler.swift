import Foundation
@testable import Pipeline

/// A stand-in for a batch scheduler, for testing how the runner queues a plan without Slurm:
/// jobs wait for their `afterok` dependencies, then run as local child processes; a job whose
/// dependency failed is cancelled, as Slurm does with `--kill-on-invalid-dep=yes`.
final class FakeScheduler: StageExecutor {
    private let local = LocalExecutor()
    private var waiting: [(handle: JobHandle, job: StageJob, after: [JobHandle])] = []
    private var started: [JobHandle: JobHandle] = [:]
    private var ended: [JobHandle: JobEnding] = [:]
    /// Instance ids in the order they were submitted.
    private(set) var submitted: [String] = []

    var queuesDependencies: Bool { true }
    var usesLocalCores: Bool { false }

    func checkReady() {}

    func launch(_ job: StageJob, after upstream: [JobHandle]) throws -> JobHandle {
        submitted.append(job.id.description)
        let handle = JobHandle(id: "\(submitted.count)", description: "fake job \(submitted.count)")
        waiting.append((handle, job, upstream))
        return handle
    }

    func poll(_ handles: [JobHandle]) throws -> [JobHandle: JobState] {
        try schedule()
        return try Dictionary(uniqueKeysWithValues: handles.map { ($0, try state(of: $0)) })
    }

    /// While fewer jobs than this were submitted, the scheduler starts none (for at most
    /// `maximumHeldPolls` polls), as a busy cluster would: a job that ran and ended between the
    /// runner's submissions would otherwise change the order of its display lines on a loaded machine.
    var holdStartsUntilSubmitted: Int?
    private static let maximumHeldPolls = 1_000
    private var polls = 0

    /// Starts waiting jobs whose dependencies succeeded and cancels those with a failed one.
    private func schedule() throws {
        polls += 1
        if let count = holdStartsUntilSubmitted, submitted.count < count, polls < Self.maximumHeldPolls { return }
        var still: [(handle: JobHandle, job: StageJob, after: [JobHandle])] = []
        for item in waiting {
            let dependencies = try item.after.map(state)
            if dependencies.contains(where: { $0.isFinished && $0 != .finished(.exited(0)) }) {
                ended[item.handle] = .stopped("cancelled (DependencyNeverSatisfied)")
            } else if dependencies.allSatisfy({ $0 == .finished(.exited(0)) }) {
                started[item.handle] = try local.launch(item.job, after: [])
            } else {
                still.append(item)
            }
        }
        waiting = still
    }

    private func state(of handle: JobHandle) throws -> JobState {
        if let ending = ended[handle] { return .finished(ending) }
        guard let process = started[handle] else { return .queued }
        let state = try local.poll([process])[process]!
        if case let .finished(ending) = state { ended[handle] = ending }
        return state
    }

    func cancel(_ handles: [JobHandle]) {
        for handle in handles {
            if let process = started[handle] {
                local.cancel([process])
            } else if waiting.contains(where: { $0.handle == handle }) {
                waiting.removeAll { $0.handle == handle }
                ended[handle] = .stopped("cancelled")
            }
        }
    }

    func waitUntilStopped(_ handles: [JobHandle]) {
        local.waitUntilStopped(handles.compactMap { started[$0] })
    }

    /// Instances whose (complete) folders ``adopt(_:note:)`` reports as built by a job of an
    /// earlier run that it did not see finish.
    var finishedUnseen: Set<String> = []

    func adopt(_ jobs: [StageJob], note: (String) -> Void) throws -> [Int: (handle: JobHandle, state: JobState)] {
        var adopted: [Int: (handle: JobHandle, state: JobState)] = [:]
        for job in jobs where finishedUnseen.contains(job.id.description) {
            adopted[job.index] = (JobHandle(id: "earlier-\(job.index)", description: "earlier fake job"), .finished(.exited(0)))
        }
        return adopted
    }

    func forget(_ handle: JobHandle) {}
}
