import Artifacts
import Foundation

/// File names of a train folder.
public enum TrainFiles {
    public static let predictions = "predictions.npy"
    public static let predictionEpochs = "prediction-epochs.npy"
    public static let correlation = "correlation.npy"
    public static let weights = "weights.npy"
    public static let selected = "selected.npy"
    public static let trainIndices = "train-indices.npy"
    public static let epochs = "epochs.csv"
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

    public init(dataset: String, labelNames: [String], trainCount: Int, parameters: TrainParameters) {
        self.dataset = dataset
        self.labelNames = labelNames
        self.trainCount = trainCount
        self.parameters = parameters
    }

    public func write(to url: URL) throws { try JSONFiles.write(self, to: url, snakeCase: true) }

    public static func read(from folder: URL) throws -> RunDescription {
        try JSONFiles.read(RunDescription.self, from: folder.appendingPathComponent(TrainFiles.run), snakeCase: true,
                           hint: "Rerun the train stage with this version of mlbatch.")
    }
}

/// One row of `epochs.csv`.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationMacroAUC: Double
    public var pressure: Double
    /// Wall time of the whole epoch.
    public var seconds: Double
    /// Wall time spent in the selector (planning the batches, loss weights, observing predictions).
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

    /// The CSV columns, in file order.
    public static let columns = ["epoch", "train_loss", "validation_loss", "validation_macro_auc", "pressure", "seconds",
                                 "selection_seconds"]

    /// The CSV data row. Numbers use the shortest round-tripping text, so the file is deterministic
    /// except for the two timings.
    public var csvRow: String {
        "\(epoch),\(trainLoss),\(validationLoss),\(validationMacroAUC),\(pressure),\(String(format: "%.3f", seconds)),"
            + String(format: "%.4f", selectionSeconds)
    }

    /// Writes all records to `url` as CSV, atomically.
    public static func writeCSV(_ records: [EpochRecord], to url: URL) throws {
        try AtomicFile.write(([columns.joined(separator: ",")] + records.map(\.csvRow)).joined(separator: "\n") + "\n", to: url)
    }

    /// Reads `epochs.csv`: columns are found by header name; epochs must run 1, 2, 3, …
    /// Errors name the file and the line.
    public static func readCSV(_ url: URL) throws -> [EpochRecord] {
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
        var records: [EpochRecord] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            var values: [Double] = []
            for (column, position) in zip(columns, index) {
                guard position < fields.count, let value = Double(fields[position]) else {
                    throw ArtifactError.malformed(path: url.path, reason: "line \(offset + 2): column '\(column)' is not a number")
                }
                values.append(value)
            }
            let epoch = Int(values[0])
            if epoch != records.count + 1 {
                throw ArtifactError.malformed(path: url.path, reason: "line \(offset + 2): epoch \(epoch) out of sequence (expected \(records.count + 1))")
            }
            records.append(EpochRecord(epoch: epoch, trainLoss: values[1], validationLoss: values[2], validationMacroAUC: values[3],
                                       pressure: values[4], seconds: values[5], selectionSeconds: values[6]))
        }
        return records
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
