import Foundation
import NumpyIO

/// How often each training sample was drawn over a whole run (`selected.npy` summed over epochs).
public enum SelectionFrequency {
    /// Total draws per sample, Σ_t selected[t, i]. O(E n).
    public static func totals(_ file: MappedNpyFile) -> [Double] {
        let shape = file.header.shape
        let n = shape.count > 1 ? shape[1] : 0
        var totals = [Double](repeating: 0, count: n)
        var slice = [Float](repeating: 0, count: n)
        for epoch in 0..<(shape.first ?? 0) {
            slice.withUnsafeMutableBufferPointer { file.readSlice(epoch, into: $0) }
            totals.withUnsafeMutableBufferPointer { t in
                slice.withUnsafeBufferPointer { s in
                    for i in 0..<n { t[i] += Double(s[i]) }
                }
            }
        }
        return totals
    }

    /// Fractions of `values` in `bins` equal-width bins over [lower, upper] (the last bin closed).
    public static func histogram(_ values: [Double], lower: Double, upper: Double, bins: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: bins)
        guard !values.isEmpty, bins > 0 else { return counts }
        let width = (upper - lower) / Double(bins)
        for value in values {
            let index = width > 0 ? Int(((value - lower) / width).rounded(.down)) : 0
            counts[min(max(index, 0), bins - 1)] += 1
        }
        let total = Double(values.count)
        return counts.map { $0 / total }
    }
}
