import Artifacts
import Foundation
import NumpyIO

/// A resumable snapshot of a run after a completed epoch.
///
/// Stored as a folder `checkpoint-<epoch>/` holding array files plus `state.json`, and made
/// current by atomically rewriting the pointer file `checkpoint.json`; the previous folder is
/// deleted only after the pointer moved. A crash at any moment therefore leaves exactly one
/// complete checkpoint (or none) in force.
public struct Checkpoint {
    /// The small JSON part of a checkpoint.
    public struct State: Codable, Sendable {
        public var epoch: Int
        public var records: [EpochRecord]
        public var bestEpoch: Int
        public var bestValidationAUC: Double
        public var bestTestMetrics: [String: Double]
        public var generators: [String: [UInt64]]
        public var optimiserStep: Int
        /// Fingerprint of the options and inputs, so a rerun with other settings does not resume.
        public var fingerprint: String
    }

    public var state: State
    /// Named arrays (model parameters, optimiser moments, selector state), stored in `.npz` groups.
    public var arrays: [String: [String: NpyArray]]

    public init(state: State, arrays: [String: [String: NpyArray]]) {
        self.state = state
        self.arrays = arrays
    }

    static let pointerName = "checkpoint.json"

    private struct Pointer: Codable { var folder: String }

    /// Saves this checkpoint into `runFolder` and makes it current.
    public func save(in runFolder: URL) throws {
        let folderName = "checkpoint-\(state.epoch)"
        let folder = runFolder.appendingPathComponent(folderName)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (group, members) in arrays.sorted(by: { $0.key < $1.key }) {
            try NpzFile.write(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                              to: folder.appendingPathComponent("\(group).npz"))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(state), to: folder.appendingPathComponent("state.json"))
        let pointerURL = runFolder.appendingPathComponent(Self.pointerName)
        let previous = Self.currentFolderName(in: runFolder)
        try AtomicFile.write(try encoder.encode(Pointer(folder: folderName)), to: pointerURL)
        if let previous, previous != folderName {
            try? FileManager.default.removeItem(at: runFolder.appendingPathComponent(previous))
        }
    }

    /// Loads the current checkpoint of `runFolder`, or nil if there is none.
    public static func load(from runFolder: URL) throws -> Checkpoint? {
        guard let folderName = currentFolderName(in: runFolder) else { return nil }
        let folder = runFolder.appendingPathComponent(folderName)
        let stateURL = folder.appendingPathComponent("state.json")
        guard let data = FileManager.default.contents(atPath: stateURL.path) else {
            throw ArtifactError.malformed(path: stateURL.path, reason: "checkpoint state is missing; delete \(runFolder.path) to start over")
        }
        let state = try JSONDecoder().decode(State.self, from: data)
        var arrays: [String: [String: NpyArray]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".npz") {
            arrays[String(file.dropLast(4))] = try NpzFile.read(folder.appendingPathComponent(file))
        }
        return Checkpoint(state: state, arrays: arrays)
    }

    /// Removes every checkpoint file from `runFolder` (after the run completed).
    public static func remove(from runFolder: URL) {
        if let name = currentFolderName(in: runFolder) {
            try? FileManager.default.removeItem(at: runFolder.appendingPathComponent(name))
        }
        try? FileManager.default.removeItem(at: runFolder.appendingPathComponent(pointerName))
    }

    private static func currentFolderName(in runFolder: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: runFolder.appendingPathComponent(pointerName).path),
              let pointer = try? JSONDecoder().decode(Pointer.self, from: data) else { return nil }
        return pointer.folder
    }
}
