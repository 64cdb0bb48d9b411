import Artifacts
import Foundation
import NumpyIO

/// Finds and validates train folders.
public enum RunLoader {
    /// Files a train folder must hold for the analysis (manifest.json last: it marks completion).
    public static let requiredFiles = ["run.json", "epochs.csv", "test-metrics.json", "correlation.npy", "selected.npy", "manifest.json"]

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
            ["run.json", "epochs.csv", "predictions.npy", "correlation.npy", "selected.npy"].contains(name)
                || name.hasSuffix(".npy.partial")
        } || (names.contains(Manifest.fileName) && (try? Manifest.read(from: folder).stage) == "train")
    }

    /// Reads and validates one train folder: required files present, `epochs.csv` complete,
    /// array shapes consistent with `run.json` (headers only; arrays are not loaded).
    public static func load(_ folder: URL) throws(AnalysisError) -> TrainRun {
        let missing = requiredFiles.filter { !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        if !missing.isEmpty { throw .incompleteRun(folder: folder.path, missing: missing) }
        let manifest: Manifest
        do { manifest = try Manifest.read(from: folder) } catch {
            throw .malformed(file: folder.appendingPathComponent(Manifest.fileName).path, line: nil, reason: "\(error)")
        }
        let info: RunInfo = try decodeJSON(folder.appendingPathComponent("run.json"))
        let test: TestMetrics = try decodeJSON(folder.appendingPathComponent("test-metrics.json"))
        let epochsURL = folder.appendingPathComponent("epochs.csv")
        let epochs = try EpochsCSV.parse(epochsURL)
        if epochs.count != info.epochs {
            throw .malformed(file: epochsURL.path, line: nil, reason: "\(epochs.count) epoch rows, run.json says \(info.epochs)")
        }
        let q = info.labelNames.count
        try checkShape(folder.appendingPathComponent("correlation.npy"), expected: [info.epochs, q, q])
        try checkShape(folder.appendingPathComponent("selected.npy"), expected: [info.epochs, info.trainCount])
        let predictions = folder.appendingPathComponent("predictions.npy")
        if FileManager.default.fileExists(atPath: predictions.path) {
            let shape = try header(predictions).shape
            if shape.count != 3 || shape[1] != info.trainCount || shape[2] != q || shape[0] < 1 || shape[0] > info.epochs {
                throw .shapeMismatch(file: predictions.path, expected: [info.epochs, info.trainCount, q], found: shape)
            }
        }
        return TrainRun(folder: folder, info: info, manifest: manifest, epochs: epochs, test: test)
    }

    static func header(_ url: URL) throws(AnalysisError) -> NpyHeader {
        do { return try MappedNpyFile(url).header } catch {
            throw .malformed(file: url.path, line: nil, reason: "\(error)")
        }
    }

    private static func checkShape(_ url: URL, expected: [Int]) throws(AnalysisError) {
        let found = try header(url).shape
        if found != expected { throw .shapeMismatch(file: url.path, expected: expected, found: found) }
    }

    private static func decodeJSON<T: Decodable>(_ url: URL) throws(AnalysisError) -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .incompleteRun(folder: url.deletingLastPathComponent().path, missing: [url.lastPathComponent])
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .malformed(file: url.path, line: nil, reason: "unexpected content (\(error))")
        }
    }
}

/// Parser of the train stage's `epochs.csv`.
public enum EpochsCSV {
    static let columns = ["epoch", "train_loss", "validation_loss", "validation_macro_auc", "pressure", "seconds"]

    /// Reads every row; columns are found by header name, so extra columns are allowed.
    public static func parse(_ url: URL) throws(AnalysisError) -> [EpochRecord] {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw .incompleteRun(folder: url.deletingLastPathComponent().path, missing: [url.lastPathComponent])
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let headerLine = lines.first else { throw .malformed(file: url.path, line: 1, reason: "empty file") }
        let header = headerLine.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var index: [Int] = []
        for column in columns {
            guard let position = header.firstIndex(of: column) else {
                throw .malformed(file: url.path, line: 1, reason: "header lacks column '\(column)' (expected \(columns.joined(separator: ",")))")
            }
            index.append(position)
        }
        var records: [EpochRecord] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            var values: [Double] = []
            for (column, position) in zip(columns, index) {
                guard position < fields.count, let value = Double(fields[position]) else {
                    throw .malformed(file: url.path, line: offset + 2, reason: "column '\(column)' is not a number")
                }
                values.append(value)
            }
            let epoch = Int(values[0])
            if epoch != records.count + 1 {
                throw .malformed(file: url.path, line: offset + 2, reason: "epoch \(epoch) out of sequence (expected \(records.count + 1))")
            }
            records.append(EpochRecord(epoch: epoch, trainLoss: values[1], validationLoss: values[2],
                                       validationMacroAUC: values[3], pressure: values[4], seconds: values[5]))
        }
        return records
    }
}
