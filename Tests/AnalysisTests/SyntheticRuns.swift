import Artifacts
import Foundation
import NumpyIO

/// Writes train folders with the train stage's file contract, filled with small synthetic
/// arrays (deterministic functions of the arguments), as test input for the analysis.
enum SyntheticRuns {
    struct Spec {
        var dataset = "toy"
        var model = "mlp"
        var selector = "uncertainty"
        var fold = 0
        var epochs = 6
        var trainCount = 8
        var labelNames = ["sky", "sea", "sand"]
        /// Added to every test metric (to order selectors).
        var offset = 0.0
        /// Manifest inputs (upstream stage folders).
        var inputs: [Manifest.Input] = []
    }

    /// Creates `<root>/<selector>-<fold>` holding a complete train folder; returns it.
    @discardableResult
    static func write(_ spec: Spec, under root: URL) throws -> URL {
        let folder = root.appendingPathComponent("\(spec.dataset)-\(spec.model)-\(spec.selector)-\(spec.fold)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let e = spec.epochs, n = spec.trainCount, q = spec.labelNames.count
        let run: [String: Any] = ["dataset": spec.dataset, "model": spec.model, "selector": spec.selector, "fold": spec.fold,
                                  "seed": 42, "epochs": e, "labelNames": spec.labelNames, "trainCount": n, "options": ["lambda1": 0.5]]
        try JSONSerialization.data(withJSONObject: run, options: [.sortedKeys]).write(to: folder.appendingPathComponent("run.json"))
        var csv = "epoch,train_loss,validation_loss,validation_macro_auc,pressure,seconds\n"
        for t in 1...e {
            let auc = 0.5 + 0.3 * (1 - exp(-Double(t) / 2)) + spec.offset / 10 + Double(spec.fold) * 0.001
            csv += "\(t),\(1.0 / Double(t)),\(1.2 / Double(t)),\(auc),\(100.0 / Double(t)),0.5\n"
        }
        try csv.write(to: folder.appendingPathComponent("epochs.csv"), atomically: true, encoding: .utf8)
        let metrics: [String: Double] = ["macro_auc": 0.7 + spec.offset + Double(spec.fold) * 0.01,
                                         "ranking_loss": 0.2 - spec.offset - Double(spec.fold) * 0.005,
                                         "hamming_loss": 0.1]
        try JSONSerialization.data(withJSONObject: ["bestEpoch": e, "metrics": metrics], options: [.sortedKeys])
            .write(to: folder.appendingPathComponent("test-metrics.json"))
        var correlation = [Float](repeating: 0, count: e * q * q)
        for t in 0..<e {
            for a in 0..<q {
                for b in 0..<q {
                    correlation[t * q * q + a * q + b] = a == b ? 1 : Float(t) * 0.01 * Float(a + b + 1)
                }
            }
        }
        try NpyFile.write(correlation, shape: [e, q, q], to: folder.appendingPathComponent("correlation.npy"))
        var selected = [Int32](repeating: 1, count: e * n)
        for t in 0..<e { for i in 0..<n where spec.selector != "random" { selected[t * n + i] = Int32((i + t) % 3) } }
        try NpyFile.write(selected, shape: [e, n], to: folder.appendingPathComponent("selected.npy"))
        try NpyFile.write([Float](repeating: 1, count: e * n), shape: [e, n], to: folder.appendingPathComponent("weights.npy"))
        let predictions = (0..<(e * n * q)).map { Float($0 % 7) / 7 }
        try NpyFile.write(NpyArray(float16From: predictions, shape: [e, n, q]), to: folder.appendingPathComponent("predictions.npy"))
        try NpyFile.write((0..<Int32(n)).map { $0 * 2 }, shape: [n], to: folder.appendingPathComponent("train-indices.npy"))
        let manifest = Manifest(stage: "train", parameters: ["selector": spec.selector, "fold": "\(spec.fold)", "epochs": "\(e)", "model": spec.model],
                                inputs: spec.inputs, outputs: try Manifest.hashOutputs(in: folder), startedAt: Date(), finishedAt: Date(),
                                command: ["train", "--selector", spec.selector, "--fold", "\(spec.fold)"])
        try manifest.write(into: folder)
        return folder
    }

    /// A full matrix: `selectors` × `folds` on one dataset, metric offsets increasing with the
    /// selector's position (so the last selector is best on every fold).
    static func matrix(under root: URL, dataset: String = "toy", selectors: [String], folds: Int, epochs: Int = 6) throws {
        for (index, selector) in selectors.enumerated() {
            for fold in 0..<folds {
                try write(Spec(dataset: dataset, selector: selector, fold: fold, epochs: epochs, offset: Double(index) * 0.01), under: root)
            }
        }
    }
}
