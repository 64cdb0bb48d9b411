import Artifacts
import ArgumentParser
import Foundation
import NumpyIO
import Selectors
import Training

/// `train`: one (fold, model, selector) run of the paper's protocol with per-epoch artifacts.
public struct TrainCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a multi-label model on one fold with a batch selector; write per-epoch .npy histories.",
        discussion: """
            Outputs in --output: predictions.npy [kept epochs, n_train, q], prediction-epochs.npy, \
            correlation.npy [epochs, q, q], weights.npy and selected.npy [epochs, n_train], train-indices.npy, \
            epochs.csv, test-metrics.json (at the best validation Macro-AUC epoch), model.npz (PyTorch names), \
            run.json and manifest.json (written last). A killed run resumes from its last completed epoch \
            when the same command is run again. Exit status: 0 on success, 1 on a runtime error, 64 on bad arguments.
            """)

    @Option(help: "Folder of the fetch stage (features.npy, labels.npy, meta.json).") var dataset: String
    @Option(help: "Folder of the split stage (roles.npy).") var split: String
    @Option(help: "Fold to train on (0-based).") var fold: Int = 0
    @Option(help: "Output folder.") var output: String

    @Option(help: "Model: mlp, clif or dela.") var model: String = "mlp"
    @Option(help: "Hidden width of the model (mlp default 256, clif 768).") var hiddenWidth: Int?
    @Option(help: "Dropout probability of the model (default 0.2).") var dropout: Double?
    @Option(name: .customLong("model-param"), help: "Other model hyper-parameter as key=value (repeatable or comma-separated).")
    var modelParams: [String] = []

    @Option(help: "Batch selector: random, balance, active-bias, recency-bias, hard-imbalance or uncertainty.")
    var selector: String = "uncertainty"
    @Option(help: "Epochs E.") var epochs: Int = 100
    @Option(help: "Batch size b.") var batchSize: Int = 128
    @Option(help: "Adam learning rate.") var lr: Float = 1e-4
    @Option(help: "L2 weight decay added to the gradient (as torch.optim.Adam).") var weightDecay: Float = 1e-4
    @Option(help: "Warm-up epochs γ (random batches, linear learning-rate warm-up).") var warmupEpochs: Int = 5
    @Option(help: "History window T.") var window: Int = 5
    @Option(help: "Trade-off λ1 between window fluctuation and current entropy.") var lambda1: Double = 0.5
    @Option(help: "Bins τ for the label-correlation histograms.") var bins: Int = 5
    @Option(help: "Initial selection pressure s0.") var s0: Double = 100
    @Option(help: "Label correlation: mi, nmi or none.") var correlation: String = "mi"
    @Option(help: "Prediction history: epoch (eval-mode pass) or batch (train-mode outputs).") var history: String = "epoch"
    @Option(help: "Element type of predictions.npy: float16 or float32.") var historyDtype: String = "float16"
    @Option(help: "Keep the predictions of every k-th epoch (the last epoch is always kept).") var historyEvery: Int = 1
    @Option(help: "Keep this fraction of features with the largest column sums.") var featureFraction: Double = 1
    @Option(help: "Drop labels with fewer positive training rows.") var minLabelCount: Int = 0
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 42
    @Option(help: "OpenBLAS threads (default: all cores).") var threads: Int?

    public init() {}

    public func validate() throws {
        if fold < 0 { throw ValidationError("--fold must be ≥ 0") }
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
        _ = try configuration()
    }

    /// The training configuration these flags describe; throws a validation error naming the flag.
    func configuration() throws -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.model = model
        var parameters: [String: Double] = [:]
        if let hiddenWidth { parameters["hidden_width"] = Double(hiddenWidth) }
        if let dropout { parameters["dropout"] = dropout }
        for item in modelParams.flatMap({ $0.split(separator: ",") }) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let value = Double(parts[1]) else {
                throw ValidationError("--model-param '\(item)' must be key=number")
            }
            parameters[parts[0].replacingOccurrences(of: "-", with: "_")] = value
        }
        configuration.modelParameters = parameters
        do {
            configuration.selector = try SelectorOptions(parsing: [
                "selector": selector, "epochs": "\(epochs)", "batch-size": "\(batchSize)", "warmup-epochs": "\(warmupEpochs)",
                "window": "\(window)", "lambda1": "\(lambda1)", "bins": "\(bins)", "s0": "\(s0)",
                "correlation": correlation, "history": history,
            ])
        } catch {
            throw ValidationError(error.description)
        }
        configuration.learningRate = lr
        configuration.weightDecay = weightDecay
        configuration.seed = seed
        switch historyDtype {
        case "float16": configuration.historyType = .float16
        case "float32": configuration.historyType = .float32
        default: throw ValidationError("--history-dtype must be float16 or float32, not '\(historyDtype)'")
        }
        configuration.historyEvery = historyEvery
        configuration.featureFraction = featureFraction
        configuration.minLabelCount = minLabelCount
        do { try configuration.validate() } catch { throw ValidationError(error.description) }
        return configuration
    }

    public func run() throws {
        let started = Date()
        do {
            let configuration = try configuration()
            TrainingEnvironment.prepare(threads: threads)
            let datasetURL = URL(fileURLWithPath: dataset), splitURL = URL(fileURLWithPath: split)
            let outputURL = URL(fileURLWithPath: output)
            let inputs = [
                Manifest.Input(name: "dataset", path: dataset, sha256: try Manifest.read(from: datasetURL).outputDigest),
                Manifest.Input(name: "split", path: split, sha256: try Manifest.read(from: splitURL).outputDigest),
            ]
            let prepared = try PreparedFold.load(dataset: datasetURL, split: splitURL, fold: fold,
                                                 featureFraction: configuration.featureFraction,
                                                 minLabelCount: configuration.minLabelCount)
            try FileManager.default.createDirectory(at: outputURL, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: outputURL.appendingPathComponent(Manifest.fileName))
            let run = TrainingRun(configuration: configuration, fold: prepared, output: outputURL,
                                  inputDigest: inputs.map(\.sha256).joined(separator: ",") + ",fold=\(fold)") { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            FileHandle.standardOutput.write(Data(("train: \(prepared.datasetName) fold \(fold), \(configuration.model) + \(configuration.selector.selector.rawValue), "
                + "n_train=\(prepared.trainCount) d=\(prepared.featureCount) q=\(prepared.labelCount)\n").utf8))
            let summary = try run.run()
            var parameters = configuration.parameters
            parameters["fold"] = "\(fold)"
            try RunDescription(dataset: prepared.datasetName, model: configuration.model,
                               selector: configuration.selector.selector.rawValue, fold: fold, seed: configuration.seed,
                               epochs: configuration.selector.epochs, labelNames: prepared.labelNames,
                               trainCount: prepared.trainCount, options: parameters)
                .write(to: outputURL.appendingPathComponent("run.json"))
            let manifest = Manifest(stage: "train", parameters: parameters, inputs: inputs,
                                    outputs: try Manifest.hashOutputs(in: outputURL), startedAt: started, finishedAt: Date(),
                                    command: CommandLine.arguments)
            try manifest.write(into: outputURL)
            let auc = summary.testMetrics.first { $0.name == "macro_auc" }?.value ?? .nan
            print(String(format: "best epoch %d: test macro_auc=%.4f%@ -> %@", summary.bestEpoch, auc,
                         summary.resumedFromEpoch > 0 ? " (resumed after epoch \(summary.resumedFromEpoch))" : "", output))
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
