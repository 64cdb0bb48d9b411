import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stage process started by the runner, with stdin from /dev/null and stdout and stderr
/// appended to a log file. Polled with ``poll()``; no threads involved.
final class ChildProcess {
    let pid: pid_t
    let started = Date()

    /// How a child ended.
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case let .exited(code): return "exit status \(code)"
            case let .signalled(signal): return "killed by signal \(signal)"
            }
        }
    }

    /// Starts `executable` with `arguments` (not including argv[0]), output appended to `log`.
    init(executable: String, arguments: [String], log: URL) throws {
        let logDescriptor = open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard logDescriptor >= 0 else {
            throw PipelineError.io(path: log.path, reason: "cannot open the log file: \(String(cString: strerror(errno)))")
        }
        defer { close(logDescriptor) }
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        #else
        var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, environ)
        guard result == 0 else {
            throw PipelineError.io(path: executable, reason: "cannot start the stage process: \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// The ending if the process has exited (reaps it), or nil while it runs.
    func poll() -> Ending? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
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
