import Formats
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts shown in the progress header.
public struct RunCounts: Equatable, Sendable {
    public var done = 0
    public var running = 0
    /// Launched but waiting in a scheduler's queue (Slurm).
    public var queued = 0
    public var failed = 0
    public var waiting = 0
    public var total = 0

    public var summary: String {
        "\(done)/\(total) done · \(running) running" + (queued > 0 ? " · \(queued) queued" : "") + " · \(failed) failed · \(waiting) waiting"
    }
}

/// Shows what a run does. On a terminal, a live block at the bottom (counts and the whole-run
/// ETA, then one line per running instance with its epoch and ETA) is redrawn in place with
/// events scrolling above it; otherwise plain lines only: events, for training a line every
/// 10% of epochs, and a `run:` line with the counts and the whole-run ETA each time another
/// tenth of the instances is done and at least every ``plainRunInterval`` seconds.
public final class ProgressDisplay {
    public let live: Bool
    private let descriptor: Int32
    private var drawnLines = 0
    private var reportedTenths: [String: Int] = [:]
    private var reportedRunTenth = 0
    private var lastRunLine: Date?
    /// Seconds between two plain `run:` lines at most (while something runs).
    public static let plainRunInterval = 120.0

    /// Writes to `descriptor` (stdout by default); `live` nil: live exactly when it is a terminal.
    public init(live: Bool? = nil, descriptor: Int32 = STDOUT_FILENO) {
        self.descriptor = descriptor
        self.live = live ?? (isatty(descriptor) == 1)
    }

    /// Prints a line (above the live block, which is redrawn on the next update).
    public func event(_ line: String) {
        erase()
        emit(line + "\n")
    }

    /// Refreshes the display with the current counts, running instances and (with a scheduler)
    /// instances waiting in its queue. The live block keeps to the terminal's height.
    /// `eta` is the whole-run estimate (`.some(nil)`: not known yet; nil: not shown).
    public func update(counts: RunCounts, running: [(id: String, progress: ProgressEvent?, seconds: Double)],
                       queued: [(id: String, seconds: Double)] = [], eta: RunEstimator.Estimate?? = nil, now: Date = Date()) {
        let header = counts.summary + (eta.map { " · " + Self.runETAText($0, now: now) } ?? "")
        if live {
            erase()
            let width = terminalWidth()
            var lines = ["[\(header)]"]
            for item in running {
                var line = "  \(item.id)  \(Self.duration(item.seconds))"
                if let progress = item.progress {
                    line += "  epoch \(progress.epoch)/\(progress.epochs)  eta \(progress.etaText)"
                }
                lines.append(line)
            }
            lines += queued.map { "  \($0.id)  queued \(Self.duration($0.seconds))" }
            let room = max(terminalHeight() - 2, 2)
            if lines.count > room { lines = lines.prefix(room - 1) + ["  … and \(lines.count - room + 1) more"] }
            emit(lines.map { String($0.prefix(max(width - 1, 20))) + "\n" }.joined())
            drawnLines = lines.count
        } else {
            let tenth = counts.total > 0 ? counts.done * 10 / counts.total : 0
            if tenth > reportedRunTenth || (counts.running + counts.queued > 0
                && now.timeIntervalSince(lastRunLine ?? now) >= Self.plainRunInterval) || (lastRunLine == nil && counts.running > 0) {
                reportedRunTenth = max(reportedRunTenth, tenth)
                lastRunLine = now
                event("run: " + header)
            }
            for item in running {
                guard let progress = item.progress, progress.epochs > 0 else { continue }
                let tenth = progress.epoch * 10 / progress.epochs
                if tenth > reportedTenths[item.id, default: 0] {
                    reportedTenths[item.id] = tenth
                    event("  \(item.id): epoch \(progress.epoch)/\(progress.epochs) eta=\(progress.etaText)")
                }
            }
        }
    }

    /// Removes the live block (call before printing a final summary).
    public func finish() { erase() }

    private func erase() {
        guard live, drawnLines > 0 else { return }
        emit("\u{1B}[\(drawnLines)A\u{1B}[J")
        drawnLines = 0
    }

    /// Writes straight to the output descriptor, after flushing any buffered `print` output.
    private func emit(_ text: String) {
        fflush(nil)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { if errno == EINTR { continue } else { return } }
            offset += written
        }
    }

    /// `eta 12:34 (~05:12)`: the whole-run ETA and the clock time it ends at; `eta ?` while
    /// unknown; `eta ≥12:34` when a scheduler's queue wait is not included; `+ analyze` names
    /// stage types with work left but no timing yet.
    public static func runETAText(_ estimate: RunEstimator.Estimate?, now: Date) -> String {
        guard let estimate else { return "run eta ?" }
        let end = now.addingTimeInterval(estimate.seconds)
        let format = DateFormatter()
        format.dateFormat = estimate.seconds >= 86_400 ? "MMM d HH:mm" : "HH:mm"
        return "run eta " + (estimate.lowerBound ? "≥" : "") + duration(estimate.seconds.rounded(.up))
            + (estimate.untimed.isEmpty ? "" : " + " + estimate.untimed.joined(separator: ", "))
            + " (~\(format.string(from: end)))"
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%d:%02d", total / 60, total % 60)
    }

    private func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 100
    }

    private func terminalHeight() -> Int {
        var size = winsize()
        return ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 0 ? Int(size.ws_row) : 40
    }
}
