import Formats
import Foundation

/// Per-epoch learning curves of every run, their fold summaries and convergence speed.
public enum Convergence {
    /// The curves taken from `epochs.csv`, with their long-format metric names.
    public static let metrics: [(name: String, value: @Sendable (EpochRecord) -> Double)] = [
        ("train_loss", { $0.trainLoss }),
        ("validation_loss", { $0.validationLoss }),
        ("validation_macro_auc", { $0.validationMacroAUC }),
    ]

    /// `convergence.csv`: one row per run, epoch and metric (``RunColumns`` identify the run).
    public static func longTable(_ runs: [TrainRun]) -> CSVTable {
        let seed = RunColumns.seedsVary(runs.map(\.key))
        var table = CSVTable(header: RunColumns.header(seed: seed) + ["epoch", "metric", "value"])
        for run in runs {
            for record in run.epochs {
                for metric in metrics {
                    table.append(RunColumns.cells(run.key, seed: seed) + ["\(record.epoch)", metric.name, CSVTable.number(metric.value(record))])
                }
            }
        }
        return table
    }

    /// One curve summarised over blocks: per epoch, mean and std of one metric.
    public struct Curve: Sendable {
        public var group: DatasetModel
        public var arm: String
        public var metric: String
        public var epochs: [Int]
        public var summaries: [MeanStd]
    }

    /// Mean ± std over (fold, seed) blocks per (dataset, model, arm, metric, epoch); an epoch counts
    /// the blocks that reached it.
    public static func curves(_ runs: [TrainRun]) -> [Curve] {
        var result: [Curve] = []
        let groups = Dictionary(grouping: runs) { RunKey(dataset: $0.dataset, model: $0.model, arm: $0.arm, fold: 0, seed: 0) }
        for key in groups.keys.sorted() {
            let folds = groups[key]!
            let length = folds.map(\.epochs.count).max() ?? 0
            for metric in metrics {
                var summaries: [MeanStd] = []
                for index in 0..<length {
                    summaries.append(MeanStd(folds.compactMap { index < $0.epochs.count ? metric.value($0.epochs[index]) : nil }))
                }
                result.append(Curve(group: DatasetModel(dataset: key.dataset, model: key.model), arm: key.arm,
                                    metric: metric.name, epochs: Array(stride(from: 1, through: length, by: 1)), summaries: summaries))
            }
        }
        return result
    }

    /// `convergence-summary.csv` (its `folds` column counts blocks).
    public static func summaryTable(_ curves: [Curve]) -> CSVTable {
        var table = CSVTable(header: ["dataset", "model", "selector", "epoch", "metric", "mean", "std", "folds"])
        for curve in curves {
            for (epoch, summary) in zip(curve.epochs, curve.summaries) {
                table.append([curve.group.dataset, curve.group.model, curve.arm, "\(epoch)", curve.metric,
                              CSVTable.number(summary.mean), CSVTable.number(summary.std), "\(summary.count)"])
            }
        }
        return table
    }

    /// First epoch whose validation Macro-AUC reaches `level` × the final (last-epoch) value;
    /// nil if the curve is empty or the final value is not positive.
    public static func epochToReach(_ level: Double, of records: [EpochRecord]) -> Int? {
        guard let final = records.last?.validationMacroAUC, final > 0 else { return nil }
        let target = level * final
        return records.first { $0.validationMacroAUC >= target }?.epoch
    }

    /// One convergence-speed measurement.
    public struct Speed: Sendable {
        public var key: RunKey
        public var level: Double
        public var finalAUC: Double
        public var epoch: Int?
    }

    public static func speeds(_ runs: [TrainRun], levels: [Double]) -> [Speed] {
        runs.flatMap { run in
            levels.map { level in
                Speed(key: run.key, level: level, finalAUC: run.epochs.last?.validationMacroAUC ?? .nan,
                      epoch: epochToReach(level, of: run.epochs))
            }
        }
    }

    /// `convergence-speed.csv`: per run and level, the target AUC and the epoch reaching it.
    public static func speedTable(_ speeds: [Speed]) -> CSVTable {
        let seed = RunColumns.seedsVary(speeds.map(\.key))
        var table = CSVTable(header: RunColumns.header(seed: seed) + ["level", "final_validation_macro_auc", "target", "epoch"])
        for speed in speeds {
            table.append(RunColumns.cells(speed.key, seed: seed) + [CSVTable.number(speed.level),
                          CSVTable.number(speed.finalAUC), CSVTable.number(speed.level * speed.finalAUC),
                          speed.epoch.map { "\($0)" } ?? ""])
        }
        return table
    }

    /// Mean ± std over blocks of the epoch reaching each level, per (dataset, model, arm).
    public static func speedSummary(_ speeds: [Speed]) -> [(key: RunKey, level: Double, epochs: MeanStd)] {
        let groups = Dictionary(grouping: speeds) { RunKey(dataset: $0.key.dataset, model: $0.key.model, arm: $0.key.arm, fold: 0, seed: 0) }
        var rows: [(key: RunKey, level: Double, epochs: MeanStd)] = []
        for key in groups.keys.sorted() {
            let group = groups[key]!
            for level in Array(Set(group.map(\.level))).sorted() {
                rows.append((key, level, MeanStd(group.filter { $0.level == level }.compactMap { $0.epoch.map(Double.init) })))
            }
        }
        return rows
    }
}
