import Foundation
import Formats
import NumpyIO

/// The per-epoch array artifacts of a training run, each streamed to disk one epoch at a time
/// (never held whole in memory) through resumable ``NumpyIO/NpySliceWriter``s:
/// `predictions.npy` [kept epochs, n, q], `correlation.npy` [E, q, q], `weights.npy` [E, n],
/// `selected.npy` [E, n].
///
/// Until ``finish()`` the files exist only as `<name>.partial`; a killed run resumes them.
public final class HistoryWriters {
    public let epochs: Int
    public let keepEvery: Int
    /// Epochs (1-based) whose predictions are kept: those congruent to the last epoch modulo `keepEvery`.
    public let keptEpochs: [Int]
    private let predictions: NpySliceWriter
    private let correlation: NpySliceWriter
    private let weights: NpySliceWriter
    private let selected: NpySliceWriter
    private let folder: URL

    /// Opens (or, with `resume`, reopens) the four writers in `folder`.
    public init(folder: URL, epochs: Int, trainCount n: Int, labelCount q: Int, predictionType: NpyDType,
                keepEvery: Int, resume: Bool) throws {
        self.folder = folder
        self.epochs = epochs
        self.keepEvery = keepEvery
        keptEpochs = (1...epochs).filter { (epochs - $0) % keepEvery == 0 }
        func open(_ name: String, _ dtype: NpyDType, _ shape: [Int]) throws -> NpySliceWriter {
            let url = folder.appendingPathComponent(name)
            return resume ? try NpySliceWriter(resuming: url, dtype: dtype, shape: shape)
                          : try NpySliceWriter(creating: url, dtype: dtype, shape: shape)
        }
        predictions = try open(TrainFiles.predictions, predictionType, [keptEpochs.count, n, q])
        correlation = try open(TrainFiles.correlation, .float32, [epochs, q, q])
        weights = try open(TrainFiles.weights, .float32, [epochs, n])
        selected = try open(TrainFiles.selected, .int32, [epochs, n])
    }

    /// Records epoch `epoch` (1-based). `probabilities` is [n × q] (written only for kept epochs).
    public func record(epoch: Int, probabilities: UnsafeBufferPointer<Float>, correlation matrix: UnsafeBufferPointer<Float>,
                       weights w: UnsafeBufferPointer<Float>, selectionCounts: UnsafeBufferPointer<Int32>) throws {
        if let slot = keptEpochs.firstIndex(of: epoch) {
            try predictions.write(slice: slot, floats: probabilities)
        }
        try correlation.write(slice: epoch - 1, floats: matrix)
        try weights.write(slice: epoch - 1, floats: w)
        try selected.write(slice: epoch - 1, bytes: UnsafeRawBufferPointer(selectionCounts))
    }

    /// Flushes every file (before a checkpoint records the epoch as complete).
    public func synchronize() throws {
        for writer in [predictions, correlation, weights, selected] { try writer.synchronize() }
    }

    /// Renames every partial file into place and writes `prediction-epochs.npy`.
    public func finish() throws {
        try NpyFile.write(keptEpochs.map(Int32.init), shape: [keptEpochs.count],
                          to: folder.appendingPathComponent(TrainFiles.predictionEpochs))
        for writer in [predictions, correlation, weights, selected] { try writer.finish() }
    }
}
