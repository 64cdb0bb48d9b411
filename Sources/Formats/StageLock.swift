import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock a stage process holds on its output folder while it writes it: an exclusive `flock`
/// on the hidden `.stage.lock` (close-on-exec, released when the process ends, however it ends).
/// The pipeline runner checks it before it touches a folder, so an orphaned stage process of a
/// killed runner is never raced by a new one.
public final class StageLock {
    public static let fileName = ".stage.lock"
    private let descriptor: Int32

    /// Takes the lock on `folder` (created if needed), recording this process's PID. Throws when
    /// another process holds it, naming that process.
    public init(folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(Self.fileName).path
        let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
        guard flock(opened, LOCK_EX | LOCK_NB) == 0 else {
            close(opened)
            throw StageLockError(folder: folder.path, holder: Self.recordedHolder(path: path))
        }
        ftruncate(opened, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { pwrite(opened, $0, strlen($0), 0) }
        descriptor = opened  // last: an init that throws once every property is set also runs deinit
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The process holding a stage folder's lock.
    public struct Holder: Sendable, CustomStringConvertible {
        /// Its PID as it recorded it (nil while it has not written it yet).
        public let pid: Int32?
        public var description: String { pid.map { "PID \($0)" } ?? "a process that has not recorded its PID yet" }
    }

    /// The process holding `folder`'s lock, or nil when no process holds it.
    public static func holder(of folder: URL) -> Holder? {
        let path = folder.appendingPathComponent(fileName).path
        let probe = open(path, O_RDONLY | O_CLOEXEC)
        guard probe >= 0 else { return nil }
        defer { close(probe) }
        guard flock(probe, LOCK_SH | LOCK_NB) != 0 else {
            flock(probe, LOCK_UN)
            return nil
        }
        return Holder(pid: recordedHolder(path: path))
    }

    private static func recordedHolder(path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
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
