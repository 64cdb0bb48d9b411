import Artifacts
import Formats
import Foundation
import NumpyIO

/// Reading and checking the split stage's input: the dataset artifact's label matrix.
enum SplitInput {
    /// Reads `labels.npy` (uint8, 2-D) and checks it against `features.npy` and `meta.json`
    /// when they are present. Errors name the file and the fix.
    static func readLabels(_ url: URL, datasetFolder: URL) throws -> LabelMatrix {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ArtifactError.missing(path: url.path, hint: "--dataset must be a folder written by fetch (run fetch first).")
        }
        let array = try NpyFile.read(url)
        guard array.shape.count == 2 else {
            throw ArtifactError.malformed(path: url.path, reason: "shape \(array.shape) is not 2-D [instances, labels]; rerun fetch")
        }
        let (rows, labels) = (array.shape[0], array.shape[1])
        guard array.dtype == .uint8 else {
            throw ArtifactError.malformed(path: url.path, reason: "dtype is \(array.dtype), expected uint8 (0/1); rerun fetch")
        }
        let features = datasetFolder.appendingPathComponent(DatasetFiles.features)
        if FileManager.default.fileExists(atPath: features.path) {
            let shape = try MappedNpyFile(features).header.shape
            guard shape.first == rows else {
                throw ArtifactError.malformed(path: features.path,
                                              reason: "has shape \(shape) but labels.npy has \(rows) rows; the dataset folder is inconsistent: rerun fetch")
            }
        }
        let metaURL = datasetFolder.appendingPathComponent(DatasetFiles.meta)
        if FileManager.default.fileExists(atPath: metaURL.path) {
            let meta = try DatasetMeta.read(from: datasetFolder)
            guard meta.labelNames.count == labels else {
                throw ArtifactError.malformed(path: metaURL.path,
                                              reason: "names \(meta.labelNames.count) labels but labels.npy has \(labels) columns; rerun fetch")
            }
        }
        do {
            return try LabelMatrix(dense: try array.values(as: UInt8.self, path: url.path), rows: rows, labels: labels)
        } catch let error as StratificationError {
            throw ArtifactError.malformed(path: url.path, reason: "\(error)")
        }
    }
}
