import Artifacts
import Foundation
import StageKit

/// The folder protocol every stage follows: the old manifest goes first (so an interrupted
/// rerun is visibly incomplete), outputs are written atomically, and `manifest.json` — with the
/// hashes of every digested output — is written last.
public struct StageFolder<Contract: StageContract>: Sendable {
    public let url: URL
    public let started: Date

    /// Creates the folder if needed and removes its previous manifest.
    public init(_ url: URL) throws {
        self.url = url
        started = Date()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let manifest = url.appendingPathComponent(Manifest.fileName)
        if FileManager.default.fileExists(atPath: manifest.path) {
            try FileManager.default.removeItem(at: manifest)
        }
    }

    /// The URL of an output file of the folder.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Hashes the outputs (all files but the contract's undigested ones, logs and hidden files),
    /// checks that every output the contract always writes exists, and writes `manifest.json`
    /// (with the inputs the stage was told to leave out, if any: ``Manifest/skipped``).
    @discardableResult
    public func complete(parameters: Contract.Parameters, inputs: [Manifest.Input], command: [String],
                         skipped: [Manifest.Skipped]? = nil) throws -> Manifest {
        for output in Contract.outputs where output.always {
            guard FileManager.default.fileExists(atPath: file(output.name).path) else {
                throw ArtifactError.missing(path: file(output.name).path,
                                            hint: "The \(Contract.name) stage finished without writing it; this is a bug, please report it.")
            }
        }
        let manifest = Manifest(stage: Contract.name, parameters: parameters.canonicalTexts, inputs: inputs,
                                outputs: try Manifest.hashOutputs(in: url, excluding: Contract.undigestedOutputs),
                                startedAt: started, finishedAt: Date(), command: command, skipped: skipped)
        try manifest.write(into: url)
        return manifest
    }

    /// Removes everything a failed run wrote — files and folders — keeping logs and hidden
    /// files (the runner's), so that nothing half-written survives while the log explains why.
    public func discardOutputs() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where Manifest.isDigested(name) {
            try FileManager.default.removeItem(at: file(name))
        }
    }
}
