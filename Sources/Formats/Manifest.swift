import Foundation
import Artifacts

/// The project's version, recorded in every manifest and part of every pipeline cache key.
public enum ToolVersion {
    public static let string = "0.1.0"
}

/// `manifest.json` of one stage instance's artifact folder: what ran, on what, producing what.
///
/// Stage executables write it last, after every other output is complete; its presence marks
/// the folder as complete. Output hashes let downstream stages and the pipeline cache key on
/// content rather than timestamps.
public struct Manifest: Codable, Equatable, Sendable {
    /// A file or folder this instance read, with the SHA-256 of its content.
    public struct Input: Codable, Equatable, Sendable {
        public var name: String
        public var path: String
        public var sha256: String
        public init(name: String, path: String, sha256: String) {
            self.name = name
            self.path = path
            self.sha256 = sha256
        }
    }

    public var stage: String
    public var toolVersion: String
    /// Resolved parameters, as strings (numbers in their canonical textual form).
    public var parameters: [String: String]
    public var inputs: [Input]
    /// Output file name (relative to the folder) → SHA-256.
    public var outputs: [String: String]
    public var startedAt: String
    public var finishedAt: String
    public var host: String
    /// The exact command line that reproduces this folder.
    public var command: [String]
    /// Inputs the stage could not read and left out because it was told to (analyze's
    /// `skip_unreadable`), each with why; nil when it left none out. The pipeline keeps such an
    /// instance stale, so it is redone once they are repaired.
    public var skipped: [Skipped]?

    /// An input left out: its path and why it could not be read.
    public struct Skipped: Codable, Equatable, Sendable {
        public var path: String
        public var reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public init(stage: String, parameters: [String: String], inputs: [Input], outputs: [String: String],
                startedAt: Date, finishedAt: Date, command: [String], skipped: [Skipped]? = nil) {
        self.stage = stage
        self.toolVersion = ToolVersion.string
        self.parameters = parameters
        self.inputs = inputs
        self.outputs = outputs
        let format = ISO8601DateFormatter()
        self.startedAt = format.string(from: startedAt)
        self.finishedAt = format.string(from: finishedAt)
        self.host = ProcessInfo.processInfo.hostName
        self.command = command
        self.skipped = skipped
    }

    /// The file name every stage folder uses.
    public static let fileName = "manifest.json"

    /// Encodes with sorted keys, so two manifests of identical runs differ only in times and host.
    public func encoded() throws -> Data {
        try JSONFiles.encode(self)
    }

    /// Writes `manifest.json` into `folder` atomically.
    public func write(into folder: URL) throws {
        try AtomicFile.write(try encoded(), to: folder.appendingPathComponent(Self.fileName))
    }

    /// Reads `manifest.json` from a stage folder.
    public static func read(from folder: URL) throws -> Manifest {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ArtifactError.missing(path: url.path, hint: "The stage that writes this folder has not completed; run it first.")
        }
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw ArtifactError.malformed(path: url.path, reason: "corrupt manifest (\(JSONFiles.reason(error))); rerun the stage that writes the folder")
        }
    }

    /// The outputs listed here that are missing from `folder` or whose content no longer has
    /// the recorded SHA-256, each with what is wrong, e.g. `predictions.npy (content differs
    /// from manifest.json)`; empty when every output is intact. Reads every output.
    public func damagedOutputs(in folder: URL) -> [String] {
        outputs.keys.sorted().compactMap { name in
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return "\(name) (missing)" }
            guard let sha256 = try? SHA256.hex(ofFile: url) else { return "\(name) (unreadable)" }
            return sha256 == outputs[name] ? nil : "\(name) (content differs from \(Self.fileName))"
        }
    }

    /// Files the pipeline runner puts in an instance folder that are not outputs: the Slurm batch
    /// script (its log, `stage.log`, and its hidden records are skipped as every log and hidden file).
    public static let runnerFiles: Set<String> = ["slurm.sh"]

    /// SHA-256 of every regular file below `folder` (relative paths), skipping the manifest,
    /// log files, hidden temporary files (`isDigested`), ``runnerFiles`` and the names in
    /// `excluding` (a contract's undigested outputs). Sorted, deterministic, so the outputs of
    /// an instance are the same whichever executor ran it.
    public static func hashOutputs(in folder: URL, excluding: Set<String> = []) throws -> [String: String] {
        var result: [String: String] = [:]
        let root = folder.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw ArtifactError.missing(path: root, hint: "The output folder was not created.")
        }
        for case let relative as String in walker {
            let name = (relative as NSString).lastPathComponent
            if !isDigested(name) || excluding.contains(relative) || runnerFiles.contains(relative) { continue }
            let url = URL(fileURLWithPath: root).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            result[relative] = try SHA256.hex(ofFile: url)
        }
        return result
    }

    /// Whether a file of this name can count among a folder's outputs: not hidden (temporary
    /// files, progress), not the manifest, not a `.log` (logs hold wall-clock times).
    public static func isDigested(_ name: String) -> Bool {
        !(name.hasPrefix(".") || name == fileName || name.hasSuffix(".log"))
    }

    /// One digest summarising a folder's outputs (the hash of its sorted `name=sha` lines).
    public var outputDigest: String {
        SHA256.hex(of: Data(outputs.keys.sorted().map { "\($0)=\(outputs[$0]!)\n" }.joined().utf8))
    }
}
