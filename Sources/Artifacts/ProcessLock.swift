import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process's exclusive `flock` on a file that records its PID (for the messages of whoever is
/// refused). The descriptor is close-on-exec, so the lock ends with the process that took it,
/// however it ends. The pipeline's run lock and every stage's folder lock are this lock.
public final class ProcessLock {
    private let descriptor: Int32

    /// Takes the lock on the file at `url` (it and its folder are created if needed). If another
    /// process holds it, throws ``ProcessLockError/held(path:holder:)``, or with `wait` calls
    /// `waiting` and blocks until it is free.
    public init(_ url: URL, wait: Bool = false, waiting: (Holder) -> Void = { _ in }) throws(ProcessLockError) {
        let path = url.path
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .io(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard opened >= 0 else { throw .io(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))") }
        if flock(opened, LOCK_EX | LOCK_NB) != 0 {
            let holder = Holder(pid: Self.recordedPID(path: path))
            guard wait else {
                close(opened)
                throw .held(path: path, holder: holder)
            }
            waiting(holder)
            while flock(opened, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let reason = String(cString: strerror(errno))
                    close(opened)
                    throw .io(path: path, reason: "cannot lock: \(reason)")
                }
            }
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

    /// The process holding a lock.
    public struct Holder: Sendable, Equatable, CustomStringConvertible {
        /// Its PID as it recorded it (nil while it has not written it yet).
        public let pid: Int32?
        public var description: String { pid.map { "PID \($0)" } ?? "a process that has not recorded its PID yet" }
    }

    /// The process holding the lock on the file at `url`, or nil when no process holds it.
    public static func holder(of url: URL) -> Holder? {
        let probe = open(url.path, O_RDONLY | O_CLOEXEC)
        guard probe >= 0 else { return nil }
        defer { close(probe) }
        guard flock(probe, LOCK_SH | LOCK_NB) != 0 else {
            flock(probe, LOCK_UN)
            return nil
        }
        return Holder(pid: recordedPID(path: url.path))
    }

    private static func recordedPID(path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// A lock that could not be taken.
public enum ProcessLockError: Error, CustomStringConvertible {
    /// Another process holds it.
    case held(path: String, holder: ProcessLock.Holder)
    /// The lock file could not be created, opened or locked.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .held(path, holder): "\(path) is locked by \(holder); wait for it to finish, or stop it, then try again"
        case let .io(path, reason): "\(path): \(reason)"
        }
    }
}
