import Formats
import Foundation

/// The paper's Table 3: test metrics (at the best validation epoch) as mean ± std over (fold, seed)
/// blocks per arm and dataset, ranks per dataset, average ranks, and rank tests. The columns are
/// arms (named `selectors` here and `selector` in the files: an arm is the selector's name unless a
/// run names one).
public struct Results: Sendable {
    /// Test metrics in the paper's order (``MetricName``'s case order); others follow alphabetically.
    public static let metricOrder = MetricName.allCases.map(\.rawValue)

    /// Whether larger values of `metric` are better (losses, one-error and coverage are not).
    public static func higherIsBetter(_ metric: String) -> Bool {
        MetricName(rawValue: metric).map { !$0.lowerIsBetter } ?? !(metric.hasSuffix("_loss") || metric.hasSuffix("_error"))
    }

    /// One cell: an arm on a dataset.
    public struct Cell: Sendable {
        public var summary: MeanStd
        public var rank: Double
    }

    /// One metric of one model.
    public struct MetricTable: Sendable {
        public var model: String
        public var metric: String
        public var datasets: [String]
        public var selectors: [String]
        /// cells[dataset][selector]
        public var cells: [String: [String: Cell]]
        /// Mean of the per-dataset ranks of each arm (over the datasets where it ran).
        public var averageRanks: [String: Double]
        public var friedman: FriedmanResult?
        /// Why the Friedman test could not run, if it did not.
        public var friedmanNote: String?
        /// `uncertainty` against each other arm, paired over (dataset, fold, seed) blocks.
        public var wilcoxon: [(selector: String, result: WilcoxonResult)]
        public var higherIsBetter: Bool { Results.higherIsBetter(metric) }
    }

    public var tables: [MetricTable]
    /// Which Macro-AUC rows did not learn (near chance or not above the linear floor).
    public var floor: LearningFloor
    /// Whether the runs use more than one seed (blocks are then (fold, seed) pairs, else folds).
    public var seedsVary: Bool

    public init(_ runs: [TrainRun]) {
        var tables: [MetricTable] = []
        let metrics = Self.metrics(runs)
        for model in Set(runs.map(\.model)).sorted() {
            let modelRuns = runs.filter { $0.model == model }
            for metric in metrics {
                tables.append(Self.table(model: model, metric: metric, runs: modelRuns))
            }
        }
        self.tables = tables
        floor = LearningFloor(runs)
        seedsVary = RunColumns.seedsVary(runs.map(\.key))
    }

    /// The metrics the runs report, in ``metricOrder``, others alphabetically after.
    static func metrics(_ runs: [TrainRun]) -> [String] {
        let names = Set(runs.flatMap { run in run.test.metrics.keys.filter { run.test.metrics[$0]! != nil } })
        return metricOrder.filter(names.contains) + names.subtracting(metricOrder).sorted()
    }

    private static func table(model: String, metric: String, runs: [TrainRun]) -> MetricTable {
        let higher = higherIsBetter(metric)
        let datasets = Set(runs.map(\.dataset)).sorted()
        let selectors = SelectorOrder.sorted(runs.map(\.arm))
        var value: [RunKey: Double] = [:]
        for run in runs { if let v = run.test.metrics[metric] ?? nil, v.isFinite { value[run.key] = v } }
        var cells: [String: [String: Cell]] = [:]
        var rankLists: [String: [Double]] = [:]
        for dataset in datasets {
            var summaries: [(String, MeanStd)] = []
            for selector in selectors {
                // In block order: a dictionary's order changes from process to process, and so would the sums.
                let blocks = value.filter { $0.key.dataset == dataset && $0.key.arm == selector }
                    .sorted { $0.key.block < $1.key.block }.map(\.value)
                if !blocks.isEmpty { summaries.append((selector, MeanStd(blocks))) }
            }
            let ranks = Ranking.bestFirstRanks(summaries.map(\.1.mean), higherIsBetter: higher)
            for ((selector, summary), rank) in zip(summaries, ranks) {
                cells[dataset, default: [:]][selector] = Cell(summary: summary, rank: rank)
                rankLists[selector, default: []].append(rank)
            }
        }
        let averageRanks = rankLists.mapValues { $0.reduce(0, +) / Double($0.count) }

        // Blocks: (dataset, fold, seed), values oriented so that smaller = better for ranks.
        let blockKeys = Set(value.keys.map { RunKey(dataset: $0.dataset, model: model, arm: "", fold: $0.fold, seed: $0.seed) }).sorted()
        func blockValue(_ block: RunKey, _ arm: String) -> Double? {
            value[RunKey(dataset: block.dataset, model: model, arm: arm, fold: block.fold, seed: block.seed)]
        }
        let complete = blockKeys.compactMap { block -> [Double]? in
            let row = selectors.compactMap { blockValue(block, $0) }
            return row.count == selectors.count ? row.map { higher ? -$0 : $0 } : nil
        }
        var friedman: FriedmanResult?
        var note: String?
        do { friedman = try RankTests.friedman(complete) } catch { note = error.description }

        var wilcoxon: [(String, WilcoxonResult)] = []
        if selectors.contains(SelectorOrder.proposed) {
            for other in selectors where other != SelectorOrder.proposed {
                var x: [Double] = [], y: [Double] = []
                for block in blockKeys {
                    if let a = blockValue(block, SelectorOrder.proposed), let b = blockValue(block, other) {
                        x.append(a)
                        y.append(b)
                    }
                }
                if let result = try? RankTests.wilcoxon(x, y) { wilcoxon.append((other, result)) }
            }
        }
        return MetricTable(model: model, metric: metric, datasets: datasets, selectors: selectors, cells: cells,
                           averageRanks: averageRanks, friedman: friedman, friedmanNote: note, wilcoxon: wilcoxon)
    }

    /// Whether the cell is a Macro-AUC row that ``LearningFloor`` flags as not learning.
    public func didNotLearn(_ t: MetricTable, dataset: String, selector: String) -> Bool {
        t.metric == "macro_auc" && floor.row(dataset: dataset, model: t.model, selector: selector)?.didNotLearn == true
    }

    /// `results.csv`: one row per (model, metric, dataset, arm) (the `selector` column holds the
    /// arm's name, `folds` counts blocks); rows with dataset `average rank` carry each arm's
    /// average rank in the `rank` column. `flag` is
    /// `did not learn` on the Macro-AUC rows that ``LearningFloor`` flags, else empty.
    public var csv: CSVTable {
        var table = CSVTable(header: ["model", "metric", "dataset", "selector", "folds", "mean", "std", "rank", "flag"])
        for t in tables {
            for dataset in t.datasets {
                for selector in t.selectors {
                    guard let cell = t.cells[dataset]?[selector] else { continue }
                    let flagged = didNotLearn(t, dataset: dataset, selector: selector)
                    table.append([t.model, t.metric, dataset, selector, "\(cell.summary.count)", CSVTable.number(cell.summary.mean),
                                  CSVTable.number(cell.summary.std), CSVTable.number(cell.rank), flagged ? "did not learn" : ""])
                }
            }
            for selector in t.selectors {
                guard let rank = t.averageRanks[selector] else { continue }
                table.append([t.model, t.metric, "average rank", selector, "", "", "", CSVTable.number(rank), ""])
            }
        }
        return table
    }

    /// `statistics.csv`: the Friedman test and the Wilcoxon tests of every metric table.
    public var statisticsCSV: CSVTable {
        var table = CSVTable(header: ["model", "metric", "test", "comparison", "n", "statistic", "p_value", "method", "iman_davenport_f", "iman_davenport_p"])
        for t in tables {
            if let f = t.friedman {
                table.append([t.model, t.metric, "friedman", t.selectors.joined(separator: " "), "\(f.blocks)", CSVTable.number(f.chiSquare),
                              CSVTable.number(f.pValue), "chi-square", f.imanDavenportF.map(CSVTable.number) ?? "",
                              f.imanDavenportPValue.map(CSVTable.number) ?? ""])
            }
            for (other, w) in t.wilcoxon {
                table.append([t.model, t.metric, "wilcoxon", "\(SelectorOrder.proposed) vs \(other)", "\(w.pairs)",
                              CSVTable.number(w.statistic), CSVTable.number(w.pValue), w.method.rawValue, "", ""])
            }
        }
        return table
    }
}
