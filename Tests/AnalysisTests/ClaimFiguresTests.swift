@testable import Analysis
import Formats
import Foundation
import Testing
import TestSupport

/// The figures of docs/claims.md: the paper's Figures 3–4 pair and the sensitivity plots, in the
/// report and in the manifest.
@Suite struct ClaimFiguresTests {
    /// A sensitivity experiment in small: random, the centre arm `uncertainty` (window 5), two arms
    /// that change the window only, and one that changes the window and λ1 (in no sweep), 3 folds.
    static func writeSweep(under root: URL) throws {
        for fold in 0..<3 {
            try SyntheticRuns.write(.init(selector: "random", fold: fold), under: root)
            try SyntheticRuns.write(.init(selector: "uncertainty", fold: fold, offset: 0.01), under: root)
            for window in [2, 8] {
                try SyntheticRuns.write(.init(selector: "uncertainty", arm: "window-\(window)", fold: fold, offset: 0.002 * Double(window),
                                              adjust: { $0.window = window }), under: root)
            }
            try SyntheticRuns.write(.init(selector: "uncertainty", arm: "mixed", fold: fold, adjust: { $0.window = 3; $0.lambda1 = 1 }), under: root)
        }
    }

    @Test func sensitivityPanelsHoldTheArmsThatChangeOneParameter() throws {
        let root = TestSupport.temporaryFolder()
        try Self.writeSweep(under: root)
        let runs = RunCollection(folders: try RunLoader.discover([root])).runs
        let panels = Sensitivity.panels(runs)
        #expect(panels.map(\.knob.flag) == ["window"])
        let points = try #require(panels.first).points
        #expect(points.map(\.arm) == ["window-2", "uncertainty", "window-8"] && points.map(\.value) == [2, 5, 8])
        // uncertainty: test Macro-AUC 0.71, 0.72, 0.73 (offset 0.01 + 0.01 per fold): mean 0.72, sd 0.01,
        // 95 % interval 0.72 ± t_{0.975, 2} · 0.01/√3 = 0.72 ± 4.302652729749464 · 0.005773502691896258.
        let centre = points[1]
        #expect(abs(centre.summary.mean - 0.72) < 1e-12 && centre.summary.count == 3)
        #expect(abs(centre.upper - (0.72 + 4.302652729749464 * 0.01 / 3.0.squareRoot())) < 1e-9)
    }

    @Test func reportShowsThePaperPairTheConvergenceComparisonsAndTheSensitivityPlots() throws {
        let root = TestSupport.temporaryFolder()
        try Self.writeSweep(under: root)
        let output = TestSupport.temporaryFolder()
        _ = try SyntheticRuns.analyze(root, output: output, compare: ["uncertainty vs random", "window-2 vs random"])
        let manifest = try Manifest.read(from: output)
        for name in ["paper-figure-toy-mlp.svg", "sensitivity-toy-mlp.svg", "convergence-toy-mlp.svg", "comparisons.csv", "convergence-speed.csv"] {
            #expect(manifest.outputs[name] != nil, "\(name) not in the manifest")
        }
        let report = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        let convergence = try #require(report.range(of: "<h2 id=\"convergence\">")).lowerBound
        let details = try #require(report.range(of: "<h2 id=\"details\">")).lowerBound
        let top = report[convergence..<details]
        // The pair (training loss, then validation Macro-AUC) before the details; the compared
        // convergence statistics with their intervals; the window sweep.
        let pair = try #require(top.range(of: "Training loss — toy, mlp"))
        #expect(top[pair.upperBound...].contains("Validation Macro-AUC — toy, mlp"))
        #expect(top.contains("<h3 id=\"convergence-comparisons\">") && top.contains("<h4>validation_auc_area</h4>"))
        #expect(top.contains("<tr><td>uncertainty vs random</td><td>toy</td><td>mlp</td><td>3</td>"))
        #expect(top.contains("<h3 id=\"sensitivity\">") && top.contains("window — toy, mlp"))
        // The arms compared with random also get their paired difference, below.
        let sensitivity = try String(contentsOf: output.appendingPathComponent("sensitivity-toy-mlp.svg"), encoding: .utf8)
        #expect(sensitivity.contains("paired: arm − random") && sensitivity.contains("height=\"640\""))
        let speed = try String(contentsOf: output.appendingPathComponent("convergence-speed.csv"), encoding: .utf8)
        #expect(speed.hasPrefix("dataset,model,selector,fold,best_validation_macro_auc,epochs_to_90,epochs_to_95,epochs_to_99,validation_auc_area\n"))
    }

    /// Without a centre arm (or without sweeps) there is no sensitivity figure; with at most seven
    /// arms the pair draws every arm.
    @Test func noSweepNoSensitivityFigure() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: ["random", "balance", "uncertainty"], folds: 2)
        let output = TestSupport.temporaryFolder()
        _ = try SyntheticRuns.analyze(root, output: output)
        #expect(try Manifest.read(from: output).outputs["sensitivity-toy-mlp.svg"] == nil)
        let pair = try String(contentsOf: output.appendingPathComponent("paper-figure-toy-mlp.svg"), encoding: .utf8)
        #expect(["random", "balance", "uncertainty"].allSatisfy { pair.contains(">\($0)</text>") })
    }
}
