import Formats
import Foundation
import StageKit

/// `report.html`: one self-contained page (inline CSS and SVG) that reads like the authors'
/// notebook: each stage with its parameters and key numbers, then tables and plots.
/// Contains no timestamps, so identical inputs give an identical page.
struct Report {
    var collection: RunCollection
    var invocation: StageInvocation<AnalyzeContract>
    /// Runs left out because they could not be read (`skip_unreadable`).
    var skipped: [Manifest.Skipped]
    var warnings: [String]
    var speeds: [Convergence.Speed]
    var results: Results
    var comparisons: Comparisons
    var drift: DriftOutputs
    var figures: [DatasetModel: Figures]
    var outputs: [String]

    static let style = """
    body{font-family:Helvetica,Arial,sans-serif;max-width:1300px;margin:24px auto;padding:0 20px;color:#222;line-height:1.45}
    h1{font-size:26px;border-bottom:2px solid #444;padding-bottom:6px}h2{font-size:21px;margin-top:36px;border-bottom:1px solid #bbb}
    h3{font-size:17px;margin-top:24px}h4{font-size:15px;margin:18px 0 6px}
    table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
    th{background:#f3f3f3}td.best{font-weight:bold;background:#eef6ee}tr.avg td,tr.avg th{border-top:2px solid #888}
    table.kv th{text-align:left}table.kv td{text-align:left}
    code,pre{font-family:Menlo,Consolas,monospace;font-size:12px;background:#f6f6f6}pre{padding:8px;overflow-x:auto;white-space:pre-wrap}
    .figure{margin:10px 0 18px}.figure svg{max-width:100%;height:auto;border:1px solid #eee}
    .warn{background:#fff4e5;border-left:4px solid #f0a030;padding:6px 10px;font-size:13px}
    .stat{font-size:13px;color:#333}.note{color:#555;font-size:13px}
    td.flag,tr.flag td{background:#fde8e8;color:#8a1c1c}
    """

    var html: String {
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mlbatch analysis</title><style>\(Self.style)</style></head><body>\n"
        let datasets = Array(Set(collection.runs.map(\.dataset))).sorted()
        page += "<h1>Batch selection for multi-label classification — analysis of \(HTML.escape(datasets.joined(separator: ", ")))</h1>\n"
        page += "<p class=\"note\">\(collection.runs.count) train runs (\(collection.models.map(HTML.escape).joined(separator: ", "))) analysed by mlbatch \(ToolVersion.string). "
        page += "Rerun with <code>\(HTML.escape(invocation.command.joined(separator: " ")))</code>.</p>\n"
        if !skipped.isEmpty {
            page += "<div class=\"warn\"><b>\(HTML.escape(ResultsDocument.skippedHeadline(skipped.count)))</b><ul>"
            page += skipped.map { "<li>\(HTML.escape($0.reason))</li>" }.joined() + "</ul></div>\n"
        }
        if !warnings.isEmpty {
            page += "<div class=\"warn\"><b>Warnings</b> (these runs or items are left out):<ul>"
            page += warnings.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul></div>\n"
        }
        let flagged = results.floor.flagged
        if !flagged.isEmpty {
            page += "<div class=\"warn\"><b>\(flagged.count) result row\(flagged.count == 1 ? "" : "s") did not learn</b> (section 4):<ul>"
            page += flagged.map { "<li>\(HTML.escape($0.warning))</li>" }.joined() + "</ul></div>\n"
        }
        if !comparisons.declared.isEmpty {
            page += "<h2>Comparisons</h2>\n" + ResultsDocument.comparisonsHTML(comparisons)
        }
        page += stagesSection(datasets)
        page += runsSection()
        page += convergenceSection()
        page += "<h2>4. Results (the paper's Table 3)</h2>\n<p class=\"note\">Test metrics at the epoch with the best validation Macro-AUC; mean ± sample std over \(over) and (rank within the dataset). Also in <code>results.md</code>, <code>results.csv</code>, <code>statistics.csv</code>.</p>\n"
        page += "<h3>Did the models learn?</h3>\n" + ResultsDocument.floorHTML(results.floor)
        page += ResultsDocument.html(results)
        page += driftSection()
        page += selectionSection()
        let arrays = outputs.filter { $0.hasPrefix("drift/") && $0.hasSuffix(".npy") }
        let listed = outputs.filter { !arrays.contains($0) }.sorted()
        page += "<h2>7. Files</h2>\n<p class=\"note\">" + listed.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: " ")
        let seedPart = RunColumns.seedsVary(collection.runs.map(\.key)) ? "-seed&lt;s&gt;" : ""
        page += arrays.isEmpty ? "" : " and \(arrays.count) correlation differences <code>drift/&lt;dataset&gt;-&lt;model&gt;-&lt;selector&gt;-fold&lt;f&gt;\(seedPart)-C&lt;b&gt;-minus-C&lt;a&gt;.npy</code> (float32 [q, q])"
        page += ", <code>report.html</code>, <code>manifest.json</code>.</p>\n"
        page += "</body></html>\n"
        return page
    }

    /// What the means are over: folds, or (fold, seed) blocks when the runs' seeds differ.
    var over: String { RunColumns.seedsVary(collection.runs.map(\.key)) ? "(fold, seed) blocks" : "folds" }

    func keyValueTable(_ pairs: [(String, String)]) -> String {
        "<table class=\"kv\">" + pairs.map { "<tr><th>\(HTML.escape($0.0))</th><td>\(HTML.escape($0.1))</td></tr>" }.joined() + "</table>\n"
    }

    func stagesSection(_ datasets: [String]) -> String {
        let provenance = Provenance(runs: collection.runs)
        var out = "<h2>1. Stages and parameters</h2>\n"
        for dataset in datasets {
            out += "<h3>Dataset <code>\(HTML.escape(dataset))</code></h3>\n"
            for stage in ["fetch", "split"] {
                if let found = provenance.stages[dataset]?[stage] {
                    out += "<h4>\(stage) — <code>\(HTML.escape(found.folder.path))</code></h4>\n"
                    out += keyValueTable(found.manifest.parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
                    if !found.statistics.isEmpty { out += "<p class=\"note\">Dataset statistics (meta.json):</p>" + keyValueTable(found.statistics) }
                } else {
                    out += "<h4>\(stage)</h4><p class=\"note\">Not found through the train manifests' inputs (folder moved or not recorded).</p>\n"
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
            out += "<h4>train — \(runs.count) runs</h4>\n<p class=\"note\">Parameters shared by every run:</p>" + keyValueTable(common)
            if !varying.isEmpty { out += "<p class=\"note\">Parameters that vary (the matrix):</p>" + keyValueTable(varying) }
            if let first = runs.first {
                out += "<p class=\"note\">Command of one run (<code>\(HTML.escape(first.key.description))</code>):</p><pre>\(HTML.escape(first.manifest.command.joined(separator: " ")))</pre>\n"
            }
        }
        out += "<h4>analyze</h4>" + keyValueTable(invocation.parameters.canonicalTexts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        return out
    }

    func runsSection() -> String {
        let seed = RunColumns.seedsVary(collection.runs.map(\.key))
        var out = "<h2>2. Train runs</h2>\n<table><thead><tr><th>dataset</th><th>model</th><th>selector</th><th>fold</th>\(seed ? "<th>seed</th>" : "")<th>epochs</th><th>train samples</th><th>labels</th><th>best epoch</th><th>test Macro-AUC</th><th>folder</th></tr></thead><tbody>\n"
        for run in collection.runs {
            let auc = run.test[.macroAUC].map { ResultsDocument.fixed($0) } ?? "–"
            out += "<tr><td>\(HTML.escape(run.dataset))</td><td>\(HTML.escape(run.model))</td><td>\(HTML.escape(run.arm))</td><td>\(run.fold)</td>\(seed ? "<td>\(run.seed)</td>" : "")<td>\(run.epochCount)</td><td>\(run.trainCount)</td><td>\(run.labelNames.count)</td><td>\(run.test.bestEpoch)</td><td>\(auc)</td><td><code>\(HTML.escape(run.folder.lastPathComponent))</code></td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    func convergenceSection() -> String {
        var out = "<h2>3. Convergence</h2>\n<p class=\"note\">Per-epoch curves from <code>epochs.csv</code>, mean over \(over) with a ±1 std band (<code>convergence.csv</code>, <code>convergence-summary.csv</code>). The table gives the first epoch at which the validation Macro-AUC reaches a fraction of its final (last-epoch) value, mean ± std over \(over) (<code>convergence-speed.csv</code>).</p>\n"
        let summary = Convergence.speedSummary(speeds)
        let levels = Array(Set(summary.map(\.level))).sorted()
        for group in collection.datasetModels {
            out += "<h3>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></h3>\n"
            if let svg = figures[group]?.convergence { out += "<div class=\"figure\">\(svg)</div>\n" }
            let rows = summary.filter { $0.key.dataset == group.dataset && $0.key.model == group.model }
            out += "<table><thead><tr><th>selector</th>" + levels.map { "<th>epochs to \(ResultsDocument.fixed($0 * 100, 0))%</th>" }.joined() + "</tr></thead><tbody>"
            for selector in SelectorOrder.sorted(rows.map(\.key.arm)) {
                out += "<tr><th>\(HTML.escape(selector))</th>"
                for level in levels {
                    let cell = rows.first { $0.key.arm == selector && $0.level == level }?.epochs
                    out += "<td>\(cell.map { $0.count > 0 ? "\(ResultsDocument.fixed($0.mean, 1)) ± \(ResultsDocument.fixed($0.std, 1))" : "–" } ?? "–")</td>"
                }
                out += "</tr>"
            }
            out += "</tbody></table>\n"
        }
        return out
    }

    func driftSection() -> String {
        var out = "<h2>5. Label-correlation drift</h2>\n<p class=\"note\">C is the uncertainty-based label correlation of each epoch (<code>correlation.npy</code>); only runs that compute it (<code>uncertainty</code> with correlation mi or nmi) write that file, every other run uses C = I throughout and is left out of this section. Differences C_b − C_a for the epoch pairs \(HTML.escape(Drift.pairs(invocation.parameters.driftEpochs).map { "(\($0.0), \($0.1))" }.joined(separator: ", "))) are saved per run in <code>drift/</code>; <code>drift/drift.csv</code> holds ‖C_t − C_(t−1)‖_F per epoch and <code>drift/drift-pairs.csv</code> the most-changed label pairs. Heatmaps leave out the diagonal (C_aa = 1, grey) and show block means when there are more than 64 labels.</p>\n"
        for group in collection.datasetModels {
            out += "<h3>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></h3>\n"
            if let svg = figures[group]?.driftNorms {
                out += "<div class=\"figure\">\(svg)</div>\n"
            } else {
                out += "<p class=\"note\">No run of this group computes a label correlation (no <code>correlation.npy</code>): C = I throughout.</p>\n"
            }
            if let svg = figures[group]?.correlation { out += "<div class=\"figure\">\(svg)</div>\n" }
            if let snapshot = drift.snapshots[group], let changes = drift.representativeChanges[group], !changes.isEmpty {
                out += "<h4>Most-changed label pairs, epoch \(snapshot.epochA) → \(snapshot.epochB) (\(HTML.escape(snapshot.key.description)))</h4>\n"
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
        var out = "<h2>6. Selection frequency</h2>\n<p class=\"note\">How often each training sample was drawn, summed over all epochs (<code>selected.npy</code>), folds pooled. Random batches draw every sample once per epoch; the weighted selectors concentrate on uncertain samples.</p>\n"
        for group in collection.datasetModels {
            out += "<h3>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></h3>\n"
            if let svg = figures[group]?.selection { out += "<div class=\"figure\">\(svg)</div>\n" }
        }
        return out
    }
}
