import Artifacts
import Foundation

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

    /// The CSV header row.
    public static let csvHeader = "epoch,train_loss,validation_loss,validation_macro_auc,pressure,seconds,selection_seconds"

    /// The CSV data row. Numbers use the shortest round-tripping text, so the file is deterministic
    /// except for the two timings.
    public var csvRow: String {
        "\(epoch),\(trainLoss),\(validationLoss),\(validationMacroAUC),\(pressure),\(String(format: "%.3f", seconds)),"
            + String(format: "%.4f", selectionSeconds)
    }

    /// Writes all records to `url` as CSV, atomically.
    public static func writeCSV(_ records: [EpochRecord], to url: URL) throws {
        try AtomicFile.write(([csvHeader] + records.map(\.csvRow)).joined(separator: "\n") + "\n", to: url)
    }
}
