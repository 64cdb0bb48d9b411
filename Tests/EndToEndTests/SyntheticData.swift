import Foundation

/// 300 rows of 8 features in [-1, 1) and 3 labels that depend on them (deterministic): a small
/// learnable dataset that the end-to-end tests write in each of the fetch stage's formats.
enum SyntheticData {
    static let featureCount = 8, labelNames = ["label_a", "label_b", "label_c"]

    /// The rows, each its features (rounded to 4 decimals, as every format writes them) and its labels.
    static let rows: [(features: [Double], labels: [Bool])] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        return (0..<300).map { _ in
            let x = (0..<featureCount).map { _ in (uniform() * 10_000).rounded() / 10_000 }
            return (x, [x[0] + 0.5 * x[1] > 0, x[2] - x[3] > 0.3, x[4] * x[5] > 0.1])
        }
    }()

    /// CSV with a header `x0,…,x7,label_a,label_b,label_c`.
    static var csv: String {
        let header = (0..<featureCount).map { "x\($0)" } + labelNames
        let lines = rows.map { row in (row.features.map { String(format: "%.4f", $0) } + row.labels.map { $0 ? "1" : "0" }).joined(separator: ",") }
        return ([header.joined(separator: ",")] + lines).joined(separator: "\n") + "\n"
    }

    /// The Extreme Classification Repository's sparse text: `n d q`, then `labels f:v …` per row.
    static var xmlc: String {
        let lines = rows.map { row in
            let labels = row.labels.indices.filter { row.labels[$0] }.map(String.init).joined(separator: ",")
            let features = row.features.indices.filter { row.features[$0] != 0 }.map { "\($0):\(String(format: "%.4f", row.features[$0]))" }
            return ([labels] + features).joined(separator: " ")
        }
        return (["\(rows.count) \(featureCount) \(labelNames.count)"] + lines).joined(separator: "\n") + "\n"
    }

    /// The features [n, d] as float32 and the labels [n, q] as uint8, row-major.
    static var arrays: (features: [Float], labels: [UInt8]) {
        (rows.flatMap { $0.features.map(Float.init) }, rows.flatMap { $0.labels.map { $0 ? 1 : 0 } })
    }
}
