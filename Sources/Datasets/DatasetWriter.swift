import Artifacts
import Formats
import Foundation
import NumpyIO

/// Writes `features.npy`, `labels.npy`, `meta.json` and, for sparse sources, `features-csr.npz`.
public enum DatasetWriter {
    /// Writes the files into `folder` (each atomically). `features.npy` is always dense float32
    /// [n, d]; when the ARFF rows were sparse, `features-csr.npz` also holds the same matrix in
    /// CSR form (`indptr` int64 [n+1], `indices` int32 [nnz], `data` float32 [nnz], `shape`
    /// int64 [2]; scipy: `csr_matrix((data, indices, indptr), shape)`). `labels.npy` is uint8 [n, q].
    public static func write(_ dataset: MultiLabelDataset, meta: DatasetMeta, into folder: URL) throws {
        try NpyFile.write(dataset.features, shape: [dataset.count, dataset.featureCount],
                          to: folder.appendingPathComponent(DatasetFiles.features))
        if meta.source.sparseRows {
            let csr = compressedRows(dataset)
            try NpzFile.write([("indptr", NpyArray(csr.indptr, shape: [csr.indptr.count])),
                               ("indices", NpyArray(csr.indices, shape: [csr.indices.count])),
                               ("data", NpyArray(csr.data, shape: [csr.data.count])),
                               ("shape", NpyArray([Int64(dataset.count), Int64(dataset.featureCount)], shape: [2]))],
                              to: folder.appendingPathComponent(DatasetFiles.compressedFeatures))
        }
        try NpyFile.write(dataset.labels, shape: [dataset.count, dataset.labelCount],
                          to: folder.appendingPathComponent(DatasetFiles.labels))
        try AtomicFile.write(try meta.encoded(), to: folder.appendingPathComponent(DatasetFiles.meta))
    }

    /// The non-zero features in compressed-sparse-row form. O(n × d).
    public static func compressedRows(_ dataset: MultiLabelDataset) -> (indptr: [Int64], indices: [Int32], data: [Float]) {
        let d = dataset.featureCount
        var indptr: [Int64] = [0]
        var indices: [Int32] = []
        var data: [Float] = []
        indptr.reserveCapacity(dataset.count + 1)
        dataset.features.withUnsafeBufferPointer { features in
            for row in 0..<dataset.count {
                for column in 0..<d where features[row * d + column] != 0 {
                    indices.append(Int32(column))
                    data.append(features[row * d + column])
                }
                indptr.append(Int64(indices.count))
            }
        }
        return (indptr, indices, data)
    }
}
