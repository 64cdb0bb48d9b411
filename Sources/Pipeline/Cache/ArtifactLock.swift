import Artifacts
import Foundation

/// The lock a run or clean holds on `Artifacts/<pipeline>/` while it changes the folder: a
/// ``ProcessLock`` on its `.lock`, so two runs never write the same artifacts. It ends with the
/// runner; orphaned stage processes of a killed runner hold their own folder's `StageLock`, which
/// the next run checks before it touches that folder.
public struct ArtifactLock {
    /// Held as long as this value lives.
    private let file: ProcessLock

    /// Takes the lock on `folder` (created if needed). If another process holds it, throws
    /// ``PipelineError/locked(folder:holder:)``, or with `wait` calls `waiting` and blocks.
    public init(folder: URL, wait: Bool, waiting: (String) -> Void = { _ in }) throws {
        do {
            file = try ProcessLock(folder.appendingPathComponent(".lock"), wait: wait) { waiting($0.description) }
        } catch .held(_, let holder) {
            throw PipelineError.locked(folder: folder.path, holder: holder.description)
        } catch .io(let path, let reason) {
            throw PipelineError.io(path: path, reason: reason)
        }
    }
}
