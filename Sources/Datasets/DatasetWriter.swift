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
        /// Whether the ARFF rows were sparse (then `features-csr.npz` is written too;
        /// `features.npy` is dense either way).
        public var sparseRows: Bool
    }

    public var name: String
    public var layout: String
    public var source: Source
    public var featureNames: [String]
    public var labelNames: [String]
    /// For each ARFF attribute, in header order: its role (feature, label, dropped), its encoding
    /// (numeric, binary, one-hot) and the columns of `features.npy` or `labels.npy` it became.
    public var attributes: [AttributeEncoding]
    public var statistics: DatasetStatistics
    /// How `?` values were handled (`error` or `zero`).
    public var missingValues: String
    /// Warnings given while loading (e.g. identifier-like attributes that were kept).
    public var warnings: [String]
}

/// Writes `features.npy`, `labels.npy`, `meta.json` and, for sparse sources, `features-csr.npz`.
public enum DatasetWriter {
    /// Name of the CSR copy of the features written for sparse sources.
    public static let csrFileName = "features-csr.npz"

    /// Called with (bytes of `features.npy` written, its size) while dense rows are streamed out.
    public typealias Progress = (Int64, Int64) -> Void

    /// Writes the files into `folder` (each atomically). `features.npy` is always dense float32
    /// [n, d]; when the ARFF rows were sparse, `features-csr.npz` also holds the same matrix in
    /// CSR form (`indptr` int64 [n+1], `indices` int32 [nnz], `data` float32 [nnz], `shape`
    /// int64 [2]; scipy: `csr_matrix((data, indices, indptr), shape)`). `labels.npy` is uint8 [n, q].
    /// Compressed features are written to `features.npy` row by row, so memory stays
    /// proportional to the non-zero values, not to n × d.
    public static func write(_ dataset: MultiLabelDataset, meta: DatasetMeta, into folder: URL,
                             progress: Progress = { _, _ in }) throws {
        let featuresURL = folder.appendingPathComponent("features.npy")
        let shape = [dataset.count, dataset.featureCount]
        switch dataset.features {
        case let .dense(values):
            try NpyFile.write(values, shape: shape, to: featuresURL)
            if meta.source.sparseRows { try writeCSR(CompressedRows(dense: values, rows: dataset.count, columns: dataset.featureCount), dataset, into: folder) }
        case let .compressedRows(csr):
            try writeDenseRows(csr, shape: shape, to: featuresURL, progress: progress)
            try writeCSR(csr, dataset, into: folder)
        }
        try NpyFile.write(dataset.labels, shape: [dataset.count, dataset.labelCount],
                          to: folder.appendingPathComponent("labels.npy"))
        try AtomicFile.write(try encode(meta), to: folder.appendingPathComponent("meta.json"))
    }

    private static func writeCSR(_ csr: CompressedRows, _ dataset: MultiLabelDataset, into folder: URL) throws {
        try NpzFile.write([("indptr", NpyArray(csr.indptr, shape: [csr.indptr.count])),
                           ("indices", NpyArray(csr.indices, shape: [csr.indices.count])),
                           ("data", NpyArray(csr.data, shape: [csr.data.count])),
                           ("shape", NpyArray([Int64(dataset.count), Int64(dataset.featureCount)], shape: [2]))],
                          to: folder.appendingPathComponent(csrFileName))
    }

    /// Streams compressed rows into a dense `.npy` through one reused row buffer.
    private static func writeDenseRows(_ csr: CompressedRows, shape: [Int], to url: URL, progress: Progress) throws {
        let (rows, columns) = (shape[0], shape[1])
        let writer = try NpySliceWriter(creating: url, dtype: .float32, shape: shape)
        var row = [Float](repeating: 0, count: columns)
        let step = max(1, rows / 100)
        let rowBytes = Int64(columns * MemoryLayout<Float>.size)
        for r in 0..<rows {
            let entries = csr.entries(ofRow: r)
            for entry in entries { row[Int(csr.indices[entry])] = csr.data[entry] }
            try row.withUnsafeBufferPointer { try writer.write(slice: r, floats: $0) }
            for entry in entries { row[Int(csr.indices[entry])] = 0 }
            if r % step == step - 1 || r == rows - 1 { progress(Int64(r + 1) * rowBytes, Int64(rows) * rowBytes) }
        }
        try writer.finish()
    }

    /// JSON with sorted keys (byte-identical for identical input).
    public static func encode(_ meta: DatasetMeta) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(meta)
    }
}
