import Formats
import Foundation
import TensorBoardEvents

/// The TensorBoard log of one training run, `events.out.tfevents.mlbatch` in the run's folder:
///
/// - step 0: the run's hyper-parameters for the HParams plugin's table and as a Markdown table
///   (text tag `parameters`);
/// - step = epoch: `loss/train`, `loss/validation`, `macro_auc/validation`, `selection/pressure`
///   and `selection/seconds` (the values of `epochs.csv`, as float32);
/// - at the end, step = the best epoch: `test/<metric>` for the metrics of `test-metrics.json`,
///   and the HParams session end.
///
/// Events carry real wall-clock times (TensorBoard's "relative" and "wall" axes), and
/// `selection/seconds` is a measured duration, so the file differs between reruns: the train
/// contract declares it undigested, so the manifest leaves it out of the output digest.
public final class TrainingEvents {
    private let writer: EventFileWriter

    /// Opens the log of the run in `folder`. For a new run (`completed` empty) the file is created
    /// with the hyper-parameters. For a run resumed from a checkpoint, `completed` holds the
    /// checkpoint's epochs: the existing file is cut before the last of them (so that nothing
    /// written after it survives: later epochs, or the test events of an interrupted finish), and
    /// the epochs it lacks (that one, or more after an interrupted write) are written again from
    /// the records.
    public init(folder: URL, hyperParameters: [String: String], completed: [EpochRecord]) throws {
        let url = folder.appendingPathComponent(TrainFiles.events)
        let lastEpoch = Int64(completed.last?.epoch ?? 0)
        if !completed.isEmpty, let existing = try EventFileWriter(continuing: url, afterStep: lastEpoch - 1) {
            writer = existing
        } else {
            let now = Date().timeIntervalSince1970
            writer = try EventFileWriter(creating: url, wallTime: now)
            let table = (["| parameter | value |", "|---|---|"] + hyperParameters.keys.sorted().map { "| \($0) | \(hyperParameters[$0]!) |" })
                .joined(separator: "\n")
            try writer.write(Event(wallTime: now, step: 0, summary: [
                HParams.sessionStart(hyperParameters.mapValues(HParams.Value.init(parsing:)), startTime: now),
                .text("parameters", table),
            ]))
        }
        for record in completed where Int64(record.epoch) > writer.lastStep { try self.record(record) }
    }

    /// Appends one epoch's scalars.
    public func record(_ record: EpochRecord) throws {
        try writer.write(Event(wallTime: Date().timeIntervalSince1970, step: Int64(record.epoch), summary: [
            .scalar("loss/train", Float(record.trainLoss)),
            .scalar("loss/validation", Float(record.validationLoss)),
            .scalar("macro_auc/validation", Float(record.validationMacroAUC)),
            .scalar("selection/pressure", Float(record.pressure)),
            .scalar("selection/seconds", Float(record.selectionSeconds)),
        ]))
    }

    /// Appends the test metrics at the best epoch (those that are defined) and ends the HParams session.
    public func finish(_ metrics: TestMetrics) throws {
        let now = Date().timeIntervalSince1970
        let step = Int64(metrics.bestEpoch)
        try writer.write(Event(wallTime: now, step: step, summary: MetricName.allCases.compactMap { name in
            metrics[name].map { .scalar("test/\(name.rawValue)", Float($0)) }
        }))
        try writer.write(Event(wallTime: now, step: step, summary: [HParams.sessionEnd(.success, endTime: now)]))
    }
}
