import Foundation

/// One line of a stage's progress file (`.progress.jsonl` in its output folder, hidden so that
/// the manifest never hashes it): the train stage appends one event per epoch; the pipeline
/// runner shows the latest.
public struct ProgressEvent: Codable, Equatable, Sendable {
    /// The epoch just finished (its fields are written flat into the line).
    public var record: EpochRecord
    /// Epochs of the whole run.
    public var epochs: Int
    /// Estimated seconds until the stage finishes.
    public var etaSeconds: Double

    public init(record: EpochRecord, epochs: Int, etaSeconds: Double) {
        self.record = record
        self.epochs = epochs
        self.etaSeconds = etaSeconds
    }

    /// The epoch just finished.
    public var epoch: Int { record.epoch }

    private enum CodingKeys: String, CodingKey {
        case epochs, etaSeconds
    }

    public init(from decoder: Decoder) throws {
        record = try EpochRecord(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try container.decode(Int.self, forKey: .epochs)
        etaSeconds = try container.decode(Double.self, forKey: .etaSeconds)
    }

    public func encode(to encoder: Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(epochs, forKey: .epochs)
        try container.encode(etaSeconds, forKey: .etaSeconds)
    }

    /// The progress file's name inside a stage folder.
    public static let fileName = ".progress.jsonl"

    /// The line written to the progress file (compact JSON, no newline inside).
    public var line: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Appends this event to the progress file of `folder` (best effort: progress is advisory).
    public func append(to folder: URL) {
        let url = folder.appendingPathComponent(Self.fileName)
        let bytes = Data((line + "\n").utf8)
        if let handle = FileHandle(forWritingAtPath: url.path) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: bytes)
            try? handle.close()
        } else {
            try? bytes.write(to: url)
        }
    }

    /// The last complete event of `folder`'s progress file, if any (reads its last 4 KiB).
    public static func latest(in folder: URL) -> ProgressEvent? {
        guard let handle = FileHandle(forReadingAtPath: folder.appendingPathComponent(fileName).path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 4096 ? size - 4096 : 0)
        guard let data = try? handle.readToEnd() else { return nil }
        let decoder = JSONDecoder()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").reversed().lazy
            .compactMap { try? decoder.decode(ProgressEvent.self, from: Data($0.utf8)) }.first
    }

    /// `eta 1:05` style text for displays.
    public var etaText: String {
        let total = Int(etaSeconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%d:%02d", total / 60, total % 60)
    }
}
