@testable import Analysis
import Formats
import Foundation
import SeededRandom
import StageKit
import Testing
import TestSupport

/// The paired statistics of declared comparisons. Reference values computed with SciPy 1.17.1 and
/// NumPy 2.4.6; each test names the call.
@Suite struct PairedStatisticsTests {
    private func close(_ a: Double, _ b: Double, relative: Double = 1e-9) -> Bool {
        abs(a - b) <= relative * max(abs(b), 1e-300)
    }

    /// A = [0.712, 0.695, 0.731, 0.704, 0.688, 0.720, 0.709, 0.699], B = [0.701, 0.690, 0.715, 0.706, 0.680, 0.709, 0.700, 0.693]:
    /// A.mean() 0.7072499999999999, B.mean() 0.6992499999999999, (A-B).mean() 0.007999999999999993,
    /// (A-B).std(ddof=1) 0.005291502622129186;
    /// r = stats.ttest_rel(A, B): r.pvalue 0.0036726107708456774, r.confidence_interval(0.95) (0.003576193101041518, 0.01242380689895847);
    /// d_z = mean/sd 1.5118578920369063; MDE (t.ppf(0.975, 7) + t.ppf(0.8, 7)) * sd / sqrt(8) 0.0061001248676659904;
    /// stats.wilcoxon(A, B).pvalue 0.015625 (two differences tie at 0.011: the 2^8 sign flips). Printed by
    /// python3 -c "import numpy as np, scipy.stats as st; A = np.array([...]); B = np.array([...]); d = A - B; r = st.ttest_rel(A, B);
    /// print(A.mean(), B.mean(), d.mean(), d.std(ddof=1), r.pvalue, r.confidence_interval(0.95), d.mean() / d.std(ddof=1),
    /// (st.t.ppf(0.975, 7) + st.t.ppf(0.8, 7)) * d.std(ddof=1) / np.sqrt(8), st.wilcoxon(A, B).pvalue)"
    @Test func pairedDifferenceMatchesSciPy() throws {
        let a = [0.712, 0.695, 0.731, 0.704, 0.688, 0.720, 0.709, 0.699]
        let b = [0.701, 0.690, 0.715, 0.706, 0.680, 0.709, 0.700, 0.693]
        let d = try PairedDifference(a, b, generator: SeededGenerator(seed: 1))
        #expect(d.blocks == 8)
        #expect(close(d.meanA, 0.7072499999999999) && close(d.meanB, 0.6992499999999999))
        #expect(close(d.mean, 0.007999999999999993) && close(d.sd, 0.005291502622129186))
        #expect(close(d.tPValue, 0.0036726107708456774))
        #expect(close(d.tLower, 0.003576193101041518) && close(d.tUpper, 0.01242380689895847))
        #expect(close(d.cohenDz, 1.5118578920369063))
        #expect(close(d.minimumDetectable, 0.0061001248676659904))
        #expect(d.wilcoxon.method == .permutation && close(d.wilcoxon.pValue, 0.015625))
    }

    /// stats.wilcoxon([1, 2, 3, 4, 5]).pvalue 0.0625; stats.wilcoxon(np.arange(1, 16)).pvalue 6.103515625e-05:
    /// with every difference of one sign, p = 2 / 2^n, the smallest p n blocks allow.
    @Test func wilcoxonFloorOnFiveAndFifteenBlocks() throws {
        let five = try PairedDifference([1, 2, 3, 4, 5], [0, 0, 0, 0, 0], generator: SeededGenerator(seed: 1))
        #expect(five.wilcoxon.method == .exact && five.wilcoxon.pValue == 0.0625)
        let values = (1...15).map(Double.init)
        let fifteen = try PairedDifference(values, [Double](repeating: 0, count: 15), generator: SeededGenerator(seed: 1))
        #expect(fifteen.wilcoxon.pValue == 6.103515625e-05)
    }

    /// np.percentile([0.1, 0.2, 0.4, 0.5, 0.9], [2.5, 97.5]) → [0.11000000000000001, 0.86].
    @Test func percentileInterpolatesLikeNumPy() {
        let sorted = [0.1, 0.2, 0.4, 0.5, 0.9]
        #expect(close(PairedDifference.percentile(sorted, 0.025), 0.11000000000000001))
        #expect(close(PairedDifference.percentile(sorted, 0.975), 0.86))
    }

    @Test func bootstrapIsReproducibleAndContainsTheMean() throws {
        let a = [0.712, 0.695, 0.731, 0.704, 0.688, 0.720, 0.709, 0.699, 0.702, 0.716, 0.694, 0.725, 0.707, 0.711, 0.690]
        let b = [0.701, 0.690, 0.715, 0.706, 0.680, 0.709, 0.700, 0.693, 0.705, 0.704, 0.689, 0.712, 0.701, 0.703, 0.694]
        let stream = SeededGenerator(seed: SeededGenerator.fnv1a("toy/mlp/macro_auc"), stream: "bootstrap", index: 0)
        let first = try PairedDifference(a, b, generator: stream)
        let second = try PairedDifference(a, b, generator: stream)
        #expect(first.bootstrapLower.bitPattern == second.bootstrapLower.bitPattern)
        #expect(first.bootstrapUpper.bitPattern == second.bootstrapUpper.bitPattern)
        #expect(first.bootstrapLower < first.mean && first.mean < first.bootstrapUpper)
        // Another sub-stream resamples differently (so the equality above is not vacuous).
        let other = try PairedDifference(a, b, generator: SeededGenerator(seed: SeededGenerator.fnv1a("toy/mlp/macro_auc"), stream: "bootstrap", index: 1))
        #expect(other.bootstrapLower != first.bootstrapLower || other.bootstrapUpper != first.bootstrapUpper)
    }

    @Test func constantZeroDifferenceDecidesNothing() throws {
        let d = try PairedDifference([0.7, 0.71, 0.72], [0.7, 0.71, 0.72], generator: SeededGenerator(seed: 1))
        #expect(d.mean == 0 && d.sd == 0 && d.tLower == 0 && d.tUpper == 0 && d.bootstrapLower == 0 && d.bootstrapUpper == 0)
        #expect(d.cohenDz.isNaN && d.tPValue.isNaN)
        // stats.wilcoxon([0.7, 0.71, 0.72], [0.7, 0.71, 0.72]).pvalue → 1.0
        #expect(d.wilcoxon.pValue == 1)
    }
}

@Suite struct ComparisonTests {
    @Test func compareItemsAreValidated() throws {
        var parameters = AnalyzeParameters()
        parameters.compare = ["uncertainty vs random", "a vs"]
        #expect(throws: ParameterError.invalid("compare", value: "a vs", expected: "two arm names joined by ' vs ', e.g. uncertainty vs random")) {
            try parameters.validate()
        }
        #expect("\(ParameterError.invalid("compare", value: "a vs", expected: "two arm names joined by ' vs ', e.g. uncertainty vs random"))"
            == "invalid compare 'a vs': expected two arm names joined by ' vs ', e.g. uncertainty vs random")
        for bad in ["a vs b vs c", "vs b", "a/b vs c", "a versus b"] {
            parameters.compare = [bad]
            #expect(throws: ParameterError.self, "\(bad)") { try parameters.validate() }
        }
        parameters.compare = ["authors-uncertainty vs random"]
        try parameters.validate()
        #expect(parameters.comparisons == [ArmComparison("authors-uncertainty vs random")!])
        #expect(parameters.comparisons[0].a == "authors-uncertainty" && parameters.comparisons[0].b == "random")
    }

    /// Arm `better` beats `baseline` by 0.020, 0.021 or 0.022 Macro-AUC in each of 6 blocks
    /// (3 folds × seeds 1, 2): differences mean 0.021, sd 0.0008944271909999153, d_z 23.47871376374781
    /// (NumPy: d.mean(), d.std(ddof=1), their ratio).
    static func writeArms(under root: URL, gap: (Int) -> Double) throws {
        var block = 0
        for fold in 0..<3 {
            for seed: UInt64 in [1, 2] {
                let base = 0.003 * Double(block % 4)
                try SyntheticRuns.write(.init(selector: "random", arm: "baseline", fold: fold, seed: seed, offset: base), under: root)
                try SyntheticRuns.write(.init(selector: "uncertainty", arm: "better", fold: fold, seed: seed, offset: base + gap(block)), under: root)
                block += 1
            }
        }
    }

    static func rows(_ output: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: output.appendingPathComponent("comparisons.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init))) }
    }

    @Test func aConstantAdvantageIsDecided() throws {
        let root = TestSupport.temporaryFolder()
        try Self.writeArms(under: root) { 0.02 + 0.001 * Double($0 % 3) }
        let output = TestSupport.temporaryFolder()
        let (_, warnings) = try SyntheticRuns.analyze(root, output: output, compare: ["better vs baseline", "better vs nope"])
        #expect(warnings == ["compare 'better vs nope': no run has arm 'nope' (the runs have baseline, better); correct the name in compare or the train stage's arm"])
        let rows = try Self.rows(output)
        // better vs baseline × toy/mlp × the three metrics the synthetic runs report.
        #expect(rows.map { $0["metric"]! } == ["macro_auc", "ranking_loss", "hamming_loss"])
        let auc = rows[0]
        #expect(auc["comparison"] == "better vs baseline" && auc["blocks"] == "6" && auc["higher_is_better"] == "true")
        let number = { (name: String) in Double(auc[name]!)! }
        #expect(abs(number("mean_difference") - 0.021) < 1e-12)
        #expect(abs(number("sd_difference") - 0.0008944271909999153) < 1e-12)
        #expect(abs(number("cohen_dz") - 23.47871376374781) < 1e-6)
        #expect(number("t_ci_low") > 0 && number("bootstrap_ci_low") > 0)
        #expect(number("t_ci_low") < 0.021 && 0.021 < number("t_ci_high"))
        #expect(number("t_test_p") < 1e-6)
        // Six positive differences: 2 of the 2^6 sign patterns are as extreme, p = 0.03125.
        #expect(number("wilcoxon_p") == 0.03125)
        // Ranking loss falls by the same amounts: negative favours `better`.
        #expect(rows[1]["higher_is_better"] == "false" && Double(rows[1]["mean_difference"]!)! < 0)

        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(markdown.contains("## Comparisons") && markdown.contains("### toy, model `mlp`"))
        #expect(markdown.contains("| better vs baseline | macro_auc | 6 | "))
        #expect(markdown.contains("| better vs baseline | ranking_loss (lower is better: negative favours A) | 6 | "))
        #expect(markdown.contains("- **Problem:** compare 'better vs nope': no run has arm 'nope'"))
        #expect(markdown.contains("mean ± sample std over (fold, seed) blocks"))
        let report = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        // The headline comparison (Macro-AUC, with the interval's reading) comes before the details and the provenance.
        let headline = try #require(report.range(of: "<tr><td>better vs baseline</td><td>toy</td><td>mlp</td><td>6</td>"))
        #expect(report[headline.upperBound...].prefix { $0 != "\n" }.hasSuffix("<td>better ahead</td></tr>"))
        #expect(!report.contains("<td>better vs nope</td><td>toy</td>"))
        let every = try #require(report.range(of: "<tr><td>better vs baseline</td><td>macro_auc</td><td>6</td>"))
        #expect(headline.lowerBound < report.range(of: "<h2 id=\"details\">")!.lowerBound && report.range(of: "<h2 id=\"details\">")!.lowerBound < every.lowerBound)
        #expect(every.lowerBound < report.range(of: "<details class=\"provenance\"")!.lowerBound)
        #expect(try Manifest.read(from: output).outputs["comparisons.csv"] != nil)

        // A rerun writes the same bytes (the bootstrap is seeded).
        let again = TestSupport.temporaryFolder()
        _ = try SyntheticRuns.analyze(root, output: again, compare: ["better vs baseline", "better vs nope"])
        #expect(try Data(contentsOf: again.appendingPathComponent("comparisons.csv")) == Data(contentsOf: output.appendingPathComponent("comparisons.csv")))
    }

    /// Every selector, `sequential` included, has a colour of its own in the plots (indexing a
    /// six-colour list crashed the analysis of a run of the seventh selector).
    @Test func everySelectorHasItsOwnColourAndTheReportIsWritten() throws {
        let colours = SelectorOrder.known.map { Palette.colour(of: $0, among: SelectorOrder.known) }
        #expect(Set(colours).count == SelectorOrder.known.count)
        let root = TestSupport.temporaryFolder()
        for fold in 0..<2 {
            try SyntheticRuns.write(.init(selector: "random", fold: fold), under: root)
            try SyntheticRuns.write(.init(selector: "sequential", fold: fold, offset: 0.01), under: root)
        }
        let output = TestSupport.temporaryFolder()
        _ = try SyntheticRuns.analyze(root, output: output, compare: ["sequential vs random"])
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("report.html").path))
    }

    @Test func noDifferenceIsNotDecided() throws {
        let root = TestSupport.temporaryFolder()
        try Self.writeArms(under: root) { _ in 0 }
        let output = TestSupport.temporaryFolder()
        _ = try SyntheticRuns.analyze(root, output: output, compare: ["better vs baseline"])
        let auc = try #require(Self.rows(output).first)
        #expect(auc["mean_difference"] == "0.0" && auc["sd_difference"] == "0.0")
        #expect(auc["t_ci_low"] == "0.0" && auc["t_ci_high"] == "0.0" && auc["bootstrap_ci_low"] == "0.0" && auc["bootstrap_ci_high"] == "0.0")
        #expect(auc["cohen_dz"] == "nan" && auc["t_test_p"] == "nan" && auc["wilcoxon_p"] == "1.0")
    }

    /// Arms that ran on disjoint blocks, or never on the same (dataset, model), cannot be paired:
    /// each is a problem, not a row; a model where one arm did not run at all is left out quietly.
    @Test func unpairableArmsAreProblems() throws {
        let root = TestSupport.temporaryFolder()
        for fold in 0..<2 {
            try SyntheticRuns.write(.init(selector: "random", arm: "baseline", fold: fold, seed: 1), under: root)
            try SyntheticRuns.write(.init(selector: "uncertainty", arm: "better", fold: fold, seed: 2), under: root)
            try SyntheticRuns.write(.init(model: "linear", selector: "random", fold: fold, seed: 1), under: root)
        }
        let runs = RunCollection(folders: try RunLoader.discover([root])).runs
        let comparisons = Comparisons(runs, declared: ["better vs baseline", "random vs better", "baseline vs random"].map { ArmComparison($0)! })
        #expect(comparisons.rows.isEmpty)
        #expect(comparisons.problems == [
            "compare 'better vs baseline' on toy/mlp: no (fold, seed) block has runs of both arms; run both arms with the same folds and seeds",
            "compare 'random vs better': no (dataset, model) has runs of both arms; run both arms on the same dataset and model",
            "compare 'baseline vs random': no (dataset, model) has runs of both arms; run both arms on the same dataset and model",
        ])
    }

    @Test func withoutComparisonsNothingChanges() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: ["random", "uncertainty"], folds: 2)
        let output = TestSupport.temporaryFolder()
        _ = try SyntheticRuns.analyze(root, output: output)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("comparisons.csv").path))
        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(!markdown.contains("Comparisons") && markdown.contains("mean ± sample std over folds,"))
        let convergence = try String(contentsOf: output.appendingPathComponent("convergence.csv"), encoding: .utf8)
        #expect(convergence.hasPrefix("dataset,model,selector,fold,epoch,"))
    }
}
