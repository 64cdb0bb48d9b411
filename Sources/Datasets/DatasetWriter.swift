import Artifacts
import Foundation
import NumpyIO

/// `meta.json` of a normalised dataset.
public struct DatasetMeta: Codable, Equatable, Sendable {
    /// Where the data came from.
    public struct Source: Codable, Equatable, Sendable {
        /// The archive's catalog path (e.g. `mulan/corel5k.zip`).
        public var archive: String
        public var sha256: String
        /// The ARFF files (inside `source/`) whose rows form the dataset, in order.
        public var files: [String]
        /// `xml:<file>` (Mulan) or `meka:-C <q>` (MEKA).
        public var labelSource: String
        /// Whether the ARFF rows were sparse (`features.npy` is dense either way).
        public var sparseRows: Bool
    }

    public var name: String
    public var layout: String
    public var source: Source
    public var featureNames: [String]
    public var labelNames: [String]
    public var statistics: DatasetStatistics
    /// How `?` values were handled (`error` or `zero`).
    public var missingValues: String
}

/// Writes `features.npy`, `labels.npy` and `meta.json`.
public enum DatasetWriter {
    /// Writes the three files into `folder` (each atomically). `features.npy` is always dense
    /// float32 [n, d] (no CSR triple, even for sparse sources); `labels.npy` is uint8 [n, q].
    public static func write(_ dataset: MultiLabelDataset, meta: DatasetMeta, into folder: URL) throws {
        try NpyFile.write(dataset.features, shape: [dataset.count, dataset.featureCount],
                          to: folder.appendingPathComponent("features.npy"))
        try NpyFile.write(dataset.labels, shape: [dataset.count, dataset.labelCount],
                          to: folder.appendingPathComponent("labels.npy"))
        try AtomicFile.write(try encode(meta), to: folder.appendingPathComponent("meta.json"))
    }

    /// JSON with sorted keys (byte-identical for identical input).
    public static func encode(_ meta: DatasetMeta) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(meta)
    }
}
