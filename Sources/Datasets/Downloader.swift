import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP(S) downloads with progress, retries and resume.
///
/// Bytes go to `<destination>.part`; a later attempt (or a later run) that finds a partial file
/// asks for the rest with a `Range` header and appends when the server answers 206 (a 200
/// answer restarts from zero). Connection errors and 5xx answers are retried with exponential
/// back-off; other 4xx answers fail at once. The finished file is renamed to `destination`.
public struct Downloader: Sendable {
    /// Total number of attempts per download.
    public var attempts: Int
    /// Pause before the first retry, in seconds; doubled after each failure.
    public var retryDelay: Double
    /// Seconds without data before an attempt is abandoned.
    public var timeout: Double

    public init(attempts: Int = 4, retryDelay: Double = 1, timeout: Double = 60) {
        self.attempts = attempts
        self.retryDelay = retryDelay
        self.timeout = timeout
    }

    /// Called with (bytes received so far, total size when known).
    public typealias Progress = @Sendable (Int64, Int64?) -> Void

    /// The partial-download file used for `destination`.
    public static func partialURL(for destination: URL) -> URL {
        destination.deletingLastPathComponent().appendingPathComponent(destination.lastPathComponent + ".part")
    }

    /// Downloads `url` to `destination` (parent folders are created).
    public func download(_ url: URL, to destination: URL, progress: @escaping Progress = { _, _ in }) throws {
        let partial = Self.partialURL(for: destination)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        var delay = retryDelay
        var lastReason = "no attempt made"
        for attempt in 1...max(1, attempts) {
            let outcome = attemptOnce(url, partial: partial, progress: progress)
            switch outcome {
            case .complete:
                try? FileManager.default.removeItem(at: destination)
                if rename(partial.path, destination.path) != 0 {
                    throw DatasetError.output(path: destination.path, reason: "cannot move the download into place: \(String(cString: strerror(errno)))")
                }
                return
            case let .fatal(reason):
                throw DatasetError.download(url: url.absoluteString, reason: reason)
            case let .retryable(reason):
                lastReason = reason
            }
            if attempt < attempts && delay > 0 {
                Thread.sleep(forTimeInterval: delay)
                delay *= 2
            }
        }
        throw DatasetError.download(url: url.absoluteString, reason: "\(lastReason) (gave up after \(attempts) attempts; the partial file is kept for resuming)")
    }

    enum Outcome {
        case complete
        case retryable(String)
        case fatal(String)
    }

    private func attemptOnce(_ url: URL, partial: URL, progress: @escaping Progress) -> Outcome {
        let existing = (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)?.int64Value ?? 0
        var request = URLRequest(url: url, timeoutInterval: timeout)
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        let receiver = DownloadReceiver(partial: partial, existing: existing, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
        session.dataTask(with: request).resume()
        receiver.finished.wait()
        session.finishTasksAndInvalidate()
        return receiver.outcome()
    }
}

/// Receives one HTTP response into the partial file (URLSession delegate; state behind a lock).
final class DownloadReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let partial: URL
    let existing: Int64
    let progress: Downloader.Progress
    let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var handle: FileHandle?
    private var status = 0
    private var received: Int64 = 0
    private var total: Int64?
    private var failure: String?

    init(partial: URL, existing: Int64, progress: @escaping Downloader.Progress) {
        self.partial = partial
        self.existing = existing
        self.progress = progress
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        let http = response as? HTTPURLResponse
        status = http?.statusCode ?? 200
        let length = response.expectedContentLength
        do {
            if status == 206 && existing > 0 {
                handle = try FileHandle(forWritingTo: partial)
                try handle?.seekToEnd()
                received = existing
                total = length >= 0 ? existing + length : nil
            } else if status == 200 {
                _ = FileManager.default.createFile(atPath: partial.path, contents: nil)
                handle = try FileHandle(forWritingTo: partial)
                received = 0
                total = length >= 0 ? length : nil
            } else {
                completionHandler(.cancel)
                return
            }
        } catch {
            failure = "cannot write \(partial.path): \(error.localizedDescription)"
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        do {
            try handle?.write(contentsOf: data)
            received += Int64(data.count)
        } catch {
            failure = "cannot write \(partial.path): \(error.localizedDescription)"
            dataTask.cancel()
        }
        let (now, size) = (received, total)
        lock.unlock()
        progress(now, size)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        try? handle?.close()
        handle = nil
        if failure == nil, let error, status == 200 || status == 206 || status == 0 {
            failure = error.localizedDescription
        }
        lock.unlock()
        finished.signal()
    }

    func outcome() -> Downloader.Outcome {
        lock.lock()
        defer { lock.unlock() }
        if let failure { return .retryable(failure) }
        switch status {
        case 200, 206:
            if let total, received != total { return .retryable("connection closed after \(received) of \(total) bytes") }
            return .complete
        case 416:
            try? FileManager.default.removeItem(at: partial)
            return .retryable("server refused to resume (HTTP 416); restarting from zero")
        case 408, 429, 500...599:
            return .retryable("HTTP \(status)")
        default:
            return .fatal("HTTP \(status)")
        }
    }
}
