import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process started by the runner (a stage, or a scheduler command), with stdin from
/// /dev/null and stdout and stderr appended to log files. Polled with ``poll()``; no threads involved.
final class ChildProcess {
    let pid: pid_t
    let started = Date()

    /// Starts `executable` (a path, or a name looked up on PATH) with `arguments` (not including
    /// argv[0]); stdout is appended to `log`, stderr to `errors` (default: `log` too).
    init(executable: String, arguments: [String], log: URL, errors: URL? = nil) throws {
        let logDescriptor = try Self.openForAppending(log)
        defer { close(logDescriptor) }
        let errorDescriptor = try errors.map(Self.openForAppending) ?? logDescriptor
        defer { if errorDescriptor != logDescriptor { close(errorDescriptor) } }
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        #else
        var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, errorDescriptor, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawnp(&child, executable, &actions, nil, argv, environ)
        guard result == 0 else {
            throw PipelineError.io(path: executable, reason: "cannot start the process: \(String(cString: strerror(result)))")
        }
        pid = child
    }

    private static func openForAppending(_ url: URL) throws -> Int32 {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw PipelineError.io(path: url.path, reason: "cannot open the log file: \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    /// The ending if the process has exited (reaps it), or nil while it runs.
    func poll() -> JobEnding? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        return Self.ending(status)
    }

    /// Blocks until the process exits (reaps it).
    func wait() -> JobEnding {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) != pid {
            guard errno == EINTR else { return .stopped("lost: \(String(cString: strerror(errno)))") }
        }
        return Self.ending(status)
    }

    private static func ending(_ status: Int32) -> JobEnding {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        kill(pid, signal)
    }
}

/// SIGINT / SIGTERM received by the runner (0 while none), set from the signal handler.
nonisolated(unsafe) private var receivedSignal: sig_atomic_t = 0

/// Turns SIGINT and SIGTERM into a flag the run loop polls, so it can stop its children
/// cleanly instead of dying with them still running.
enum Interruption {
    /// Installs the handlers and clears any signal recorded by an earlier run in this process.
    static func install() {
        receivedSignal = 0
        #if canImport(Glibc)
        _ = Glibc.signal(SIGINT) { receivedSignal = $0 }
        _ = Glibc.signal(SIGTERM) { receivedSignal = $0 }
        #else
        _ = Darwin.signal(SIGINT) { receivedSignal = $0 }
        _ = Darwin.signal(SIGTERM) { receivedSignal = $0 }
        #endif
    }

    /// The signal received, or nil.
    static var received: Int32? { receivedSignal == 0 ? nil : Int32(receivedSignal) }
}
