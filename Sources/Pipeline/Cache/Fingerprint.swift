import Artifacts
import Formats
import Foundation

/// What determines a stage instance's outputs: the stage type and tool version, the resolved
/// parameters, and the content digests of the upstream folders it reads.
///
/// Its ``key`` (SHA-256 of a canonical text form) is the instance's cache key: equal keys mean
/// the stage would produce the same outputs, so a complete folder with that key is reused.
public struct Fingerprint: Codable, Equatable, Sendable {
    /// One upstream folder read by the instance.
    public struct Input: Codable, Equatable, Sendable {
        /// The flag that passes it (`dataset`, `split`, `runs`).
        public var flag: String
        /// The upstream instance (`stage/name`), for explanations only: it is not part of the key.
        public var instance: String
        /// ``Manifest/outputDigest`` of the upstream folder.
        public var digest: String
    }

    public var uses: String
    public var toolVersion: String
    /// Every parameter of the stage (defaults included) → canonical text, as the contract resolves it.
    public var parameters: [String: String]
    public var inputs: [Input]

    /// The cache key: SHA-256 (hex) of the stage type, tool version, sorted parameters and the
    /// input digests in order. Input instance names are left out, so renaming an upstream
    /// stage with unchanged content keeps downstream instances valid.
    public var key: String {
        var text = "mlbatch pipeline key 1\nuses \(uses)\ntool \(toolVersion)\n"
        for flag in parameters.keys.sorted() { text += "parameter \(flag)=\(parameters[flag]!)\n" }
        for input in inputs { text += "input \(input.flag)=\(input.digest)\n" }
        return SHA256.hex(of: Data(text.utf8))
    }

    /// Human-readable differences from `old` in parameters (`epochs: 20 → 30`, `+ lr=1e-3`, `- lr`).
    public func parameterChanges(from old: Fingerprint) -> [String] {
        var changes: [String] = []
        for flag in Set(parameters.keys).union(old.parameters.keys).sorted() {
            switch (old.parameters[flag], parameters[flag]) {
            case let (before?, after?) where before != after: changes.append("\(flag): \(before) → \(after)")
            case let (nil, after?): changes.append("\(flag): added (\(after))")
            case let (before?, nil): changes.append("\(flag): removed (was \(before))")
            default: break
            }
        }
        return changes
    }

    /// Upstream instances whose content (or presence) differs from `old`.
    public func inputChanges(from old: Fingerprint) -> [String] {
        var changes: [String] = []
        for input in inputs where !old.inputs.contains(input) {
            changes.append(old.inputs.contains { $0.instance == input.instance && $0.flag == input.flag }
                ? "\(input.instance) (new content)" : "\(input.instance) (new input)")
        }
        for input in old.inputs where !inputs.contains(where: { $0.instance == input.instance && $0.flag == input.flag }) {
            changes.append("\(input.instance) (no longer read)")
        }
        return changes
    }
}

/// `Artifacts/<pipeline>/pipeline.lock`: the fingerprint each instance was last built with.
/// Written atomically after every completed instance (JSON, sorted keys).
public struct LockFile: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var key: String
        public var fingerprint: Fingerprint
        /// ``Manifest/outputDigest`` of the folder when it was recorded.
        public var outputDigest: String
        public var finishedAt: String
    }

    public var pipeline: String
    /// The pipeline file that builds this folder (absolute path), so that a second file with the
    /// same `name:` is refused instead of rebuilding over it.
    public var file: String?
    /// Keyed by instance id (`stage/name`).
    public var instances: [String: Entry]

    public static let fileName = "pipeline.lock"

    public init(pipeline: String) {
        self.pipeline = pipeline
        instances = [:]
    }

    /// Reads the lock file in `folder`, or returns an empty one if there is none yet.
    public static func read(from folder: URL, pipeline: String) throws -> LockFile {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return LockFile(pipeline: pipeline) }
        do {
            return try JSONDecoder().decode(LockFile.self, from: data)
        } catch {
            throw PipelineError.io(path: url.path, reason: "not a valid pipeline lock file (\(error)); delete it to rebuild every instance")
        }
    }

    /// Throws, naming both files, if another existing pipeline file with the same `name:` built
    /// `root` (the folder this lock file was read from), so that `plan` neither rebuilds nor deletes it.
    public func checkBuilder(plan: PipelinePlan, root: URL) throws {
        if let builder = file, let source = plan.definition.source, builder != source, FileManager.default.fileExists(atPath: builder) {
            throw PipelineError.io(path: root.path, reason: "holds the artifacts of \(builder), whose `name:` is also `\(plan.definition.name)`; "
                + "give \(plan.definition.file) another `name:` (each pipeline needs its own Artifacts/<name> folder)")
        }
    }

    /// Writes the lock file into `folder` atomically.
    public func write(into folder: URL) throws {
        try JSONFiles.write(self, to: folder.appendingPathComponent(Self.fileName))
    }
}
