import Foundation

/// One line of a stage's progress file (`.progress.jsonl` in its output folder, hidden so that
/// the manifest never hashes it): the train stage appends one event per epoch; the pipeline
/// runner shows the latest.
public struct ProgressEvent: Codable, Equatable, Sendable {
    public var epoch: Int
    public var epochs: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationMacroAUC: Double
    public var pressure: Double
    /// Estimated seconds until the stage finishes.
    public var etaSeconds: Double

    public init(epoch: Int, epochs: Int, trainLoss: Double, validationLoss: Double, validationMacroAUC: Double,
                pressure: Double, etaSeconds: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationMacroAUC = validationMacroAUC
        self.pressure = pressure
        self.etaSeconds = etaSeconds
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
