import Foundation

/// The sizes a dataset with declared dimensions (an XMLC header, a SciPy matrix's shape) may
/// have, checked before anything that large is allocated: a mistaken header is an error, not a
/// crash. Features are kept as compressed rows and streamed to the dense `features.npy` one row
/// at a time, but `labels.npy` is built in memory.
enum DenseLimits {
    /// Refuses counts beyond int32 (`features-csr.npz`'s column indices, the row counts) and a
    /// label matrix (n × q bytes) larger than half of this machine's memory.
    static func check(rows: Int, features: Int, labels: Int, file: String, line: Int) throws {
        let largest = Int(Int32.max)
        for (count, what) in [(rows, "rows"), (features, "features"), (labels, "labels")] where count > largest {
            throw DatasetError.content(file: file, line: line, reason: "declares \(count) \(what), more than the \(largest) the dataset's "
                                       + "files can index; check the \(line > 0 ? "header" : "shape")")
        }
        let memory = ProcessInfo.processInfo.physicalMemory / 2
        if UInt64(rows) * UInt64(labels) > memory {
            let gigabytes = { (bytes: UInt64) in String(format: "%.1f GB", Double(bytes) / 1e9) }
            throw DatasetError.content(file: file, line: line, reason: "declares \(rows) rows × \(labels) labels: labels.npy (one byte each, "
                                       + "built in memory) would take \(gigabytes(UInt64(rows) * UInt64(labels))), more than half of this "
                                       + "machine's \(gigabytes(memory * 2)) of memory; keep fewer labels (or rows)")
        }
    }
}
