import ArgumentParser
import Artifacts
import Foundation
import NumpyIO
import Stratification

/// `split`: stratified k-fold (or holdout) split of a fetched dataset's label matrix.
///
/// Reads `labels.npy` (uint8 [n, q]) from `--dataset`; writes `folds.npy` (int32 [n], held-out
/// fold of every instance; −1 for training instances in holdout mode), `roles.npy` (uint8 [k, n]:
/// 0 train, 1 validation, 2 test), `split-report.json` and, last, `manifest.json`.
public struct SplitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Stratified k-fold split (iterative stratification) of a dataset's label matrix.")

    @Option(help: "Dataset folder written by fetch (holds labels.npy).")
    var dataset: String
    @Option(help: "Output folder for folds.npy, roles.npy, split-report.json and manifest.json.")
    var output: String
    @Option(help: "Number of folds k (at least 2, at most the number of instances).")
    var folds: Int = 5
    @Option(help: "Stratification order: 1 (labels) or 2 (labels and label pairs).")
    var order: Int = 1
    @Option(help: "Share of each held-out fold used for validation; the rest is test.")
    var validation: Double = 0.5
    @Option(help: "Single stratified train/held-out split with this held-out share, instead of k folds.")
    var holdout: Double?
    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 42
    @Option(help: "Seeded runs of the stratifier per partition; the run with the fewest fold-label zeros, then the lowest LD, is kept.")
    var restarts: Int = BestOfRuns.defaultRuns

    public init() {}

    public func validate() throws {
        do {
            if holdout == nil, folds < 2 { throw StratificationError.tooFewFolds(folds) }
            if order != 1, order != 2 { throw StratificationError.unsupportedOrder(order) }
            if restarts < 1 { throw StratificationError.tooFewRuns(restarts) }
            if !(validation > 0 && validation < 1) { throw StratificationError.fractionOutOfRange(name: "--validation", value: validation) }
            if let holdout, !(holdout > 0 && holdout < 1) { throw StratificationError.fractionOutOfRange(name: "--holdout", value: holdout) }
        } catch {
            throw ValidationError("\(error)")
        }
    }

    public func run() throws {
        do {
            try execute()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func execute() throws {
        let started = Date()
        let datasetFolder = URL(fileURLWithPath: dataset)
        let outputFolder = URL(fileURLWithPath: output)
        let labelsURL = datasetFolder.appendingPathComponent("labels.npy")
        let matrix = try SplitInput.readLabels(labelsURL, datasetFolder: datasetFolder)

        let options = SplitOptions(folds: folds, order: order, validationFraction: validation,
                                   holdoutFraction: holdout, seed: seed, restarts: restarts)
        let split = try StratifiedSplit(labels: matrix, options: options)
        let report = SplitReport(labels: matrix, split: split)

        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: outputFolder.appendingPathComponent(Manifest.fileName))
        try NpyFile.write(split.folds, shape: [split.rows], to: outputFolder.appendingPathComponent("folds.npy"))
        try NpyFile.write(split.roles, shape: [split.heldOutCount, split.rows], to: outputFolder.appendingPathComponent("roles.npy"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(report), to: outputFolder.appendingPathComponent("split-report.json"))

        var parameters = ["folds": String(folds), "order": String(order), "validation": String(validation),
                          "seed": String(seed), "restarts": String(restarts)]
        if let holdout { parameters["holdout"] = String(holdout) }
        let manifest = Manifest(stage: "split", parameters: parameters,
                                inputs: [.init(name: "labels", path: labelsURL.path, sha256: try SHA256.hex(ofFile: labelsURL))],
                                outputs: try Manifest.hashOutputs(in: outputFolder),
                                startedAt: started, finishedAt: Date(), command: CommandLine.arguments)
        try manifest.write(into: outputFolder)
        let measures = report.measures
        print(String(format: "split: %d instances, %d labels, %@ -> ED=%.3f LD=%.5f FZ=%d FLZ=%d (lower bound %d)",
                     matrix.rows, matrix.labels, report.parts.map { "\($0.name)=\($0.size)" }.joined(separator: " "),
                     measures.ED, measures.LD, measures.FZ, measures.FLZ, measures.FLZ_lower_bound))
    }
}
