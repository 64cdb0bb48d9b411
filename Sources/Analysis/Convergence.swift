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

    /// First epoch whose validation Macro-AUC reaches `level` × the best (largest finite) value of
    /// the run; nil if no value is finite and positive.
    public static func epochToReach(_ level: Double, of records: [EpochRecord]) -> Int? {
        guard let best = bestAUC(records), best > 0 else { return nil }
        let target = level * best
        return records.first { $0.validationMacroAUC >= target }?.epoch
    }

    /// The largest finite validation Macro-AUC of the run (nil if none is finite).
    public static func bestAUC(_ records: [EpochRecord]) -> Double? {
        records.map(\.validationMacroAUC).filter(\.isFinite).max()
    }

    /// The area under the validation Macro-AUC curve by the trapezoid rule over the epochs, divided
    /// by their span (last − first epoch): the curve's mean height, in Macro-AUC units, so runs of
    /// different lengths compare. One epoch: its value; nil without records or with a non-finite value.
    public static func normalisedArea(_ records: [EpochRecord]) -> Double? {
        guard let first = records.first, let last = records.last, records.allSatisfy({ $0.validationMacroAUC.isFinite }) else { return nil }
        if records.count == 1 { return first.validationMacroAUC }
        var area = 0.0
        for (a, b) in zip(records, records.dropFirst()) {
            area += Double(b.epoch - a.epoch) * (a.validationMacroAUC + b.validationMacroAUC) / 2
        }
        return area / Double(last.epoch - first.epoch)
    }

    /// The convergence statistics of one run: the epoch reaching each level of its best validation
    /// Macro-AUC, and the normalised area under its validation curve.
    public struct Speed: Sendable {
        public var key: RunKey
        public var bestAUC: Double
        public var levels: [Double]
        /// One per level (nil: never reached).
        public var epochs: [Int?]
        public var area: Double
    }

    public static func speeds(_ runs: [TrainRun], levels: [Double]) -> [Speed] {
        runs.map { run in
            Speed(key: run.key, bestAUC: bestAUC(run.epochs) ?? .nan, levels: levels,
                  epochs: levels.map { epochToReach($0, of: run.epochs) }, area: normalisedArea(run.epochs) ?? .nan)
        }
    }

    /// The column and comparison-metric name of a level: `epochs_to_95` for 0.95, `epochs_to_99.5`
    /// for 0.995 (the percentage rounded to 6 decimals).
    public static func levelName(_ level: Double) -> String {
        let percent = (level * 100 * 1e6).rounded() / 1e6
        return "epochs_to_" + (percent == percent.rounded() ? "\(Int(percent))" : "\(percent)")
    }

    /// The metric name of ``normalisedArea(_:)`` in tables and comparisons.
    public static let areaName = "validation_auc_area"

    /// The convergence statistics as measures the declared comparisons pair across arms (fewer
    /// epochs to a level is better; a larger area is better).
    public static func measures(levels: [Double]) -> [RunMeasure] {
        levels.map { level in
            RunMeasure(name: levelName(level), higherIsBetter: false) { epochToReach(level, of: $0.epochs).map(Double.init) }
        } + [RunMeasure(name: areaName, higherIsBetter: true) { normalisedArea($0.epochs) }]
    }

    /// `convergence-speed.csv`: per run, the best validation Macro-AUC, the first epoch reaching
    /// each level of it (empty if never) and the normalised area under the validation curve.
    public static func speedTable(_ speeds: [Speed]) -> CSVTable {
        let seed = RunColumns.seedsVary(speeds.map(\.key))
        let levels = speeds.first?.levels ?? []
        var table = CSVTable(header: RunColumns.header(seed: seed) + ["best_validation_macro_auc"] + levels.map(levelName) + [areaName])
        for speed in speeds {
            table.append(RunColumns.cells(speed.key, seed: seed) + [CSVTable.number(speed.bestAUC)]
                         + speed.epochs.map { $0.map { "\($0)" } ?? "" } + [CSVTable.number(speed.area)])
        }
        return table
    }

    /// Mean ± std over blocks per (dataset, model, arm): the epoch reaching each level (over the
    /// blocks that reached it), then the normalised area.
    public static func speedSummary(_ speeds: [Speed]) -> [(key: RunKey, epochs: [MeanStd], area: MeanStd)] {
        let groups = Dictionary(grouping: speeds) { RunKey(dataset: $0.key.dataset, model: $0.key.model, arm: $0.key.arm, fold: 0, seed: 0) }
        return groups.keys.sorted().map { key in
            let group = groups[key]!.sorted { $0.key.block < $1.key.block }
            let levels = group.first?.levels.indices ?? 0..<0
            return (key, levels.map { index in MeanStd(group.compactMap { $0.epochs[index].map(Double.init) }) },
                    MeanStd(group.map(\.area).filter(\.isFinite)))
        }
    }
}
