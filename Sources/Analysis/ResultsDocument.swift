import Formats
import Foundation

/// Renders ``Results`` as `results.md` and as HTML tables for the report.
public enum ResultsDocument {
    static func fixed(_ value: Double, _ digits: Int = 4) -> String {
        value.isNaN ? "–" : String(format: "%.\(digits)f", value)
    }

    static func pValue(_ p: Double) -> String {
        if p.isNaN { return "–" }
        return p < 1e-4 ? String(format: "%.2e", p) : String(format: "%.4f", p)
    }

    static func cellText(_ cell: Results.Cell, didNotLearn: Bool = false) -> String {
        "\(fixed(cell.summary.mean)) ± \(fixed(cell.summary.std)) (\(fixed(cell.rank, 1)))" + (didNotLearn ? " did not learn" : "")
    }

    static let floorExplanation = "Floor: the test Macro-AUC of the `\(LearningFloor.floorModel)` model (per-label logistic regression through the same engine and protocol) with the `\(LearningFloor.floorSelector)` selector, on the same dataset and folds. A row did not learn when its mean test Macro-AUC is within \(LearningFloor.chanceMargin) of 0.5 or not above the floor (unless the floor is at the ceiling, 1.0000, which no row can be above)."

    /// The line that introduces the runs `skip_unreadable` left out.
    static func skippedHeadline(_ count: Int) -> String {
        "\(count) train run\(count == 1 ? " was" : "s were") skipped: \(count == 1 ? "it" : "they") could not be read (skip_unreadable is set), "
            + "so \(count == 1 ? "it is" : "they are") in no table or figure."
    }

    static func floorCount(_ floor: LearningFloor) -> String {
        let count = floor.flagged.count
        return count == 0 ? "Every row learned." : "\(count) of \(floor.rows.count) rows did not learn."
    }

    static func floorCells(_ row: LearningFloor.Row) -> [String] {
        [row.dataset, row.model, row.selector, "\(row.folds)", fixed(row.macroAUC), row.floor.map { fixed($0) } ?? "–",
         row.didNotLearn ? "did not learn: " + row.reasons.joined(separator: "; ") : row.floorAtCeiling ? "learned (floor at the ceiling)" : "learned"]
    }

    static let floorHeader = ["dataset", "model", "selector", "folds", "Macro-AUC", "\(LearningFloor.floorModel) floor", "verdict"]

    /// The learning-floor section of `results.md`.
    static func floorMarkdown(_ floor: LearningFloor) -> String {
        var out = "\n## Did the models learn?\n\n\(floorExplanation)\n\n**\(floorCount(floor))**\n\n"
        out += "| " + floorHeader.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: floorHeader.count) + "\n"
        for row in floor.rows {
            let cells = floorCells(row)
            out += "| " + (row.didNotLearn ? Array(cells.dropLast()) + ["**\(cells.last!)**"] : cells).joined(separator: " | ") + " |\n"
        }
        for note in floor.notes { out += "\n- \(note)" }
        return out + (floor.notes.isEmpty ? "" : "\n")
    }

    /// The learning-floor section of the report.
    public static func floorHTML(_ floor: LearningFloor) -> String {
        var out = "<p class=\"note\">\(HTML.escape(floorExplanation))</p>\n<p><b>\(HTML.escape(floorCount(floor)))</b></p>\n<table><thead><tr>"
        out += floorHeader.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in floor.rows {
            out += "<tr\(row.didNotLearn ? " class=\"flag\"" : "")>" + floorCells(row).map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n"
        }
        out += "</tbody></table>\n"
        if !floor.notes.isEmpty {
            out += "<ul class=\"note\">" + floor.notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
        }
        return out
    }

    static func title(_ t: Results.MetricTable) -> String {
        "\(t.metric) (\(t.higherIsBetter ? "higher" : "lower") is better)"
    }

    static func bestRank(_ t: Results.MetricTable, _ dataset: String) -> Double? {
        t.cells[dataset]?.values.map(\.rank).min()
    }

    /// What a block of the rank tests is: `(dataset, fold)`, or `(dataset, fold, seed)` when the runs use several seeds.
    static func blockName(_ results: Results) -> String {
        results.seedsVary ? "(dataset, fold, seed)" : "(dataset, fold)"
    }

    static func friedmanText(_ t: Results.MetricTable, blocks blockName: String) -> String {
        guard let f = t.friedman else { return "Friedman test not run: \(t.friedmanNote ?? "")." }
        var text = "Friedman χ² = \(fixed(f.chiSquare, 3)) (df = \(f.treatments - 1), \(f.blocks) \(blockName) blocks), p = \(pValue(f.pValue))"
        if let value = f.imanDavenportF, let p = f.imanDavenportPValue {
            text += "; Iman–Davenport F = \(fixed(value, 3)), p = \(pValue(p))"
        }
        return text + "."
    }

    /// `results.md`: the declared comparisons (if any), then per model and metric, datasets × arms
    /// with "mean ± std (rank)", the best rank in bold, the average rank, then the rank tests.
    public static func markdown(_ results: Results, comparisons: Comparisons? = nil, skipped: [Manifest.Skipped] = []) -> String {
        let over = results.seedsVary ? "(fold, seed) blocks" : "folds"
        var out = "# Results\n\nTest metrics at the best validation epoch: mean ± sample std over \(over), (rank within the dataset; ties averaged). "
        out += "Tests pair \(blockName(results)) blocks: Friedman across all selectors, Wilcoxon signed-rank (two-sided, as `scipy.stats.wilcoxon`: exact for n ≤ 50 without ties or zero differences, all 2^n sign flips for n ≤ 13 otherwise, else the tie-corrected normal approximation) of `\(SelectorOrder.proposed)` against each other selector.\n"
        if !skipped.isEmpty {
            out += "\n## Skipped runs\n\n**\(skippedHeadline(skipped.count))**\n\n" + skipped.map { "- \($0.reason)\n" }.joined()
        }
        if let comparisons, !comparisons.declared.isEmpty { out += comparisonsMarkdown(comparisons) }
        out += floorMarkdown(results.floor)
        for model in Set(results.tables.map(\.model)).sorted() {
            out += "\n## Model `\(model)`\n"
            for t in results.tables where t.model == model {
                out += "\n### \(title(t))\n\n| dataset | " + t.selectors.joined(separator: " | ") + " |\n"
                out += "|---|" + String(repeating: "---|", count: t.selectors.count) + "\n"
                for dataset in t.datasets {
                    let best = bestRank(t, dataset)
                    let cells = t.selectors.map { selector -> String in
                        guard let cell = t.cells[dataset]?[selector] else { return "–" }
                        let text = cellText(cell, didNotLearn: results.didNotLearn(t, dataset: dataset, selector: selector))
                        return cell.rank == best ? "**\(text)**" : text
                    }
                    out += "| \(dataset) | " + cells.joined(separator: " | ") + " |\n"
                }
                out += "| average rank | " + t.selectors.map { t.averageRanks[$0].map { fixed($0, 2) } ?? "–" }.joined(separator: " | ") + " |\n"
                out += "\n" + friedmanText(t, blocks: blockName(results)) + "\n"
                if !t.wilcoxon.isEmpty {
                    out += "\n| \(SelectorOrder.proposed) vs | n | W | p | method |\n|---|---|---|---|---|\n"
                    for (other, w) in t.wilcoxon {
                        out += "| \(other) | \(w.pairs) | \(fixed(w.statistic, 1)) | \(pValue(w.pValue)) | \(w.method.rawValue) |\n"
                    }
                }
            }
        }
        return out
    }

    /// Metric tables as one HTML table for the report: a row per (table, dataset) — the table
    /// named by `label` in a first column headed `header` — with "mean ± std (rank)" per arm, the
    /// best rank marked, rows that did not learn flagged, and each table's average ranks; the
    /// rank tests follow, one line per table.
    static func metricsHTML(_ tables: [Results.MetricTable], _ results: Results, header: String,
                            label: (Results.MetricTable) -> String) -> String {
        let arms = SelectorOrder.sorted(tables.flatMap(\.selectors))
        var out = "<table><thead><tr><th>\(HTML.escape(header))</th><th>dataset</th>" + arms.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        var tests: [String] = []
        for t in tables {
            let name = label(t)
            for dataset in t.datasets {
                let best = bestRank(t, dataset)
                out += "<tr><th>\(HTML.escape(name))</th><th>\(HTML.escape(dataset))</th>"
                for arm in arms {
                    guard let cell = t.cells[dataset]?[arm] else { out += "<td>–</td>"; continue }
                    let flagged = results.didNotLearn(t, dataset: dataset, selector: arm)
                    let classes = (cell.rank == best ? ["best"] : []) + (flagged ? ["flag"] : [])
                    out += "<td\(classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")>\(HTML.escape(cellText(cell, didNotLearn: flagged)))</td>"
                }
                out += "</tr>\n"
            }
            out += "<tr class=\"avg\"><th>\(HTML.escape(name))</th><th>average rank</th>"
            out += arms.map { "<td>\(t.averageRanks[$0].map { fixed($0, 2) } ?? "–")</td>" }.joined() + "</tr>\n"
            var test = HTML.escape(friedmanText(t, blocks: blockName(results)))
            if !t.wilcoxon.isEmpty {
                test += " Wilcoxon <code>\(SelectorOrder.proposed)</code> vs: "
                test += t.wilcoxon.map { "\(HTML.escape($0.selector)) p = \(pValue($0.result.pValue)) (n = \($0.result.pairs), \($0.result.method.rawValue))" }.joined(separator: "; ")
                test += "."
            }
            tests.append(tables.count == 1 ? test : "<b>\(HTML.escape(name))</b>: " + test)
        }
        out += "</tbody></table>\n"
        return out + (tests.count == 1 ? "<p class=\"stat\">\(tests[0])</p>\n" : "<ul class=\"stat\">" + tests.map { "<li>\($0)</li>" }.joined() + "</ul>\n")
    }
}

extension ResultsDocument {
    static let comparisonsExplanation = "Declared comparisons A vs B, paired over the (fold, seed) blocks both arms ran (n). A − B is the mean paired difference: positive favours A where higher is better; for lower-is-better metrics (losses, one-error, coverage) negative favours A. 95 % CIs of the mean difference: t-based and percentile bootstrap (\(PairedDifference.bootstrapResamples) seeded resamples of the blocks). d_z = mean / sd of the differences. p: paired t-test and Wilcoxon signed-rank, two-sided. MDE: the difference detectable with 80 % power at α = 0.05 for the observed sd, (t_0.975 + t_0.80) · sd / √n. docs/statistics.md explains each column."

    static let comparisonHeader = ["comparison", "metric", "n", "mean A", "mean B", "A − B", "95% CI (t)", "95% CI (bootstrap)", "d_z", "p (t-test)",
                                   "p (Wilcoxon)", "MDE (80%)"]

    /// The rows of one (dataset, model): metrics in ``Results/metricOrder`` (Macro-AUC first), then comparisons in declared order.
    static func comparisonRows(_ comparisons: Comparisons, _ group: DatasetModel) -> [[String]] {
        let rows = comparisons.rows.filter { $0.group == group }
        let metrics = rows.map(\.metric).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return metrics.flatMap { metric in
            rows.filter { $0.metric == metric }.map { row in
                let d = row.difference
                return ["\(row.comparison)", row.higherIsBetter ? metric : "\(metric) (lower is better: negative favours A)", "\(d.blocks)",
                        fixed(d.meanA), fixed(d.meanB), fixed(d.mean), "[\(fixed(d.tLower)), \(fixed(d.tUpper))]",
                        "[\(fixed(d.bootstrapLower)), \(fixed(d.bootstrapUpper))]", fixed(d.cohenDz, 2), pValue(d.tPValue),
                        pValue(d.wilcoxon.pValue), fixed(d.minimumDetectable)]
            }
        }
    }

    static func comparisonGroups(_ comparisons: Comparisons) -> [DatasetModel] {
        Set(comparisons.rows.map(\.group)).sorted()
    }

    /// The Comparisons section of `results.md`: the problems, then one table per (dataset, model).
    static func comparisonsMarkdown(_ comparisons: Comparisons) -> String {
        var out = "\n## Comparisons\n\n\(comparisonsExplanation)\n"
        for problem in comparisons.problems { out += "\n- **Problem:** \(problem)" }
        if !comparisons.problems.isEmpty { out += "\n" }
        for group in comparisonGroups(comparisons) {
            out += "\n### \(group.dataset), model `\(group.model)`\n\n| " + comparisonHeader.joined(separator: " | ") + " |\n|"
            out += String(repeating: "---|", count: comparisonHeader.count) + "\n"
            for cells in comparisonRows(comparisons, group) { out += "| " + cells.joined(separator: " | ") + " |\n" }
        }
        return out
    }

    /// The same section as HTML (for the report).
    static func comparisonsHTML(_ comparisons: Comparisons) -> String {
        var out = "<p class=\"note\">\(HTML.escape(comparisonsExplanation))</p>\n"
        if !comparisons.problems.isEmpty {
            out += "<div class=\"warn\"><b>Problems</b><ul>" + comparisons.problems.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul></div>\n"
        }
        for group in comparisonGroups(comparisons) {
            out += "<h3>\(HTML.escape(group.dataset)), model <code>\(HTML.escape(group.model))</code></h3>\n<table><thead><tr>"
            out += comparisonHeader.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
            for cells in comparisonRows(comparisons, group) {
                out += "<tr>" + cells.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out
    }
}

extension ResultsDocument {
    static let comparisonSummaryHeader = ["comparison", "dataset", "model", "n", "mean A", "mean B", "A − B", "95% CI (t)", "p (t-test)",
                                          "reading"]

    /// What a comparison's t interval says: which arm is ahead, or that it holds 0.
    static func reading(_ row: Comparisons.Row) -> String {
        let d = row.difference
        if d.tLower.isNaN || d.tUpper.isNaN { return "undecided: too few blocks for an interval" }
        let favoursA = row.higherIsBetter ? d.tLower > 0 : d.tUpper < 0
        let favoursB = row.higherIsBetter ? d.tUpper < 0 : d.tLower > 0
        return favoursA ? "\(row.comparison.a) ahead" : favoursB ? "\(row.comparison.b) ahead" : "no difference shown (the CI holds 0)"
    }

    /// The declared comparisons on one metric, a row per (comparison, dataset, model) with the
    /// interval's reading: the report's headline comparisons.
    static func comparisonSummaryHTML(_ comparisons: Comparisons, metric: String) -> String {
        let rows = comparisons.rows.filter { $0.metric == metric }
        if rows.isEmpty { return "" }
        var out = "<table><thead><tr>" + comparisonSummaryHeader.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows.sorted(by: { ($0.index, $0.group) < ($1.index, $1.group) }) {
            let d = row.difference
            let cells = ["\(row.comparison)", row.group.dataset, row.group.model, "\(d.blocks)", fixed(d.meanA), fixed(d.meanB), fixed(d.mean),
                         "[\(fixed(d.tLower)), \(fixed(d.tUpper))]", pValue(d.tPValue), reading(row)]
            out += "<tr>" + cells.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }
}

/// HTML text helpers.
public enum HTML {
    /// Escapes &, <, >, " for text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
