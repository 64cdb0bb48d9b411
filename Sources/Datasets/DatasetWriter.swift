import Artifacts
import Formats
import Foundation
import NumpyIO

/// Writes `features.npy`, `labels.npy`, `meta.json` and, for sparse sources, `features-csr.npz`.
public enum DatasetWriter {
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
        let featuresURL = folder.appendingPathComponent(DatasetFiles.features)
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
                          to: folder.appendingPathComponent(DatasetFiles.labels))
        try AtomicFile.write(try meta.encoded(), to: folder.appendingPathComponent(DatasetFiles.meta))
    }

    private static func writeCSR(_ csr: CompressedRows, _ dataset: MultiLabelDataset, into folder: URL) throws {
        try NpzFile.write([("indptr", NpyArray(csr.indptr, shape: [csr.indptr.count])),
                           ("indices", NpyArray(csr.indices, shape: [csr.indices.count])),
                           ("data", NpyArray(csr.data, shape: [csr.data.count])),
                           ("shape", NpyArray([Int64(dataset.count), Int64(dataset.featureCount)], shape: [2]))],
                          to: folder.appendingPathComponent(DatasetFiles.compressedFeatures))
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
}
