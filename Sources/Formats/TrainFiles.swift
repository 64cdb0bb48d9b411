import Artifacts
import Foundation

/// File names of a train folder.
public enum TrainFiles {
    public static let predictions = "predictions.npy"
    public static let predictionEpochs = "prediction-epochs.npy"
    public static let correlation = "correlation.npy"
    public static let weights = "weights.npy"
    public static let selected = "selected.npy"
    public static let order = "order.npy"
    public static let trainIndices = "train-indices.npy"
    public static let epochs = "epochs.csv"
    public static let timings = "timings.csv"
    public static let testMetrics = "test-metrics.json"
    public static let model = "model.npz"
    public static let safetensors = "model.safetensors"
    /// TensorBoard reads files whose name contains `tfevents`; a fixed name (no time stamp or
    /// host) keeps one file per run folder across resumes.
    public static let events = "events.out.tfevents.mlbatch"
    public static let run = "run.json"
}

/// `run.json`: what a train folder holds — the dataset, its kept labels and every resolved
/// parameter — for the analyze stage and for scripts. JSON keys are snake case, like the
/// pipeline file's (`batch_size`).
public struct RunDescription: Codable, Equatable, Sendable {
    public var dataset: String
    /// Names of the labels the run trained on, in column order of every [.., q] array.
    public var labelNames: [String]
    /// n_train: rows of the training part.
    public var trainCount: Int
    public var parameters: TrainParameters
    /// The model defaults the run trained with because it did not state them (`lr`,
    /// `weight_decay`, `model_param`; ``TrainParameters/unstatedModelDefaults``), in canonical
    /// text; absent when the run stated every one.
    public var modelDefaults: [String: String]?
    /// How `history_budget` thinned the history (``HistoryPlan``); absent when it did not.
    public var historyThinning: HistoryThinning?

    public init(dataset: String, labelNames: [String], trainCount: Int, parameters: TrainParameters, modelDefaults: [String: String] = [:],
                historyThinning: HistoryThinning? = nil) {
        self.dataset = dataset
        self.labelNames = labelNames
        self.trainCount = trainCount
        self.parameters = parameters
        self.modelDefaults = modelDefaults.isEmpty ? nil : modelDefaults
        self.historyThinning = historyThinning
    }

    /// The epochs (1-based) `correlation.npy` holds: every epoch unless the history budget thinned it.
    public var correlationEpochs: [Int] {
        HistoryPlan.keptEpochs(epochs: parameters.epochs, every: historyThinning?.every ?? 1)
    }

    public func write(to url: URL) throws { try JSONFiles.write(self, to: url, snakeCase: true) }

    public static func read(from folder: URL) throws -> RunDescription {
        try JSONFiles.read(RunDescription.self, from: folder.appendingPathComponent(TrainFiles.run), snakeCase: true,
                           hint: "Rerun the train stage with this version of mlbatch.")
    }
}

/// One epoch of a training run: `epochs.csv` holds its deterministic values and `timings.csv`
/// its wall times, so that the same inputs give a byte-identical `epochs.csv` (the train contract
/// leaves `timings.csv` out of the output digest).
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationMacroAUC: Double
    public var pressure: Double
    /// Wall time of the whole epoch (`timings.csv`).
    public var seconds: Double
    /// Wall time spent in the selector: planning the batches, loss weights, observing predictions (`timings.csv`).
    public var selectionSeconds: Double

    public init(epoch: Int, trainLoss: Double, validationLoss: Double, validationMacroAUC: Double, pressure: Double,
                seconds: Double, selectionSeconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationMacroAUC = validationMacroAUC
        self.pressure = pressure
        self.seconds = seconds
        self.selectionSeconds = selectionSeconds
    }

    /// The columns of `epochs.csv`, in file order.
    public static let columns = ["epoch", "train_loss", "validation_loss", "validation_macro_auc", "pressure"]
    /// The columns of `timings.csv`, in file order.
    public static let timingColumns = ["epoch", "seconds", "selection_seconds"]

    /// Writes `epochs.csv` (numbers in their shortest round-tripping text) and `timings.csv` into
    /// `folder`, each atomically.
    public static func writeCSV(_ records: [EpochRecord], into folder: URL) throws {
        func write(_ columns: [String], _ row: (EpochRecord) -> String, _ name: String) throws {
            try AtomicFile.write(([columns.joined(separator: ",")] + records.map(row)).joined(separator: "\n") + "\n",
                                 to: folder.appendingPathComponent(name))
        }
        try write(columns, { "\($0.epoch),\($0.trainLoss),\($0.validationLoss),\($0.validationMacroAUC),\($0.pressure)" }, TrainFiles.epochs)
        try write(timingColumns, { "\($0.epoch),\(String(format: "%.3f", $0.seconds)),\(String(format: "%.4f", $0.selectionSeconds))" },
                  TrainFiles.timings)
    }

    /// Reads `epochs.csv` of `folder`, with the wall times of `timings.csv` when it is there (NaN
    /// otherwise). Columns are found by header name; epochs must run 1, 2, 3, … Errors name the
    /// file and the line.
    public static func readCSV(from folder: URL) throws -> [EpochRecord] {
        let values = try table(folder.appendingPathComponent(TrainFiles.epochs), columns: columns)
        let timingsURL = folder.appendingPathComponent(TrainFiles.timings)
        let timings = FileManager.default.fileExists(atPath: timingsURL.path) ? try table(timingsURL, columns: timingColumns) : []
        return values.enumerated().map { index, row in
            let timing = index < timings.count ? timings[index] : [.nan, .nan, .nan]
            return EpochRecord(epoch: Int(row[0]), trainLoss: row[1], validationLoss: row[2], validationMacroAUC: row[3], pressure: row[4],
                               seconds: timing[1], selectionSeconds: timing[2])
        }
    }

    /// The numeric `columns` of a per-epoch CSV file, one row per epoch 1, 2, 3, …
    private static func table(_ url: URL, columns: [String]) throws -> [[Double]] {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw ArtifactError.missing(path: url.path, hint: "Rerun the train stage.")
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let headerLine = lines.first else { throw ArtifactError.malformed(path: url.path, reason: "line 1: empty file") }
        let header = headerLine.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var index: [Int] = []
        for column in columns {
            guard let position = header.firstIndex(of: column) else {
                throw ArtifactError.malformed(path: url.path, reason: "line 1: header lacks column '\(column)' (expected \(columns.joined(separator: ",")))")
            }
            index.append(position)
        }
        var rows: [[Double]] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            var values: [Double] = []
            for (column, position) in zip(columns, index) {
                guard position < fields.count, let value = Double(fields[position]) else {
                    throw ArtifactError.malformed(path: url.path, reason: "line \(offset + 2): column '\(column)' is not a number")
                }
                values.append(value)
            }
            if Int(values[0]) != rows.count + 1 {
                throw ArtifactError.malformed(path: url.path, reason: "line \(offset + 2): epoch \(Int(values[0])) out of sequence (expected \(rows.count + 1))")
            }
            rows.append(values)
        }
        return rows
    }
}

/// The evaluation metrics, in the order every table shows them (docs/method.md, "Metrics").
public enum MetricName: String, CaseIterable, Codable, CodingKeyRepresentable, Sendable {
    case macroAUC = "macro_auc"
    case rankingLoss = "ranking_loss"
    case hammingLoss = "hamming_loss"
    case oneError = "one_error"
    case coverage
    case averagePrecision = "average_precision"
    case microF1 = "micro_f1"
    case macroF1 = "macro_f1"
    /// The authors' Macro-AUC: ties count as wins, divided by all q labels (docs/replication.md).
    case macroAUCTiesWin = "macro_auc_ties_win"

    /// Whether smaller values are better.
    public var lowerIsBetter: Bool { [.rankingLoss, .hammingLoss, .oneError, .coverage].contains(self) }
}

/// `test-metrics.json`: the test metrics at the epoch with the best validation Macro-AUC
/// (null where a metric is undefined, e.g. Macro-AUC when no label has both classes).
public struct TestMetrics: Codable, Equatable, Sendable {
    public var bestEpoch: Int
    public var bestValidationMacroAUC: Double?
    /// Keyed by ``MetricName`` raw values.
    public var metrics: [String: Double?]

    public init(bestEpoch: Int, bestValidationMacroAUC: Double, metrics: [MetricName: Double]) {
        self.bestEpoch = bestEpoch
        self.bestValidationMacroAUC = bestValidationMacroAUC.isFinite ? bestValidationMacroAUC : nil
        self.metrics = Dictionary(uniqueKeysWithValues: metrics.map { ($0.key.rawValue, $0.value.isFinite ? $0.value : nil) })
    }

    /// The value of a metric, if recorded and finite.
    public subscript(metric: MetricName) -> Double? { metrics[metric.rawValue] ?? nil }

    public func write(to url: URL) throws { try JSONFiles.write(self, to: url) }

    public static func read(from folder: URL) throws -> TestMetrics {
        try JSONFiles.read(TestMetrics.self, from: folder.appendingPathComponent(TrainFiles.testMetrics), hint: "Rerun the train stage.")
    }
}
