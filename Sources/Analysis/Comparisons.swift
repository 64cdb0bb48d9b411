import Formats
import Foundation
import SeededRandom

/// Paired statistics of arm A against arm B over the blocks both ran (docs/statistics.md): the
/// differences d_i = A_i − B_i, in block order.
public struct PairedDifference: Sendable {
    /// Resamples of the percentile bootstrap.
    public static let bootstrapResamples = 10_000

    /// Blocks paired (n).
    public var blocks: Int
    public var meanA: Double
    public var meanB: Double
    /// Mean and sample standard deviation (n − 1 denominator) of the differences.
    public var mean: Double
    public var sd: Double
    /// 95 % CI of the mean difference: mean ± t_{0.975, n−1} · sd/√n (NaN below 2 blocks).
    public var tLower: Double
    public var tUpper: Double
    /// Percentile bootstrap 95 % CI: the 2.5th and 97.5th percentiles (linear interpolation, as
    /// `numpy.percentile`) of the means of ``bootstrapResamples`` resamples of the n differences
    /// drawn with replacement (NaN below 2 blocks).
    public var bootstrapLower: Double
    public var bootstrapUpper: Double
    /// Cohen's d_z = mean / sd of the differences (NaN below 2 blocks).
    public var cohenDz: Double
    /// Two-sided p of the paired t-test (`scipy.stats.ttest_rel`): t = mean / (sd/√n), n − 1 df.
    public var tPValue: Double
    /// The Wilcoxon signed-rank test of A against B (``RankTests/wilcoxon(_:_:)``).
    public var wilcoxon: WilcoxonResult
    /// Minimum detectable difference at 80 % power, α = 0.05 two-sided, for the observed sd:
    /// MDE = (t_{0.975, n−1} + t_{0.80, n−1}) · sd/√n (NaN below 2 blocks).
    public var minimumDetectable: Double

    /// Computes every statistic of `a` against `b` (paired by position, at least one pair);
    /// `generator` drives the bootstrap, so the same generator gives the same interval.
    public init(_ a: [Double], _ b: [Double], generator: SeededGenerator) throws(RankTestError) {
        wilcoxon = try RankTests.wilcoxon(a, b)
        let differences = zip(a, b).map { $0 - $1 }
        let summary = MeanStd(differences)
        blocks = differences.count
        meanA = MeanStd(a).mean
        meanB = MeanStd(b).mean
        mean = summary.mean
        sd = summary.std
        guard blocks >= 2 else {
            (tLower, tUpper, bootstrapLower, bootstrapUpper, cohenDz, tPValue, minimumDetectable) = (.nan, .nan, .nan, .nan, .nan, .nan, .nan)
            return
        }
        cohenDz = mean / sd
        let n = Double(blocks), df = n - 1
        let standardError = sd / n.squareRoot()
        let critical = SpecialFunctions.studentTQuantile(0.975, degreesOfFreedom: df)
        (tLower, tUpper) = Self.tInterval(summary)
        tPValue = 2 * SpecialFunctions.studentTSurvival(abs(mean / standardError), degreesOfFreedom: df)
        minimumDetectable = (critical + SpecialFunctions.studentTQuantile(0.8, degreesOfFreedom: df)) * standardError
        var random = generator
        var means = [Double](repeating: 0, count: Self.bootstrapResamples)
        for resample in means.indices {
            var sum = 0.0
            for _ in 0..<blocks { sum += differences[random.nextInt(below: blocks)] }
            means[resample] = sum / n
        }
        means.sort()
        bootstrapLower = Self.percentile(means, 0.025)
        bootstrapUpper = Self.percentile(means, 0.975)
    }

    /// The 95 % t interval of a mean: mean ± t_{0.975, n−1} · sd/√n (NaN below 2 values); the
    /// interval of the mean difference above, and of one arm's mean in the sensitivity plots.
    public static func tInterval(_ summary: MeanStd) -> (lower: Double, upper: Double) {
        guard summary.count >= 2 else { return (.nan, .nan) }
        let n = Double(summary.count)
        let halfWidth = SpecialFunctions.studentTQuantile(0.975, degreesOfFreedom: n - 1) * (summary.std / n.squareRoot())
        return (summary.mean - halfWidth, summary.mean + halfWidth)
    }

    /// The `q`-quantile of ascending `sorted` values with linear interpolation between order
    /// statistics (`numpy.percentile`'s default).
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
    }
}

/// A number per run that the declared comparisons pair across arms: a test metric, or a statistic
/// of the run's curves (``Convergence/measures(levels:)``).
public struct RunMeasure: Sendable {
    /// The `metric` column of `comparisons.csv`.
    public var name: String
    public var higherIsBetter: Bool
    /// The run's value (nil or non-finite: the block is left out of this measure).
    public var value: @Sendable (TrainRun) -> Double?

    public init(name: String, higherIsBetter: Bool, value: @escaping @Sendable (TrainRun) -> Double?) {
        self.name = name
        self.higherIsBetter = higherIsBetter
        self.value = value
    }

    /// The test metrics the runs report (at the tested epoch), in ``Results/metricOrder``.
    public static func testMetrics(_ runs: [TrainRun]) -> [RunMeasure] {
        Results.metrics(runs).map { metric in
            RunMeasure(name: metric, higherIsBetter: Results.higherIsBetter(metric)) { $0.test.metrics[metric] ?? nil }
        }
    }
}

/// The declared comparisons (`compare`): for each, each (dataset, model) where both arms ran and
/// each measure, the ``PairedDifference`` over the blocks both arms ran.
public struct Comparisons: Sendable {
    /// One comparison on one (dataset, model) and metric.
    public struct Row: Sendable {
        /// Position of the comparison in `compare` (it names the bootstrap's sub-stream).
        public var index: Int
        public var comparison: ArmComparison
        public var group: DatasetModel
        public var metric: String
        public var difference: PairedDifference
        public var higherIsBetter: Bool
    }

    public var declared: [ArmComparison]
    /// In declared order, then (dataset, model), then metric (``Results/metricOrder``).
    public var rows: [Row]
    /// One line per comparison naming an arm no run has or whose arms never ran on the same
    /// (dataset, model), and per (dataset, model) where the two arms share no block: reported as
    /// warnings.
    public var problems: [String]

    /// Compares the declared pairs on each of `measures` (default: the test metrics the runs report).
    public init(_ runs: [TrainRun], declared: [ArmComparison], measures: [RunMeasure]? = nil) {
        self.declared = declared
        rows = []
        problems = []
        let arms = SelectorOrder.sorted(runs.map(\.arm))
        let measures = measures ?? RunMeasure.testMetrics(runs)
        let groups = Set(runs.map { DatasetModel(dataset: $0.dataset, model: $0.model) }).sorted()
        for (index, comparison) in declared.enumerated() {
            let missing = [comparison.a, comparison.b].filter { !arms.contains($0) }
            if !missing.isEmpty {
                problems.append("compare '\(comparison)': no run has arm \(missing.map { "'\($0)'" }.joined(separator: " or ")) (the runs have \(arms.joined(separator: ", "))); correct the name in compare or the train stage's arm")
                continue
            }
            var paired = false
            for group in groups {
                var runsA: [Block: TrainRun] = [:], runsB: [Block: TrainRun] = [:]
                for run in runs where run.dataset == group.dataset && run.model == group.model {
                    if run.arm == comparison.a { runsA[run.key.block] = run }
                    if run.arm == comparison.b { runsB[run.key.block] = run }
                }
                if runsA.isEmpty || runsB.isEmpty { continue }
                paired = true
                let shared = Set(runsA.keys).intersection(runsB.keys).sorted()
                if shared.isEmpty {
                    problems.append("compare '\(comparison)' on \(group.dataset)/\(group.model): no (fold, seed) block has runs of both arms; run both arms with the same folds and seeds")
                    continue
                }
                for measure in measures {
                    var a: [Double] = [], b: [Double] = []
                    for block in shared {
                        guard let x = measure.value(runsA[block]!), let y = measure.value(runsB[block]!), x.isFinite, y.isFinite else { continue }
                        a.append(x)
                        b.append(y)
                    }
                    let generator = SeededGenerator(seed: SeededGenerator.fnv1a("\(group.dataset)/\(group.model)/\(measure.name)"), stream: "bootstrap", index: index)
                    guard let difference = try? PairedDifference(a, b, generator: generator) else { continue }
                    rows.append(Row(index: index, comparison: comparison, group: group, metric: measure.name, difference: difference,
                                    higherIsBetter: measure.higherIsBetter))
                }
            }
            if !paired {
                problems.append("compare '\(comparison)': no (dataset, model) has runs of both arms; run both arms on the same dataset and model")
            }
        }
    }

    /// `comparisons.csv`: one row per comparison, dataset, model and metric; differences are
    /// `arm_a` − `arm_b` (for metrics with `higher_is_better` false, negative favours `arm_a`).
    public var csv: CSVTable {
        var table = CSVTable(header: ["comparison", "arm_a", "arm_b", "dataset", "model", "metric", "higher_is_better", "blocks", "mean_a", "mean_b",
                                      "mean_difference", "sd_difference", "t_ci_low", "t_ci_high", "bootstrap_ci_low", "bootstrap_ci_high",
                                      "cohen_dz", "t_test_p", "wilcoxon_statistic", "wilcoxon_p", "wilcoxon_method", "mde_80"])
        for row in rows {
            let d = row.difference
            table.append(["\(row.comparison)", row.comparison.a, row.comparison.b, row.group.dataset, row.group.model, row.metric,
                          "\(row.higherIsBetter)", "\(d.blocks)"]
                         + [d.meanA, d.meanB, d.mean, d.sd, d.tLower, d.tUpper, d.bootstrapLower, d.bootstrapUpper, d.cohenDz, d.tPValue,
                            d.wilcoxon.statistic, d.wilcoxon.pValue].map(CSVTable.number)
                         + [d.wilcoxon.method.rawValue, CSVTable.number(d.minimumDetectable)])
        }
        return table
    }
}
