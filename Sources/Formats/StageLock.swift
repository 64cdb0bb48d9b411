import Artifacts
import Foundation

/// The lock a stage process holds on its output folder while it writes it: a ``ProcessLock`` on the
/// hidden `.stage.lock`, released when the process ends, however it ends. The pipeline runner
/// checks it before it touches a folder, so an orphaned stage process of a killed runner is never
/// raced by a new one.
public struct StageLock {
    public static let fileName = ".stage.lock"
    /// Held as long as this value lives.
    private let file: ProcessLock

    /// Takes the lock on `folder` (created if needed), recording this process's PID. Throws
    /// ``StageLockError`` when another process holds it, naming that process.
    public init(folder: URL) throws {
        do {
            file = try ProcessLock(folder.appendingPathComponent(Self.fileName))
        } catch .held(_, let holder) {
            throw StageLockError(folder: folder.path, holder: holder.pid)
        }
    }

    /// The process holding `folder`'s lock, or nil when no process holds it.
    public static func holder(of folder: URL) -> ProcessLock.Holder? {
        ProcessLock.holder(of: folder.appendingPathComponent(fileName))
    }
}

/// Another process is writing a stage folder.
public struct StageLockError: Error, CustomStringConvertible {
    public var folder: String
    public var holder: Int32?

    public var description: String {
        "\(folder) is being written by another stage process (PID \(holder.map(String.init) ?? "unknown")); "
            + "wait for it to finish, or stop it, then run again"
    }
}
