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
        // No blocked signals and a default SIGTERM, whatever the runner inherited: cancelling
        // a child sends it SIGTERM.
        #if canImport(Glibc)
        var attributes = posix_spawnattr_t()
        #else
        var attributes: posix_spawnattr_t?
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigaddset(&signals, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawnp(&child, executable, &actions, &attributes, argv, environ)
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

/// How many SIGINT / SIGTERM the process has received, and the last one; set by the handler.
nonisolated(unsafe) private var signalCount: sig_atomic_t = 0
nonisolated(unsafe) private var lastSignal: sig_atomic_t = 0

/// SIGINT and SIGTERM turned into state of one run, which its loop polls so it can stop its
/// jobs cleanly instead of dying with them still running.
///
/// Each run makes its own and sees exactly the signals that arrive after it was made; nothing
/// is ever cleared, so a signal is never lost to a later run. The handlers are installed
/// explicitly and both signals unblocked in the calling thread: a process inherits ignored
/// signals (a background job of a non-interactive shell ignores SIGINT) and a blocked signal
/// mask (e.g. when started from a thread that blocks them), and must not depend on either.
final class Interruption {
    private let baseline: sig_atomic_t

    init() {
        // Counted from before the signals are unblocked, so one that was pending is seen.
        baseline = signalCount
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { signal in
            signalCount &+= 1
            lastSignal = signal
        }
        #else
        action.__sigaction_u.__sa_handler = { signal in
            signalCount &+= 1
            lastSignal = signal
        }
        #endif
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGINT, SIGTERM] {
            sigaction(signal, &action, nil)
            sigaddset(&signals, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    /// The last signal received since this run began, or nil.
    var received: Int32? { signalCount == baseline ? nil : Int32(lastSignal) }
}
