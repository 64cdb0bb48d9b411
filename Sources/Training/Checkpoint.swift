import Artifacts
import Formats
import Foundation

/// A resumable snapshot of a run after a completed epoch.
///
/// Stored as a folder `checkpoint-<epoch>/` (array files written by the caller, then
/// `state.json`) and made current by atomically rewriting the pointer file `checkpoint.json`;
/// the previous folder is deleted only after the pointer moved. A crash at any moment therefore
/// leaves exactly one complete checkpoint (or none) in force. The checkpoint of a run's last
/// epoch holds the state alone: it is what the run's finish is done (again) from.
public enum Checkpoint {
    /// The small JSON part of a checkpoint.
    public struct State: Codable, Sendable {
        public var epoch: Int
        public var records: [EpochRecord]
        public var bestEpoch: Int
        public var bestValidationAUC: Double
        public var bestTestMetrics: [MetricName: Double]
        public var trainingSteps: Int
        /// Fingerprint of the options and inputs, so a rerun with other settings does not resume.
        public var fingerprint: String
    }

    static let pointerName = "checkpoint.json"
    /// Non-finite numbers of the state as strings (no epoch has been tested yet with test-epoch last:
    /// the best validation AUC is still −∞).
    private static let nonFiniteNumbers = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    private static var stateDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
    private struct Pointer: Codable { var folder: String }

    /// Saves a checkpoint into `runFolder` and makes it current; `writeArrays` fills the new
    /// checkpoint folder with its array files before the state and the pointer are written.
    public static func save(_ state: State, in runFolder: URL, writeArrays: (URL) throws -> Void) throws {
        let folderName = "checkpoint-\(state.epoch)"
        let folder = runFolder.appendingPathComponent(folderName)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeArrays(folder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = nonFiniteNumbers
        try AtomicFile.write(try encoder.encode(state), to: folder.appendingPathComponent("state.json"))
        let previous = currentFolderName(in: runFolder)
        try AtomicFile.write(try encoder.encode(Pointer(folder: folderName)), to: runFolder.appendingPathComponent(pointerName))
        if let previous, previous != folderName {
            try? FileManager.default.removeItem(at: runFolder.appendingPathComponent(previous))
        }
    }

    /// The current checkpoint of `runFolder` (its state and the folder of its arrays), or nil.
    public static func load(from runFolder: URL) throws -> (state: State, folder: URL)? {
        guard let folderName = currentFolderName(in: runFolder) else { return nil }
        let folder = runFolder.appendingPathComponent(folderName)
        let stateURL = folder.appendingPathComponent("state.json")
        guard let data = FileManager.default.contents(atPath: stateURL.path),
              let state = try? stateDecoder.decode(State.self, from: data) else {
            throw ArtifactError.malformed(path: stateURL.path, reason: "checkpoint state is missing or unreadable; delete \(runFolder.path) to start over")
        }
        return (state, folder)
    }

    /// Removes every checkpoint file from `runFolder` (after the run completed or to start over),
    /// including folders of a save that a kill interrupted.
    public static func remove(from runFolder: URL) {
        try? FileManager.default.removeItem(at: runFolder.appendingPathComponent(pointerName))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runFolder.path)) ?? []
        for name in names where name.hasPrefix("checkpoint-") {
            try? FileManager.default.removeItem(at: runFolder.appendingPathComponent(name))
        }
    }

    /// The folder of the current checkpoint of `runFolder` (whose unchanged files a new checkpoint may link), or nil.
    public static func currentFolder(in runFolder: URL) -> URL? {
        currentFolderName(in: runFolder).map { runFolder.appendingPathComponent($0) }
    }

    private static func currentFolderName(in runFolder: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: runFolder.appendingPathComponent(pointerName).path),
              let pointer = try? JSONDecoder().decode(Pointer.self, from: data) else { return nil }
        return pointer.folder
    }
}
