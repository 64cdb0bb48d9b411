import Formats
import Foundation
import StageKit

/// `report.html`: one self-contained page (inline CSS and SVG, relative links only) that leads
/// with the answer — the learning-floor verdict, the headline Macro-AUC table with ranks, the
/// declared comparisons with their confidence intervals, the convergence plots — then the
/// details, and last, folded in `<details>`, the provenance (commands, parameters, runs, files).
/// Contains no timestamps, so identical inputs give an identical page.
struct Report {
    var collection: RunCollection
    var invocation: StageInvocation<AnalyzeContract>
    /// The analyze stage's folder, which holds the page: every path shown is relative to it.
    var folder: URL
    /// Runs left out because they could not be read (`skip_unreadable`).
    var skipped: [Manifest.Skipped]
    var warnings: [String]
    var speeds: [Convergence.Speed]
    var results: Results
    var comparisons: Comparisons
    var drift: DriftOutputs
    var figures: [DatasetModel: Figures]
    var outputs: [String]

    /// The metric of the headline table and comparisons.
    static let headlineMetric = MetricName.macroAUC.rawValue

    /// The models the top of the page shows: all but the floor model, unless it is the only one
    /// (the verdict already compares every row with the floor).
    var headlineModels: [String] {
        let others = collection.models.filter { $0 != LearningFloor.floorModel }
        return others.isEmpty ? collection.models : others
    }

    /// Readable at 1,280 px: the body is at most 1,200 px wide, figures scale down, and a table
    /// wider than the page scrolls inside its own box.
    static let style = """
    body{font-family:Helvetica,Arial,sans-serif;max-width:1200px;margin:24px auto;padding:0 20px;color:#222;line-height:1.45}
    h1{font-size:26px;border-bottom:2px solid #444;padding-bottom:6px}h2{font-size:21px;margin-top:32px;border-bottom:1px solid #bbb}
    h3{font-size:17px;margin-top:24px}h4{font-size:15px;margin:18px 0 6px}
    table{display:block;max-width:100%;overflow-x:auto;border-collapse:collapse;margin:8px 0 12px;font-size:13px}
    th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
    th{background:#f3f3f3}td.best{font-weight:bold;background:#eef6ee}tr.avg td,tr.avg th{border-top:2px solid #888}
    table.kv th{text-align:left}table.kv td{text-align:left;overflow-wrap:anywhere}
    code,pre{font-family:Menlo,Consolas,monospace;font-size:12px;background:#f6f6f6}pre{padding:8px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
    .figure{margin:10px 0 18px}.figure svg{max-width:100%;height:auto;border:1px solid #eee}
    .verdict{padding:8px 14px;margin:16px 0;border-left:6px solid}.verdict h2{margin:4px 0 6px;border:none}
    .verdict.learned{background:#eef6ee;border-color:#3a8a3a}.verdict.failed{background:#fde8e8;border-color:#b03030}
    .warn{background:#fff4e5;border-left:4px solid #f0a030;padding:6px 10px;font-size:13px}
    .stat{font-size:13px;color:#333}.note{color:#555;font-size:13px}
    td.flag,tr.flag td{background:#fde8e8;color:#8a1c1c}
    details.provenance{margin-top:32px;border-top:1px solid #bbb}details.provenance>summary{font-size:21px;font-weight:bold;margin:12px 0;cursor:pointer}
    """

    var html: String {
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>mlbatch analysis</title><style>\(Self.style)</style></head><body>\n"
        let datasets = Array(Set(collection.runs.map(\.dataset))).sorted()
        page += "<h1>Batch selection for multi-label classification — analysis of \(HTML.escape(datasets.joined(separator: ", ")))</h1>\n"
        page += "<p class=\"note\">\(collection.runs.count) train runs (\(collection.models.map(HTML.escape).joined(separator: ", "))) analysed by mlbatch \(ToolVersion.string). "
        page += "The answer first; then the details; the commands, parameters and runs are folded at the end.</p>\n"
        if !skipped.isEmpty {
            page += "<div class=\"warn\"><b>\(HTML.escape(ResultsDocument.skippedHeadline(skipped.count)))</b><ul>"
            page += skipped.map { "<li>\(HTML.escape($0.reason))</li>" }.joined() + "</ul></div>\n"
        }
        page += verdictSection()
        if !warnings.isEmpty {
            page += "<div class=\"warn\"><b>Warnings</b> (these runs or items are left out):<ul>"
            page += warnings.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul></div>\n"
        }
        page += resultsSection()
        page += convergenceSection()
        page += detailsSection()
        page += provenanceSection(datasets)
        page += "</body></html>\n"
        return page
    }

    /// What the means are over: folds, or (fold, seed) blocks when the runs' seeds differ.
    var over: String { RunColumns.seedsVary(collection.runs.map(\.key)) ? "(fold, seed) blocks" : "folds" }

    // MARK: The answer

    /// Did the models learn: the learning-floor check (``LearningFloor``), with the rows that did not.
    func verdictSection() -> String {
        let floor = results.floor
        let flagged = floor.flagged
        var out = "<section id=\"verdict\" class=\"verdict \(flagged.isEmpty ? "learned" : "failed")\">"
        if flagged.isEmpty {
            out += "<h2>Verdict: the models learned</h2>\n<p>Every one of the \(floor.rows.count) (dataset, model, arm) rows has a mean test "
            out += "Macro-AUC more than \(LearningFloor.chanceMargin) from 0.5"
            out += floor.missingFloor.isEmpty && !floor.rows.contains(where: \.floorAtCeiling)
                ? " and above the <code>\(LearningFloor.floorModel)</code> floor on the same folds.</p>\n"
                : "; the rows below have no floor to beat (none, or one at the ceiling).</p>\n"
        } else {
            out += "<h2>Verdict: \(flagged.count) result row\(flagged.count == 1 ? "" : "s") did not learn</h2>\n<ul>"
            out += flagged.map { "<li>\(HTML.escape($0.warning))</li>" }.joined() + "</ul>\n"
        }
        if !floor.notes.isEmpty {
            out += "<ul class=\"note\">" + floor.notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
        }
        return out + "<p class=\"note\">The check row by row: <a href=\"#floor\">Details, Did the models learn?</a></p></section>\n"
    }

    /// The headline tables: the headline metric of every headline model.
    var headlineTables: [Results.MetricTable] {
        results.tables.filter { $0.metric == Self.headlineMetric && headlineModels.contains($0.model) }
    }

    /// The headline metric's table with ranks and rank tests, and the declared comparisons on it.
    func resultsSection() -> String {
        var out = "<h2 id=\"results\">Results</h2>\n<p class=\"note\">Test Macro-AUC at the epoch with the best validation Macro-AUC; mean ± sample std over \(over) "
        out += "and (rank within the dataset and model); the best rank is bold. Every other metric and model: <a href=\"#metrics\">Details</a>; also in "
        out += "\(link("results.md")), \(link("results.csv")).</p>\n"
        out += ResultsDocument.metricsHTML(headlineTables, results, header: "model", label: \.model)
        if !comparisons.declared.isEmpty {
            out += "<h3 id=\"comparisons\">Comparisons</h3>\n<p class=\"note\">Each declared comparison A vs B on test Macro-AUC, paired over the "
            out += "(fold, seed) blocks both arms ran (n); A − B with its 95 % t interval. Every metric, the bootstrap interval, effect size and "
            out += "minimum detectable difference: <a href=\"#all-comparisons\">Details</a>.</p>\n"
            out += ResultsDocument.comparisonSummaryHTML(comparisons, metric: Self.headlineMetric)
        }
        return out
    }

    /// The convergence curves of every (dataset, model) as the paper's Figures 3–4 pair, the declared
    /// comparisons on the convergence statistics, and the sensitivity plots.
    func convergenceSection() -> String {
        var out = "<h2 id=\"convergence\">Convergence</h2>\n<p class=\"note\">The paper's Figures 3–4: training loss and validation Macro-AUC per epoch "
        out += "(<code>epochs.csv</code>), mean over \(over) with a ±1 std band (more than \(Figures.paperPairArms) arms: <code>random</code> and "
        out += "<code>uncertainty</code>; every arm and the validation loss: <a href=\"#convergence-speed\">Details</a>).</p>\n"
        for group in collection.datasetModels where headlineModels.contains(group.model) { out += convergenceFigure(group, heading: "h3") }
        let measures = Convergence.measures(levels: invocation.parameters.convergenceLevels).map(\.name)
        if comparisons.rows.contains(where: { measures.contains($0.metric) }) {
            out += "<h3 id=\"convergence-comparisons\">Convergence, compared</h3>\n<p class=\"note\">The declared comparisons on each run's "
            out += "convergence statistics, paired over blocks: <code>epochs_to_L</code>, the first epoch whose validation Macro-AUC reaches L % of the "
            out += "run's best (fewer is faster: a negative A − B favours A), and <code>\(Convergence.areaName)</code>, the area under the validation "
            out += "Macro-AUC curve divided by the epoch span (the curve's mean height; larger converges sooner or higher). Every column: "
            out += "<a href=\"#all-comparisons\">Details</a>, <code>comparisons.csv</code>.</p>\n"
            for measure in measures.reversed() {
                out += "<h4>\(HTML.escape(measure))</h4>\n" + ResultsDocument.comparisonSummaryHTML(comparisons, metric: measure)
            }
        }
        out += sensitivitySection()
        return out
    }

    func convergenceFigure(_ group: DatasetModel, heading: String) -> String {
        "<\(heading)>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></\(heading)>\n"
            + (figures[group].map { "<div class=\"figure\">\($0.paperPair)</div>\n" } ?? "")
    }

    /// The one-at-a-time sensitivity plots, where the runs hold such sweeps (``Sensitivity``).
    func sensitivitySection() -> String {
        let groups = collection.datasetModels.filter { figures[$0]?.sensitivity != nil }
        if groups.isEmpty { return "" }
        var out = "<h3 id=\"sensitivity\">Sensitivity to the parameters</h3>\n<p class=\"note\">Test Macro-AUC (mean over \(over), 95 % t interval) "
        out += "of the <code>uncertainty</code> arms that differ from the arm <code>uncertainty</code> in one parameter only, against its value; "
        out += "<code>random</code> (mean and 95 % interval) as the grey band; below, for the arms compared with <code>random</code>, the paired "
        out += "difference and its 95 % t interval (Comparisons), where the fold-to-fold spread cancels.</p>\n"
        for group in groups {
            out += "<h4>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></h4>\n<div class=\"figure\">\(figures[group]!.sensitivity!)</div>\n"
        }
        return out
    }

    // MARK: The details

    func detailsSection() -> String {
        var out = "<h2 id=\"details\">Details</h2>\n"
        out += "<h3 id=\"metrics\">Every metric</h3>\n<p class=\"note\">Mean ± sample std over \(over) and (rank within the dataset). Also in "
        out += "<code>results.md</code>, <code>results.csv</code>, <code>statistics.csv</code>.</p>\n"
        let shown = Set(headlineTables.map { "\($0.model)/\($0.metric)" })
        for model in collection.models {
            let tables = results.tables.filter { $0.model == model && !shown.contains("\($0.model)/\($0.metric)") }
            if tables.isEmpty { continue }
            out += "<h4>Model <code>\(HTML.escape(model))</code></h4>\n" + ResultsDocument.metricsHTML(tables, results, header: "metric", label: ResultsDocument.title)
        }
        out += "<h3 id=\"floor\">Did the models learn?</h3>\n" + ResultsDocument.floorHTML(results.floor)
        if !comparisons.declared.isEmpty {
            out += "<h3 id=\"all-comparisons\">Comparisons, every metric</h3>\n" + ResultsDocument.comparisonsHTML(comparisons)
        }
        let others = collection.datasetModels.filter { !headlineModels.contains($0.model) }
        if !others.isEmpty {
            out += "<h3 id=\"other-convergence\">Convergence of the other models</h3>\n" + others.map { convergenceFigure($0, heading: "h4") }.joined()
        }
        out += convergenceSpeedSection()
        out += driftSection()
        out += selectionSection()
        return out
    }

    func convergenceSpeedSection() -> String {
        var out = "<h3 id=\"convergence-speed\">Convergence speed</h3>\n<p class=\"note\">Per arm, mean ± std over \(over): the first epoch at which it reaches each fraction of the run's best, and the area under the validation curve divided by the epoch span (<code>convergence-speed.csv</code>; the curves: <code>convergence.csv</code>, <code>convergence-summary.csv</code>). Below each table: every arm's curves, validation loss included.</p>\n"
        let summary = Convergence.speedSummary(speeds)
        let levels = speeds.first?.levels ?? []
        for group in collection.datasetModels {
            out += "<h4>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></h4>\n"
            let rows = summary.filter { $0.key.dataset == group.dataset && $0.key.model == group.model }
            out += "<table><thead><tr><th>selector</th>" + levels.map { "<th>epochs to \(ResultsDocument.fixed($0 * 100, 0))%</th>" }.joined()
            out += "<th>area (normalised)</th></tr></thead><tbody>"
            let cell = { (value: MeanStd, digits: Int) in value.count > 0 ? "\(ResultsDocument.fixed(value.mean, digits)) ± \(ResultsDocument.fixed(value.std, digits))" : "–" }
            for row in rows {
                out += "<tr><th>\(HTML.escape(row.key.arm))</th>" + row.epochs.map { "<td>\(cell($0, 1))</td>" }.joined() + "<td>\(cell(row.area, 4))</td></tr>"
            }
            out += "</tbody></table>\n"
            if let svg = figures[group]?.convergence { out += "<div class=\"figure\">\(svg)</div>\n" }
        }
        return out
    }

    func driftSection() -> String {
        var out = "<h3 id=\"drift\">Label-correlation drift</h3>\n<p class=\"note\">C is the uncertainty-based label correlation of each epoch (<code>correlation.npy</code>); only runs that compute it (<code>uncertainty</code> with correlation mi or nmi) write that file, every other run uses C = I throughout and is left out of this section. Differences C_b − C_a for the epoch pairs \(HTML.escape(Drift.pairs(invocation.parameters.driftEpochs).map { "(\($0.0), \($0.1))" }.joined(separator: ", "))) are saved per run in <code>drift/</code>; <code>drift/drift.csv</code> holds ‖C_t − C_(t−1)‖_F per epoch and <code>drift/drift-pairs.csv</code> the most-changed label pairs. Heatmaps leave out the diagonal (C_aa = 1, grey) and show block means when there are more than 64 labels.</p>\n"
        let thinned = collection.runs.filter { $0.hasCorrelation && $0.metadata.historyThinning != nil }
        if !thinned.isEmpty {
            out += "<p class=\"note\">\(thinned.count) of these runs kept one epoch in k of C (<code>history_budget</code>, <code>run.json</code> <code>history_thinning</code>): their drift is the change since the previous kept epoch, and their drift epochs are the nearest kept ones.</p>\n"
        }
        for group in collection.datasetModels {
            out += "<h4>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></h4>\n"
            if let svg = figures[group]?.driftNorms {
                out += "<div class=\"figure\">\(svg)</div>\n"
            } else {
                out += "<p class=\"note\">No run of this group computes a label correlation (no <code>correlation.npy</code>): C = I throughout.</p>\n"
            }
            if let svg = figures[group]?.correlation { out += "<div class=\"figure\">\(svg)</div>\n" }
            if let snapshot = drift.snapshots[group], let changes = drift.representativeChanges[group], !changes.isEmpty {
                out += "<p class=\"note\">Most-changed label pairs, epoch \(snapshot.epochA) → \(snapshot.epochB) (\(HTML.escape(snapshot.key.description))):</p>\n"
                out += "<table><thead><tr><th>label a</th><th>label b</th><th>C at \(snapshot.epochA)</th><th>C at \(snapshot.epochB)</th><th>change</th></tr></thead><tbody>"
                for change in changes {
                    out += "<tr><td>\(HTML.escape(snapshot.labelNames[change.first]))</td><td>\(HTML.escape(snapshot.labelNames[change.second]))</td><td>\(ResultsDocument.fixed(Double(change.before)))</td><td>\(ResultsDocument.fixed(Double(change.after)))</td><td>\(ResultsDocument.fixed(Double(change.change)))</td></tr>"
                }
                out += "</tbody></table>\n"
            }
        }
        return out
    }

    func selectionSection() -> String {
        var out = "<h3 id=\"selection\">Selection frequency</h3>\n<p class=\"note\">How often each training sample was drawn, summed over all epochs (<code>selected.npy</code>), folds pooled. Random batches draw every sample once per epoch; the weighted selectors concentrate on uncertain samples.</p>\n"
        for group in collection.datasetModels {
            out += "<h4>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></h4>\n"
            if let svg = figures[group]?.selection { out += "<div class=\"figure\">\(svg)</div>\n" }
        }
        return out
    }

    // MARK: Provenance

    /// Commands, every stage's parameters, the train runs and the files, folded.
    func provenanceSection(_ datasets: [String]) -> String {
        var out = "<details class=\"provenance\" id=\"provenance\"><summary>Provenance: commands, parameters, train runs, files</summary>\n"
        out += "<p class=\"note\">Rerun this analysis with</p><pre>\(HTML.escape(invocation.command.joined(separator: " ")))</pre>\n"
        out += stagesSection(datasets)
        out += runsSection()
        out += filesSection()
        return out + "</details>\n"
    }

    /// `url`'s path relative to the report's folder, e.g. `../../fetch/default`.
    func relativePath(_ url: URL) -> String {
        let from = folder.standardizedFileURL.pathComponents, to = url.standardizedFileURL.pathComponents
        let common = zip(from, to).prefix { $0 == $1 }.count
        let parts = Array(repeating: "..", count: from.count - common) + to[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// A link to a file or folder by its relative path.
    func link(_ path: String, text: String? = nil) -> String {
        let href = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        return "<a href=\"\(HTML.escape(href))\"><code>\(HTML.escape(text ?? path))</code></a>"
    }

    func keyValueTable(_ pairs: [(String, String)]) -> String {
        "<table class=\"kv\">" + pairs.map { "<tr><th>\(HTML.escape($0.0))</th><td>\(HTML.escape($0.1))</td></tr>" }.joined() + "</table>\n"
    }

    func stagesSection(_ datasets: [String]) -> String {
        let provenance = Provenance(runs: collection.runs)
        var out = "<h3>Stages and parameters</h3>\n"
        for dataset in datasets {
            out += "<h4>Dataset <code>\(HTML.escape(dataset))</code></h4>\n"
            for stage in ["fetch", "split"] {
                if let found = provenance.stages[dataset]?[stage] {
                    out += "<p class=\"note\">\(stage) — \(link(relativePath(found.folder)))</p>\n"
                    out += keyValueTable(found.manifest.parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
                    if !found.statistics.isEmpty { out += "<p class=\"note\">Dataset statistics (meta.json):</p>" + keyValueTable(found.statistics) }
                } else {
                    out += "<p class=\"note\">\(stage): not found through the train manifests' inputs (folder moved or not recorded).</p>\n"
                }
            }
            let runs = collection.runs.filter { $0.dataset == dataset }
            let keys = Set(runs.flatMap { $0.manifest.parameters.keys }).sorted()
            var common: [(String, String)] = []
            var varying: [(String, String)] = []
            for key in keys {
                let values = Array(Set(runs.map { $0.manifest.parameters[key] ?? "–" })).sorted()
                if values.count == 1 { common.append((key, values[0])) } else { varying.append((key, values.joined(separator: ", "))) }
            }
            out += "<p class=\"note\">train — \(runs.count) runs; parameters shared by every run:</p>" + keyValueTable(common)
            if !varying.isEmpty { out += "<p class=\"note\">Parameters that vary (the matrix):</p>" + keyValueTable(varying) }
            if let first = runs.first {
                out += "<p class=\"note\">Command of one run (<code>\(HTML.escape(first.key.description))</code>):</p><pre>\(HTML.escape(first.manifest.command.joined(separator: " ")))</pre>\n"
            }
        }
        out += "<p class=\"note\">analyze</p>" + keyValueTable(invocation.parameters.canonicalTexts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        return out
    }

    func runsSection() -> String {
        let seed = RunColumns.seedsVary(collection.runs.map(\.key))
        var out = "<h3>Train runs</h3>\n<table><thead><tr><th>dataset</th><th>model</th><th>selector</th><th>fold</th>\(seed ? "<th>seed</th>" : "")<th>epochs</th><th>train samples</th><th>labels</th><th>best epoch</th><th>test Macro-AUC</th><th>folder</th></tr></thead><tbody>\n"
        for run in collection.runs {
            let auc = run.test[.macroAUC].map { ResultsDocument.fixed($0) } ?? "–"
            out += "<tr><td>\(HTML.escape(run.dataset))</td><td>\(HTML.escape(run.model))</td><td>\(HTML.escape(run.arm))</td><td>\(run.fold)</td>\(seed ? "<td>\(run.seed)</td>" : "")<td>\(run.epochCount)</td><td>\(run.trainCount)</td><td>\(run.labelNames.count)</td><td>\(run.test.bestEpoch)</td><td>\(auc)</td><td>\(link(relativePath(run.folder), text: run.folder.lastPathComponent))</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    func filesSection() -> String {
        let arrays = outputs.filter { $0.hasPrefix("drift/") && $0.hasSuffix(".npy") }
        let listed = outputs.filter { !arrays.contains($0) }.sorted()
        var out = "<h3>Files</h3>\n<p class=\"note\">" + listed.map { link($0) }.joined(separator: " ")
        let seedPart = RunColumns.seedsVary(collection.runs.map(\.key)) ? "-seed&lt;s&gt;" : ""
        out += arrays.isEmpty ? "" : " and \(arrays.count) correlation differences <code>drift/&lt;dataset&gt;-&lt;model&gt;-&lt;selector&gt;-fold&lt;f&gt;\(seedPart)-C&lt;b&gt;-minus-C&lt;a&gt;.npy</code> (float32 [q, q])"
        return out + ", <code>report.html</code>, <code>manifest.json</code>.</p>\n"
    }
}
