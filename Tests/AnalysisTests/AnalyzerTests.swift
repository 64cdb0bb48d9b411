@testable import Analysis
import Formats
import Foundation
import StageKit
import NumpyIO
import Testing
import TestSupport

@Suite struct AnalyzerTests {
    static let selectors = ["random", "balance", "uncertainty"]

    func analyse(_ root: URL, output: URL, driftEpochs: [Int] = [2, 5]) throws -> (AnalysisOutcome, [String]) {
        try SyntheticRuns.analyze(root, output: output, driftEpochs: driftEpochs, topPairs: 2)
    }

    @Test func writesEveryOutputAndManifestListsThem() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: Self.selectors, folds: 2)
        let output = TestSupport.temporaryFolder().appendingPathComponent("analyze")
        let (outcome, warnings) = try analyse(root, output: output)
        #expect(warnings.isEmpty)
        #expect(outcome.runCount == 6)
        let manifest = try Manifest.read(from: output)
        #expect(manifest.stage == "analyze")
        #expect(manifest.inputs.count == 6)
        for name in ["convergence.csv", "convergence-summary.csv", "convergence-speed.csv", "results.csv", "results.md", "statistics.csv",
                     "drift/drift.csv", "drift/drift-pairs.csv", "drift/toy-mlp-uncertainty-fold1-C5-minus-C2.npy",
                     "convergence-toy-mlp.svg", "correlation-toy-mlp.svg", "drift-toy-mlp.svg", "selection-toy-mlp.svg", "report.html"] {
            #expect(manifest.outputs[name] != nil, "\(name) not in manifest")
        }
        // 6 runs × 6 epochs × 3 metrics + header.
        let convergence = try String(contentsOf: output.appendingPathComponent("convergence.csv"), encoding: .utf8)
        #expect(convergence.split(separator: "\n").count == 6 * 6 * 3 + 1)
        #expect(convergence.hasPrefix("dataset,model,selector,fold,epoch,metric,value\ntoy,mlp,random,0,1,train_loss,1.0\n"))
        // Difference C_5 − C_2 of the synthetic correlation: (4 − 1) · 0.01 · (a + b + 1) off the diagonal.
        let difference = try NpyFile.read(output.appendingPathComponent("drift/toy-mlp-uncertainty-fold1-C5-minus-C2.npy"))
        #expect(difference.shape == [3, 3])
        let values = difference.float32Values()
        #expect(values[0] == 0 && abs(values[1] - 0.06) < 1e-6 && abs(values[8] - 0) < 1e-6)
        let pairs = try String(contentsOf: output.appendingPathComponent("drift/drift-pairs.csv"), encoding: .utf8)
        #expect(pairs.contains("toy,mlp,uncertainty,1,2,5,1,sea,sand,"))
        // Summary: fold AUC differs by 0.001, so std = 0.001/√2 per epoch.
        let summary = try String(contentsOf: output.appendingPathComponent("convergence-summary.csv"), encoding: .utf8)
        #expect(summary.contains("toy,mlp,uncertainty,1,validation_macro_auc,"))
        let report = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("<svg") && report.contains("Friedman") && !report.contains("<script"))
    }

    /// report.html leads with the answer: the verdict, the headline results and comparisons and
    /// the convergence plots come before the details, and the provenance (commands, parameters,
    /// runs, files) comes last, folded in `<details>`; every link is relative.
    @Test func reportLeadsWithTheAnswerAndFoldsTheProvenance() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: Self.selectors, folds: 2)
        for fold in 0..<2 { try SyntheticRuns.write(.init(model: "linear", selector: "random", fold: fold, offset: -0.05), under: root) }
        let output = TestSupport.temporaryFolder()
        _ = try SyntheticRuns.analyze(root, output: output, compare: ["uncertainty vs random"])
        let report = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        func position(_ text: String) throws -> String.Index {
            try #require(report.range(of: text), "report.html has no \(text)").lowerBound
        }
        let order = ["<h2>Verdict: the models learned</h2>", "<h2 id=\"results\">", "0.7250 ± 0.0071 (1.0)</td>", "<h3 id=\"comparisons\">",
                     "<h2 id=\"convergence\">", "<h2 id=\"details\">", "<h3 id=\"floor\">", "<details class=\"provenance\"", "Rerun this analysis with",
                     "<h3>Stages and parameters</h3>", "<h3>Train runs</h3>", "<h3>Files</h3>", "</details>", "</body>"]
        let positions = try order.map(position)
        for (index, pair) in zip(positions, positions.dropFirst()).enumerated() {
            #expect(pair.0 < pair.1, "report.html: \(order[index]) is not before \(order[index + 1])")
        }
        // The floor model's rows are not headline rows (the verdict covers them); they are among the details.
        let headline = report[try position("<h2 id=\"results\">")..<position("<h3 id=\"comparisons\">")]
        #expect(headline.contains("<tr><th>mlp</th><th>toy</th>") && !headline.contains("<th>linear</th>"))
        #expect(try position("<h4>Model <code>linear</code></h4>") > position("<h2 id=\"details\">"))
        let links = report.matches(of: try Regex(#"href="([^"]*)""#)).map { String($0.output[1].substring!) }
        #expect(links.contains("results.md") && links.contains { $0.hasPrefix("../") && $0.hasSuffix("/toy-mlp-random-0") })
        #expect(links.allSatisfy { !$0.hasPrefix("/") && !$0.contains(":") }, "absolute links: \(links.filter { $0.hasPrefix("/") || $0.contains(":") })")
    }

    @Test func sameInputsGiveIdenticalOutputs() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: Self.selectors, folds: 2)
        let a = TestSupport.temporaryFolder(), b = TestSupport.temporaryFolder()
        _ = try analyse(root, output: a)
        _ = try analyse(root, output: b)
        #expect(try Manifest.read(from: a).outputs == Manifest.read(from: b).outputs)
    }

    /// A run that cannot be read (here one without manifest.json and correlation.npy, one with a
    /// truncated selected.npy) makes the analysis fail, naming each: it used to be left out with a
    /// warning only in the log, so results.csv silently lacked it. With `skip_unreadable` the
    /// others are analysed and the skipped runs are listed in results.md, report.html and manifest.json.
    @Test func unreadableRunsAreRefusedUnlessSkipped() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: Self.selectors, folds: 2)
        // uncertainty (correlation mi) must hold correlation.npy; the other selectors need not.
        let broken = root.appendingPathComponent("toy-mlp-uncertainty-1")
        try FileManager.default.removeItem(at: root.appendingPathComponent("toy-mlp-balance-0").appendingPathComponent("correlation.npy"))
        try FileManager.default.removeItem(at: broken.appendingPathComponent("correlation.npy"))
        try FileManager.default.removeItem(at: broken.appendingPathComponent("manifest.json"))
        let truncated = root.appendingPathComponent("toy-mlp-random-1").appendingPathComponent("selected.npy")
        let data = try Data(contentsOf: truncated)
        try data.prefix(data.count - 8).write(to: truncated)
        let refused = TestSupport.temporaryFolder()
        let error = #expect(throws: AnalysisError.self) { try analyse(root, output: refused) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("2 train runs cannot be read:\n  "))
        #expect(message.contains("\n  \(broken.path): incomplete train folder, missing correlation.npy, manifest.json"))
        #expect(message.contains(truncated.path) && message.contains("truncated"))
        #expect(message.hasSuffix("or set skip_unreadable: true (--skip-unreadable) to analyse the other runs and list these as skipped"))
        #expect(!FileManager.default.fileExists(atPath: refused.appendingPathComponent("manifest.json").path))

        let output = TestSupport.temporaryFolder()
        let (outcome, warnings) = try SyntheticRuns.analyze(root, output: output, skipUnreadable: true)
        #expect(outcome.runCount == 4)
        #expect(outcome.skipped.map(\.path) == [broken.path, truncated.deletingLastPathComponent().path].sorted())
        #expect(warnings.count == 2 && warnings.allSatisfy { $0.hasPrefix("skipped (skip_unreadable): ") })
        let manifest = try Manifest.read(from: output)
        #expect(manifest.skipped == outcome.skipped)
        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(markdown.contains("## Skipped runs\n\n**2 train runs were skipped: they could not be read (skip_unreadable is set), so they are in no table or figure.**"))
        #expect(markdown.contains("- \(broken.path): incomplete train folder, missing correlation.npy, manifest.json"))
        let report = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("<b>2 train runs were skipped") && report.contains("toy-mlp-uncertainty-1: incomplete train folder"))
    }

    /// A train folder whose manifest.json is corrupt is named once, as corrupt, with the parse error.
    @Test func corruptManifestIsNamedWithTheParseError() throws {
        let root = TestSupport.temporaryFolder()
        let folder = try SyntheticRuns.write(SyntheticRuns.Spec(), under: root)
        try Data("{\"stage\": \"train\",".utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let error = #expect(throws: AnalysisError.self) { try analyse(root, output: TestSupport.temporaryFolder()) }
        let message = error?.description ?? ""
        #expect(message.contains("\n  \(folder.path)/manifest.json: corrupt manifest (not valid JSON"), "\(message)")
        #expect(message.components(separatedBy: "manifest.json").count == 2, "the file is named once: \(message)")
    }

    /// Runs that compute no label correlation write no correlation.npy: they are analysed as
    /// usual and left out of the drift outputs; a group without any such run gets no drift figure.
    @Test func runsWithoutCorrelationAreAnalysedAndLeftOutOfDrift() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: Self.selectors, folds: 2, correlationAsTrained: true)
        for fold in 0..<2 {
            var floor = SyntheticRuns.Spec(model: "linear", selector: "random", fold: fold)
            floor.correlationFile = false
            try SyntheticRuns.write(floor, under: root)
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("toy-mlp-random-0/correlation.npy").path))
        let output = TestSupport.temporaryFolder()
        let (outcome, warnings) = try analyse(root, output: output)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(outcome.runCount == 8)
        let rows = try String(contentsOf: output.appendingPathComponent("drift/drift.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst()
        #expect(rows.count == 2 * 5, "epochs 2…6 of the two uncertainty runs")
        #expect(rows.allSatisfy { $0.hasPrefix("toy,mlp,uncertainty,") })
        let manifest = try Manifest.read(from: output)
        #expect(manifest.outputs["drift/toy-mlp-uncertainty-fold0-C5-minus-C2.npy"] != nil)
        #expect(manifest.outputs["drift/toy-mlp-random-fold0-C5-minus-C2.npy"] == nil)
        #expect(manifest.outputs["drift-toy-mlp.svg"] != nil && manifest.outputs["drift-toy-linear.svg"] == nil)
        #expect(manifest.outputs["results.csv"] != nil && manifest.outputs["selection-toy-linear.svg"] != nil)
        let report = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("No run of this group computes a label correlation"))
        // The example scripts accept a run without the file.
        let scripts = TestSupport.packageRoot.appendingPathComponent("scripts")
        let random = root.appendingPathComponent("toy-mlp-random-0").path
        let check = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", scripts.appendingPathComponent("check_artifacts.py").path, random])
        #expect(check.status == 0 && check.standardOutput.contains("0 problems"), "\(check.standardOutput)\(check.standardError)")
        let drift = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", scripts.appendingPathComponent("correlation_drift.py").path, random])
        #expect(drift.status == 0 && drift.standardOutput.contains("no correlation.npy"), "\(drift.standardOutput)\(drift.standardError)")
    }

    @Test func mismatchedLabelSetIsRejected() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: Self.selectors, folds: 1)
        var odd = SyntheticRuns.Spec(selector: "random", fold: 1)
        odd.labelNames = ["sky", "sea", "grass"]
        let folder = try SyntheticRuns.write(odd, under: root)
        let (outcome, warnings) = try analyse(root, output: TestSupport.temporaryFolder())
        #expect(outcome.runCount == 3)
        #expect(warnings.count == 1)
        #expect(warnings[0].contains(folder.path) && warnings[0].contains("label names differ"))
    }

    @Test func nothingUsableThrowsAndWritesNoManifest() throws {
        let root = TestSupport.temporaryFolder()
        let folder = try SyntheticRuns.write(SyntheticRuns.Spec(), under: root)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("epochs.csv"))
        let output = TestSupport.temporaryFolder()
        #expect(throws: AnalysisError.nothingUsable(problems: 1)) {
            try SyntheticRuns.analyze(root, output: output, skipUnreadable: true)
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.json").path))
        #expect(throws: AnalysisError.noRuns(folder: output.path)) { try RunLoader.discover([output]) }
    }

    @Test func driftEpochsBeyondTheRunAreClampedWithAWarning() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: ["uncertainty"], folds: 1)
        let output = TestSupport.temporaryFolder()
        let (_, warnings) = try analyse(root, output: output, driftEpochs: [3, 70])
        #expect(warnings == ["warning: drift epochs 3,70 outside 1…6 for runs of toy/mlp; using 3,6"])
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("drift/toy-mlp-uncertainty-fold0-C6-minus-C3.npy").path))
    }

    @Test func numpyReadsTheOutputsAndTheScriptsRun() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: Self.selectors, folds: 2)
        let output = TestSupport.temporaryFolder()
        _ = try analyse(root, output: output)
        let scripts = TestSupport.packageRoot.appendingPathComponent("scripts")
        let check = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"),
                                        ["python3", scripts.appendingPathComponent("check_artifacts.py").path, root.appendingPathComponent("toy-mlp-random-0").path])
        #expect(check.status == 0, "\(check.standardError)")
        #expect(check.standardOutput.contains("correlation.npy") && check.standardOutput.contains("0 problems"))
        let plot = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", scripts.appendingPathComponent("plot_convergence.py").path, output.path])
        #expect(plot.status == 0, "\(plot.standardError)")
        #expect(plot.standardOutput.contains("toy/mlp/uncertainty"))
        let drift = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"),
                                        ["python3", scripts.appendingPathComponent("correlation_drift.py").path, root.appendingPathComponent("toy-mlp-uncertainty-1").path, "2", "5"])
        #expect(drift.status == 0, "\(drift.standardError)")
        #expect(drift.standardOutput.contains("sea / sand") || drift.standardOutput.contains("sea / sand"))
        let difference = try TestSupport.python(
            "import numpy as np, sys; a = np.load(sys.argv[1], mmap_mode='r'); print(a.dtype, a.shape, round(float(a[0, 1]), 4))",
            [output.appendingPathComponent("drift/toy-mlp-uncertainty-fold1-C5-minus-C2.npy").path])
        #expect(difference.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "float32 (3, 3) 0.06")
    }

    @Test func checkScriptFailsOnAShapeMismatch() throws {
        let root = TestSupport.temporaryFolder()
        let folder = try SyntheticRuns.write(SyntheticRuns.Spec(), under: root)
        try NpyFile.write([Int32](repeating: 0, count: 5), shape: [5], to: folder.appendingPathComponent("train-indices.npy"))
        let script = TestSupport.packageRoot.appendingPathComponent("scripts/check_artifacts.py")
        let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, folder.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("train-indices.npy: shape (5,)"))
    }
}

@Suite struct AnalyzeCommandTests {
    @Test func commandLineExitCodes() throws {
        let usage = try TestSupport.runProduct("analyze", ["--output", TestSupport.temporaryFolder().path])
        #expect(usage.status == 64)
        #expect(usage.standardError.contains("--runs"))
        let badList = try TestSupport.runProduct("analyze", ["--runs", "x", "--output", "y", "--drift-epochs", "30"])
        #expect(badList.status == 64)
        let empty = TestSupport.temporaryFolder()
        let missing = try TestSupport.runProduct("analyze", ["--runs", empty.path, "--output", TestSupport.temporaryFolder().path])
        #expect(missing.status == 1)
        #expect(missing.standardError.hasPrefix("error: \(empty.path): no train folders found"))
    }

    @Test func commandAnalysesAFolderOfRunsAndWarnsOnStderr() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: ["random", "uncertainty"], folds: 2)
        try FileManager.default.removeItem(at: root.appendingPathComponent("toy-mlp-random-1/run.json"))
        let output = TestSupport.temporaryFolder().appendingPathComponent("out")
        let arguments = ["--runs", root.path, "--output", output.path, "--drift-epochs", "2,4,6", "--convergence-levels", "0.9,0.99", "--top-pairs", "3"]
        let refused = try TestSupport.runProduct("analyze", arguments)
        #expect(refused.status == 1)
        #expect(refused.standardError.hasPrefix("error: 1 train run cannot be read:\n  \(root.path)/toy-mlp-random-1: incomplete train folder, missing run.json"))
        let result = try TestSupport.runProduct("analyze", arguments + ["--skip-unreadable"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("warning: skipped (skip_unreadable): \(root.path)/toy-mlp-random-1: incomplete train folder, missing run.json"))
        #expect(result.standardOutput.hasPrefix("analyzed 3 runs (1 skipped as unreadable)"))
        #expect(result.standardOutput.contains("report: \(output.path)/report.html"))
        let manifest = try Manifest.read(from: output)
        #expect(manifest.parameters["drift-epochs"] == "2,4,6")
        #expect(manifest.outputs["drift/toy-mlp-uncertainty-fold0-C6-minus-C4.npy"] != nil)
        #expect(manifest.outputs["drift/toy-mlp-uncertainty-fold0-C4-minus-C2.npy"] != nil)
    }
}

@Suite struct ProvenanceTests {
    @Test func reportTracesFetchAndSplitThroughTrainManifestInputs() throws {
        let artifacts = TestSupport.temporaryFolder()
        let fetch = artifacts.appendingPathComponent("fetch/toy")
        let split = artifacts.appendingPathComponent("split/toy")
        for (folder, stage, parameters) in [(fetch, "fetch", ["dataset": "toy"]), (split, "split", ["folds": "5", "order": "1"])] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Manifest(stage: stage, parameters: parameters, inputs: [], outputs: [:], startedAt: Date(), finishedAt: Date(), command: [stage])
                .write(into: folder)
        }
        let statistics = DatasetStatistics(instances: 2407, features: 294, labels: 2, cardinality: 1.074, density: 0.537, distinctLabelSets: 3,
                                           imbalanceRatio: [1.5, 3.25], meanImbalanceRatio: 2.375)
        try DatasetMeta(name: "toy", layout: "meka", source: .init(archive: "toy.arff", sha256: "0", files: ["toy.arff"], labelSource: "meka:-C 2",
                                                                   sparseRows: false),
                        featureNames: [], labelNames: ["a", "b"], attributes: [], statistics: statistics, missingValues: "error", warnings: [])
            .encoded().write(to: fetch.appendingPathComponent(DatasetFiles.meta))
        try NpyFile.write([Int32(0)], shape: [1], to: split.appendingPathComponent("folds.npy"))
        let train = artifacts.appendingPathComponent("train")
        // A file input resolves to its folder; a relative path resolves against the train folder's ancestors.
        var spec = SyntheticRuns.Spec()
        spec.inputs = [Manifest.Input(name: "dataset", path: "fetch/toy", sha256: "0"),
                       Manifest.Input(name: "split", path: split.appendingPathComponent("folds.npy").path, sha256: "0")]
        try SyntheticRuns.write(spec, under: train)
        let runs = RunCollection(folders: try RunLoader.discover([train])).runs
        let provenance = Provenance(runs: runs)
        #expect(provenance.stages["toy"]?["fetch"]?.folder.path == fetch.standardizedFileURL.path)
        #expect(provenance.stages["toy"]?["split"]?.manifest.parameters["folds"] == "5")
        let shown = try #require(provenance.stages["toy"]?["fetch"]?.statistics)
        #expect(shown.map(\.0) == ["cardinality", "density", "distinctLabelSets", "features", "imbalanceRatio", "instances", "labels",
                                   "meanImbalanceRatio"])
        #expect(shown.map(\.1) == ["1.074", "0.537", "3", "294", "2 values, max 3.25", "2407", "2", "2.375"])
    }
}
