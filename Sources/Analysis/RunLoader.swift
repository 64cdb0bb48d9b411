import Artifacts
import Formats
import Foundation
import NumpyIO

/// Finds and validates train folders.
public enum RunLoader {
    /// Files every train folder must hold for the analysis (manifest.json last: it marks completion).
    /// `correlation.npy` is required too when `run.json` says the run records it
    /// (``Formats/TrainParameters/recordsCorrelation``).
    public static let requiredFiles = [TrainFiles.run, TrainFiles.epochs, TrainFiles.testMetrics,
                                       TrainFiles.selected, Manifest.fileName]

    /// Train instance folders named by `--runs`: each folder is either a train folder itself or
    /// holds train folders up to three levels down (e.g. `Artifacts/corel5k/train`). Sorted.
    public static func discover(_ roots: [URL]) throws(AnalysisError) -> [URL] {
        var found: [URL] = []
        for root in roots {
            let folders = trainFolders(under: root.standardizedFileURL, depth: 3)
            if folders.isEmpty { throw .noRuns(folder: root.path) }
            found += folders
        }
        var seen = Set<String>()
        return found.filter { seen.insert($0.path).inserted }
    }

    private static func trainFolders(under folder: URL, depth: Int) -> [URL] {
        if looksLikeTrainFolder(folder) { return [folder] }
        guard depth > 0, let children = try? FileManager.default.contentsOfDirectory(
            at: folder, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles]) else { return [] }
        return children.filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .flatMap { trainFolders(under: $0, depth: depth - 1) }
    }

    /// A folder holding any train output (complete or not), so partial runs get named.
    private static func looksLikeTrainFolder(_ folder: URL) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.contains { name in
            [TrainFiles.run, TrainFiles.epochs, TrainFiles.predictions, TrainFiles.correlation, TrainFiles.selected].contains(name)
                || name.hasSuffix(".npy.partial")
        } || (names.contains(Manifest.fileName) && (try? Manifest.read(from: folder).stage) == "train")
    }

    /// Reads and validates one train folder: required files present, `epochs.csv` complete,
    /// array shapes consistent with `run.json` (headers only; arrays are not loaded).
    public static func load(_ folder: URL) throws(AnalysisError) -> TrainRun {
        let recordsCorrelation = (try? RunDescription.read(from: folder))?.parameters.recordsCorrelation ?? false
        let required = recordsCorrelation ? requiredFiles.filter { $0 != Manifest.fileName } + [TrainFiles.correlation, Manifest.fileName]
                                          : requiredFiles
        let missing = required.filter { !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        if !missing.isEmpty { throw .incompleteRun(folder: folder.path, missing: missing) }
        let manifest = try readFile(folder.appendingPathComponent(Manifest.fileName)) { try Manifest.read(from: folder) }
        let metadata: RunDescription = try readFile(folder.appendingPathComponent(TrainFiles.run)) { try RunDescription.read(from: folder) }
        let test: TestMetrics = try readFile(folder.appendingPathComponent(TrainFiles.testMetrics)) { try TestMetrics.read(from: folder) }
        let epochsURL = folder.appendingPathComponent(TrainFiles.epochs)
        let epochs = try readFile(epochsURL) { try EpochRecord.readCSV(from: folder) }
        let count = metadata.parameters.epochs
        if epochs.count != count {
            throw .malformed(file: epochsURL.path, line: nil, reason: "\(epochs.count) epoch rows, run.json says \(count)")
        }
        let q = metadata.labelNames.count, n = metadata.trainCount
        // Runs that compute no label correlation write no correlation.npy (C = I; a run that
        // computes it was required to have it above); runs made before that change may still
        // hold an identity file, which is checked and used.
        let correlation = folder.appendingPathComponent(TrainFiles.correlation)
        let hasCorrelation = FileManager.default.fileExists(atPath: correlation.path)
        if hasCorrelation { try checkShape(correlation, expected: [metadata.correlationEpochs.count, q, q]) }
        try checkShape(folder.appendingPathComponent(TrainFiles.selected), expected: [count, n])
        let predictions = folder.appendingPathComponent(TrainFiles.predictions)
        if FileManager.default.fileExists(atPath: predictions.path) {
            let shape = try header(predictions).shape
            if shape.count != 3 || shape[1] != n || shape[2] != q || shape[0] < 1 || shape[0] > count {
                throw .shapeMismatch(file: predictions.path, expected: [count, n, q], found: shape)
            }
        }
        return TrainRun(folder: folder, metadata: metadata, manifest: manifest, epochs: epochs, test: test,
                        hasCorrelation: hasCorrelation)
    }

    static func header(_ url: URL) throws(AnalysisError) -> NpyHeader {
        try readFile(url) { try MappedNpyFile(url).header }
    }

    private static func checkShape(_ url: URL, expected: [Int]) throws(AnalysisError) {
        let found = try header(url).shape
        if found != expected { throw .shapeMismatch(file: url.path, expected: expected, found: found) }
    }

    /// Reads one file of the run; an error becomes ``AnalysisError/malformed(file:line:reason:)`` naming it.
    private static func readFile<T>(_ url: URL, _ read: () throws -> T) throws(AnalysisError) -> T {
        do { return try read() } catch let ArtifactError.malformed(path, reason) {
            throw .malformed(file: path, line: nil, reason: reason)
        } catch let ArtifactError.missing(path, _) {
            throw .incompleteRun(folder: url.deletingLastPathComponent().path, missing: [(path as NSString).lastPathComponent])
        } catch {
            throw .malformed(file: url.path, line: nil, reason: "\(error)")
        }
    }
}
