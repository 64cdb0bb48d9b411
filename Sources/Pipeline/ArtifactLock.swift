import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `Artifacts/<pipeline>/.lock`, held while a run or clean changes the
/// folder, so two runs never write the same artifacts.
///
/// The file holds the holder's PID for the error message. The descriptor is close-on-exec, so
/// the lock ends with the runner; orphaned stage processes of a killed runner hold their own
/// folder's ``StageLock``, which the next run checks before it touches that folder.
public final class ArtifactLock {
    private let descriptor: Int32

    /// Takes the lock on `folder` (created if needed). If another process holds it, throws
    /// ``PipelineError/locked(folder:holder:)``, or with `wait` calls `waiting` and blocks.
    public init(folder: URL, wait: Bool, waiting: (String) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(".lock").path
        let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            throw PipelineError.io(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        if flock(opened, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.describeHolder(path: path)
            guard wait else {
                close(opened)
                throw PipelineError.locked(folder: folder.path, holder: holder)
            }
            waiting(holder)
            while flock(opened, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(opened)
                    throw PipelineError.io(path: path, reason: "cannot lock: \(String(cString: strerror(errno)))")
                }
            }
        }
        let text = "\(getpid())\n"
        ftruncate(opened, 0)
        _ = text.withCString { pwrite(opened, $0, strlen($0), 0) }
        descriptor = opened  // last: an init that throws once every property is set also runs deinit
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// "PID 123".
    static func describeHolder(path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard let pid = Int32(text) else { return "PID unknown" }
        return "PID \(pid)"
    }
}
