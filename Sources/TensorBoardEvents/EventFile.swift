import Foundation

/// Reading TensorBoard event files: TFRecord-framed `Event` messages, the first one holding the
/// file version. TensorBoard reads every file whose name contains `tfevents` in a run's folder.
public enum EventFile {
    /// The complete records of the file at `url`, decoded. A torn tail (a writer that is still
    /// running or was killed mid-record) is left out and counted in `tornBytes`.
    public static func read(_ url: URL) throws(EventFileError) -> EventFileContents {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch {
            throw .io(path: url.path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        let (records, validLength) = try TFRecord.records(in: bytes, path: url.path)
        var contents = EventFileContents(events: [], recordEnds: [], tornBytes: bytes.count - validLength, hyperParameters: nil)
        for data in records {
            do {
                let event = try Event(decoding: bytes[data])
                for value in event.summary ?? [] {
                    if let hyperParameters = try HParams.hyperParameters(of: value) { contents.hyperParameters = hyperParameters }
                }
                contents.events.append(event)
                contents.recordEnds.append(data.upperBound + 4)
            } catch {
                throw .malformed(path: url.path, offset: data.lowerBound - 12, reason: "not a tensorflow.Event message: \(error.reason)")
            }
        }
        return contents
    }
}

/// The decoded events of one event file.
public struct EventFileContents: Sendable {
    public var events: [Event]
    /// The byte offset just past each event's record.
    public var recordEnds: [Int]
    /// Bytes after the last complete record.
    public var tornBytes: Int
    /// The hyper-parameters of the HParams plugin's `session_start_info`, if the file has one.
    public var hyperParameters: [String: HParams.Value]?

    /// Every scalar tag with its (step, value) points in file order; tags in order of first appearance.
    public var scalars: [(tag: String, points: [(step: Int64, value: Float)])] {
        var order: [String] = [], points: [String: [(step: Int64, value: Float)]] = [:]
        for event in events {
            for value in event.summary ?? [] {
                guard let scalar = value.simpleValue else { continue }
                if points[value.tag] == nil { order.append(value.tag) }
                points[value.tag, default: []].append((event.step, scalar))
            }
        }
        return order.map { ($0, points[$0]!) }
    }
}

/// Appends events to a TensorBoard event file, one record per `write(2)`, so TensorBoard can
/// follow the file while training runs.
public final class EventFileWriter {
    public let url: URL
    /// The largest step of the events in the file (0 for a new file).
    public private(set) var lastStep: Int64
    private let handle: FileHandle

    /// Creates `url` anew (replacing any file there) with the file-version event.
    public init(creating url: URL, wallTime: Double) throws(EventFileError) {
        self.url = url
        lastStep = 0
        guard FileManager.default.createFile(atPath: url.path, contents: Data()),
              let handle = FileHandle(forWritingAtPath: url.path) else {
            throw .io(path: url.path, reason: "cannot create the file; check that its folder exists and is writable")
        }
        self.handle = handle
        try write(Event(wallTime: wallTime, step: 0, fileVersion: Event.currentFileVersion))
    }

    /// Opens the file at `url` to continue it after `step` (a run resumed from a checkpoint):
    /// keeps the complete records before the first event with a larger step and appends after
    /// them, dropping that event, everything after it and any torn tail. Nil when there is no
    /// readable event file with a file-version event to continue.
    public init?(continuing url: URL, afterStep step: Int64) throws(EventFileError) {
        guard FileManager.default.fileExists(atPath: url.path),
              let contents = try? EventFile.read(url), contents.events.first?.fileVersion != nil else { return nil }
        let kept = contents.events.firstIndex { $0.step > step } ?? contents.events.count
        let length = kept == 0 ? 0 : contents.recordEnds[kept - 1]
        self.url = url
        lastStep = contents.events[..<kept].map(\.step).max() ?? 0
        guard let handle = FileHandle(forUpdatingAtPath: url.path) else {
            throw .io(path: url.path, reason: "cannot open the file for writing; check its permissions")
        }
        do {
            try handle.truncate(atOffset: UInt64(length))
            try handle.seekToEnd()
        } catch {
            throw .io(path: url.path, reason: "cannot truncate the file to \(length) bytes (\(error.localizedDescription))")
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends one event.
    public func write(_ event: Event) throws(EventFileError) {
        do { try handle.write(contentsOf: TFRecord.frame(event.encoded())) } catch {
            throw .io(path: url.path, reason: "cannot append an event (\(error.localizedDescription))")
        }
        lastStep = max(lastStep, event.step)
    }
}

/// A failure to read or write an event file.
public enum EventFileError: Error, CustomStringConvertible {
    case io(path: String, reason: String)
    case malformed(path: String, offset: Int, reason: String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformed(path, offset, reason):
            return "\(path): record at byte \(offset): \(reason). This is not a complete TensorBoard event file; "
                + "delete it (the train stage writes it again when the run is rerun)."
        }
    }
}
