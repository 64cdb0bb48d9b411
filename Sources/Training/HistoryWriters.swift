import Foundation
import Formats
import NumpyIO

/// The per-epoch array artifacts of a training run, each streamed to disk one epoch at a time
/// (never held whole in memory) through resumable ``NumpyIO/NpySliceWriter``s:
/// `predictions.npy` [kept epochs, n, q] (uint8 codes round(p·255), float16 or float32),
/// `correlation.npy` [E or kept epochs, q, q] (only when the run computes a label correlation),
/// `weights.npy` [E, n], `selected.npy` [E, n], `order.npy` [E, draws] (−1 pads); which epochs
/// are kept is the run's ``Formats/HistoryPlan``.
///
/// Until ``finish(folder:plan:recordsCorrelation:)`` the files exist only as `<name>.partial`; a
/// killed run resumes them.
public final class HistoryWriters {
    public let plan: HistoryPlan
    /// Slot of each epoch in `predictions.npy` and `correlation.npy` (by 1-based epoch; absent: not kept).
    private let predictionSlots: [Int: Int]
    private let correlationSlots: [Int: Int]
    private let predictions: NpySliceWriter
    private let correlation: NpySliceWriter?
    private let weights: NpySliceWriter
    private let selected: NpySliceWriter
    private let order: NpySliceWriter
    /// Scratch for the uint8 codes of one epoch.
    private var codes: [UInt8] = []
    /// Scratch for one epoch's row of `order.npy`.
    private var drawn: [Int32]

    private var writers: [NpySliceWriter] { [predictions] + (correlation.map { [$0] } ?? []) + [weights, selected, order] }

    /// Opens (or, with `resume`, reopens) the writers in `folder`; `correlation.npy` only when
    /// `recordsCorrelation` (a run whose C is the identity in every epoch writes no file).
    public init(folder: URL, plan: HistoryPlan, trainCount n: Int, labelCount q: Int, drawsPerEpoch: Int, encoding: HistoryDType,
                recordsCorrelation: Bool, resume: Bool) throws {
        self.plan = plan
        let epochs = plan.epochs
        predictionSlots = Dictionary(uniqueKeysWithValues: plan.predictionEpochs.enumerated().map { ($1, $0) })
        correlationSlots = Dictionary(uniqueKeysWithValues: plan.correlationEpochs.enumerated().map { ($1, $0) })
        func open(_ name: String, _ dtype: NpyDType, _ shape: [Int]) throws -> NpySliceWriter {
            let url = folder.appendingPathComponent(name)
            return resume ? try NpySliceWriter(resuming: url, dtype: dtype, shape: shape)
                          : try NpySliceWriter(creating: url, dtype: dtype, shape: shape)
        }
        let dtype: NpyDType = switch encoding {
        case .uint8: .uint8
        case .float16: .float16
        case .float32: .float32
        }
        predictions = try open(TrainFiles.predictions, dtype, [predictionSlots.count, n, q])
        if recordsCorrelation {
            correlation = try open(TrainFiles.correlation, .float32, [correlationSlots.count, q, q])
        } else {
            // A folder reused for a run that records no C must not keep an earlier run's file.
            correlation = nil
            let stale = folder.appendingPathComponent(TrainFiles.correlation)
            for url in [stale, NpySliceWriter.partialURL(for: stale)] where FileManager.default.fileExists(atPath: url.path) {
                try FileManager.default.removeItem(at: url)
            }
        }
        weights = try open(TrainFiles.weights, .float32, [epochs, n])
        selected = try open(TrainFiles.selected, .int32, [epochs, n])
        order = try open(TrainFiles.order, .int32, [epochs, drawsPerEpoch])
        drawn = [Int32](repeating: -1, count: drawsPerEpoch)
    }

    /// Records epoch `epoch` (1-based). `probabilities` [n × q] and `matrix` [q × q] are written
    /// only for the epochs their files keep (`matrix` only when the run records its correlation).
    public func record(epoch: Int, probabilities: UnsafeBufferPointer<Float>, correlation matrix: UnsafeBufferPointer<Float>,
                       weights w: UnsafeBufferPointer<Float>, selectionCounts: UnsafeBufferPointer<Int32>,
                       drawnRows: [Int32]) throws {
        if let slot = predictionSlots[epoch] {
            if predictions.header.dtype == .uint8 {
                if codes.count != probabilities.count { codes = [UInt8](repeating: 0, count: probabilities.count) }
                codes.withUnsafeMutableBufferPointer { ProbabilityBytes.encode(probabilities, into: $0) }
                try codes.withUnsafeBytes { try predictions.write(slice: slot, bytes: $0) }
            } else {
                try predictions.write(slice: slot, floats: probabilities)
            }
        }
        if let slot = correlationSlots[epoch] { try correlation?.write(slice: slot, floats: matrix) }
        try weights.write(slice: epoch - 1, floats: w)
        try selected.write(slice: epoch - 1, bytes: UnsafeRawBufferPointer(selectionCounts))
        precondition(drawnRows.count <= drawn.count, "epoch \(epoch) drew \(drawnRows.count) rows, more than order.npy's \(drawn.count) columns")
        drawn.withUnsafeMutableBufferPointer { row in
            for (k, value) in drawnRows.enumerated() { row[k] = value }
            for k in drawnRows.count..<row.count { row[k] = -1 }
        }
        try drawn.withUnsafeBytes { try order.write(slice: epoch - 1, bytes: $0) }
    }

    /// Flushes every file (before a checkpoint records the epoch as complete).
    public func synchronize() throws {
        for writer in writers { try writer.synchronize() }
    }

    /// Writes `prediction-epochs.npy` and renames every partial file in `folder` into place
    /// (after the last epoch's slices were synchronized). Idempotent: a finish that a kill
    /// interrupted is done again from the start, and files renamed already are kept.
    public static func finish(folder: URL, plan: HistoryPlan, recordsCorrelation: Bool) throws {
        let kept = plan.predictionEpochs
        try NpyFile.write(kept.map(Int32.init), shape: [kept.count], to: folder.appendingPathComponent(TrainFiles.predictionEpochs))
        TestKillPoint.reached(TrainFiles.predictionEpochs)
        let names = [TrainFiles.predictions] + (recordsCorrelation ? [TrainFiles.correlation] : [])
            + [TrainFiles.weights, TrainFiles.selected, TrainFiles.order]
        for name in names {
            try NpySliceWriter.commitPartial(of: folder.appendingPathComponent(name))
            TestKillPoint.reached(name)
        }
    }
}
