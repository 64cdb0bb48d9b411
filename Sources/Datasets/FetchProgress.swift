import Foundation

/// How far a long fetch step has come (downloading, unpacking, parsing, writing).
public struct FetchProgress: Equatable, Sendable {
    public enum Step: String, Sendable {
        case download = "downloading"
        case unpack = "unpacking"
        case parse = "parsing"
        case write = "writing"
    }

    public var step: Step
    /// The URL, archive or file being worked on.
    public var subject: String
    /// Bytes done so far, and the total when known.
    public var done: Int64
    public var total: Int64?

    public init(step: Step, subject: String, done: Int64, total: Int64?) {
        self.step = step
        self.subject = subject
        self.done = done
        self.total = total
    }

    public typealias Handler = @Sendable (FetchProgress) -> Void

    /// The one-line text shown for this state, e.g. `unpacking mulan/scene.tar.gz: 45% (1.1 of 2.4 MB)`.
    public var text: String {
        let megabytes = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1_000_000) }
        if let total, total > 0 {
            let percent = Int(min(done, total) * 100 / total)
            return "\(step.rawValue) \(subject): \(percent)% (\(megabytes(done)) of \(megabytes(total)) MB)"
        }
        return "\(step.rawValue) \(subject): \(megabytes(done)) MB"
    }
}

/// Shows fetch progress as one line redrawn in place — only when stderr is a terminal. When it
/// is not (a log file, the pipeline runner), nothing is written, so logs hold no carriage
/// returns or escape codes. The line is redrawn only when its text changes (at most once per
/// percent or per 0.1 MB), and cleared by ``finish()``.
public final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal: Bool
    private let write: @Sendable (String) -> Void
    private var shown: String?

    /// `isTerminal` defaults to whether stderr is a terminal; `write` to writing to stderr.
    public init(isTerminal: Bool = isatty(STDERR_FILENO) != 0,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Redraws the line for `progress` if its text changed.
    public func update(_ progress: FetchProgress) {
        guard isTerminal else { return }
        let text = progress.text
        lock.lock()
        defer { lock.unlock() }
        guard text != shown else { return }
        shown = text
        write("\r\u{1B}[K" + text)
    }

    /// Clears the progress line (if one is shown).
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown != nil { write("\r\u{1B}[K") }
        shown = nil
    }
}
