import Formats
import Foundation
import NumpyIO
import SafetensorsIO
import StageKit
import Testing
@testable import Analysis

/// Writes train folders with the train stage's file contract (the format types the stage writes
/// with), filled with small synthetic arrays (deterministic functions of the arguments), as test
/// input for the analysis.
enum SyntheticRuns {
    struct Spec {
        var dataset = "toy"
        var model = "mlp"
        var selector = "uncertainty"
        /// The train parameter `arm` (nil: the selector's name).
        var arm: String? = nil
        var fold = 0
        var seed: UInt64 = 42
        var epochs = 6
        var trainCount = 8
        var labelNames = ["sky", "sea", "sand"]
        /// Added to every test metric (to order selectors).
        var offset = 0.0
        /// Manifest inputs (upstream stage folders).
        var inputs: [Manifest.Input] = []
        /// Whether to write `correlation.npy` (the train stage writes it only for uncertainty
        /// with mi or nmi; runs made before that change hold an identity file for every selector).
        var correlationFile = true
    }

    /// Creates `<root>/<dataset>-<model>-<arm>-<fold>` (`-s<seed>` appended for seeds other than
    /// 42) holding a complete train folder; returns it.
    @discardableResult
    static func write(_ spec: Spec, under root: URL) throws -> URL {
        let name = "\(spec.dataset)-\(spec.model)-\(spec.arm ?? spec.selector)-\(spec.fold)" + (spec.seed == 42 ? "" : "-s\(spec.seed)")
        let folder = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let e = spec.epochs, n = spec.trainCount, q = spec.labelNames.count
        var parameters = TrainParameters()
        parameters.model = try #require(ModelKind(rawValue: spec.model))
        parameters.selector = try #require(SelectorKind(rawValue: spec.selector))
        parameters.arm = spec.arm
        parameters.fold = spec.fold
        parameters.seed = spec.seed
        parameters.epochs = e
        parameters.warmupEpochs = 1
        try RunDescription(dataset: spec.dataset, labelNames: spec.labelNames, trainCount: n, parameters: parameters)
            .write(to: folder.appendingPathComponent(TrainFiles.run))
        let records = (1...e).map { (t: Int) -> EpochRecord in
            let epoch = Double(t)
            let auc: Double = 0.5 + 0.3 * (1 - exp(-epoch / 2)) + spec.offset / 10 + Double(spec.fold) * 0.001
            return EpochRecord(epoch: t, trainLoss: 1 / epoch, validationLoss: 1.2 / epoch, validationMacroAUC: auc,
                               pressure: 100 / epoch, seconds: 0.5, selectionSeconds: 0.01)
        }
        try EpochRecord.writeCSV(records, into: folder)
        try TestMetrics(bestEpoch: e, bestValidationMacroAUC: records[e - 1].validationMacroAUC,
                        metrics: [.macroAUC: 0.7 + spec.offset + Double(spec.fold) * 0.01,
                                  .rankingLoss: 0.2 - spec.offset - Double(spec.fold) * 0.005, .hammingLoss: 0.1])
            .write(to: folder.appendingPathComponent(TrainFiles.testMetrics))
        var correlation = [Float](repeating: 0, count: e * q * q)
        for t in 0..<e {
            for a in 0..<q {
                for b in 0..<q {
                    correlation[t * q * q + a * q + b] = a == b ? 1 : Float(t) * 0.01 * Float(a + b + 1)
                }
            }
        }
        if spec.correlationFile {
            try NpyFile.write(correlation, shape: [e, q, q], to: folder.appendingPathComponent(TrainFiles.correlation))
        }
        var selected = [Int32](repeating: 1, count: e * n)
        for t in 0..<e { for i in 0..<n where spec.selector != "random" { selected[t * n + i] = Int32((i + t) % 3) } }
        try NpyFile.write(selected, shape: [e, n], to: folder.appendingPathComponent(TrainFiles.selected))
        try NpyFile.write((0..<(e * n)).map { Int32($0 % n) }, shape: [e, n], to: folder.appendingPathComponent(TrainFiles.order))
        try NpyFile.write([Float](repeating: 1, count: e * n), shape: [e, n], to: folder.appendingPathComponent(TrainFiles.weights))
        let predictions = (0..<(e * n * q)).map { Float($0 % 7) / 7 }
        try NpyFile.write(NpyArray(float16From: predictions, shape: [e, n, q]), to: folder.appendingPathComponent(TrainFiles.predictions))
        try NpyFile.write((0..<Int32(n)).map { $0 * 2 }, shape: [n], to: folder.appendingPathComponent(TrainFiles.trainIndices))
        try NpyFile.write((1...Int32(e)).map { $0 }, shape: [e], to: folder.appendingPathComponent(TrainFiles.predictionEpochs))
        let weights = NpyArray([Float](repeating: 0.5, count: q), shape: [q, 1])
        try NpzFile.write([("linear.weight", weights)], to: folder.appendingPathComponent(TrainFiles.model))
        try SafetensorsFile.write([("linear.weight", weights)], to: folder.appendingPathComponent(TrainFiles.safetensors))
        try StageFolder<TrainContract>(folder).complete(parameters: parameters, inputs: spec.inputs,
                                                         command: ["train", "--selector", spec.selector, "--fold", "\(spec.fold)"])
        return folder
    }

    /// A full matrix: `selectors` × `folds` on one dataset, metric offsets increasing with the
    /// selector's position (so the last selector is best on every fold).
    /// With `correlationAsTrained`, only `uncertainty` runs get a `correlation.npy`, as the train stage writes them.
    static func matrix(under root: URL, dataset: String = "toy", selectors: [String], folds: Int, epochs: Int = 6,
                       correlationAsTrained: Bool = false) throws {
        for (index, selector) in selectors.enumerated() {
            for fold in 0..<folds {
                var spec = Spec(dataset: dataset, selector: selector, fold: fold, epochs: epochs, offset: Double(index) * 0.01)
                spec.correlationFile = !correlationAsTrained || selector == "uncertainty"
                try write(spec, under: root)
            }
        }
    }

    /// Runs the analyze stage over the train folders under `root`, collecting its warnings.
    static func analyze(_ root: URL, output: URL, driftEpochs: [Int] = [2, 5], topPairs: Int = 10,
                        compare: [String] = [], skipUnreadable: Bool = false) throws -> (AnalysisOutcome, [String]) {
        var parameters = AnalyzeParameters()
        parameters.driftEpochs = driftEpochs
        parameters.topPairs = topPairs
        parameters.compare = compare
        parameters.skipUnreadable = skipUnreadable
        let invocation = StageInvocation<AnalyzeContract>(parameters: parameters, inputs: ["runs": [root]], output: output, command: ["analyze"])
        var warnings: [String] = []
        let outcome = try Analyzer.run(invocation) { warnings.append($0) }
        return (outcome, warnings)
    }
}
