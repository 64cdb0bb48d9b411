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

    static func cellText(_ cell: Results.Cell) -> String {
        "\(fixed(cell.summary.mean)) ± \(fixed(cell.summary.std)) (\(fixed(cell.rank, 1)))"
    }

    static func title(_ t: Results.MetricTable) -> String {
        "\(t.metric) (\(t.higherIsBetter ? "higher" : "lower") is better)"
    }

    static func bestRank(_ t: Results.MetricTable, _ dataset: String) -> Double? {
        t.cells[dataset]?.values.map(\.rank).min()
    }

    static func friedmanText(_ t: Results.MetricTable) -> String {
        guard let f = t.friedman else { return "Friedman test not run: \(t.friedmanNote ?? "")." }
        var text = "Friedman χ² = \(fixed(f.chiSquare, 3)) (df = \(f.treatments - 1), \(f.blocks) (dataset, fold) blocks), p = \(pValue(f.pValue))"
        if let value = f.imanDavenportF, let p = f.imanDavenportPValue {
            text += "; Iman–Davenport F = \(fixed(value, 3)), p = \(pValue(p))"
        }
        return text + "."
    }

    /// `results.md`: per model and metric, datasets × selectors with "mean ± std (rank)", the
    /// best rank in bold, the average rank, then the rank tests.
    public static func markdown(_ results: Results) -> String {
        var out = "# Results\n\nTest metrics at the best validation epoch: mean ± sample std over folds, (rank within the dataset; ties averaged). "
        out += "Tests pair (dataset, fold) blocks: Friedman across all selectors, Wilcoxon signed-rank (two-sided, as `scipy.stats.wilcoxon`: exact for n ≤ 50 without ties or zero differences, all 2^n sign flips for n ≤ 13 otherwise, else the tie-corrected normal approximation) of `\(SelectorOrder.proposed)` against each other selector.\n"
        for model in Set(results.tables.map(\.model)).sorted() {
            out += "\n## Model `\(model)`\n"
            for t in results.tables where t.model == model {
                out += "\n### \(title(t))\n\n| dataset | " + t.selectors.joined(separator: " | ") + " |\n"
                out += "|---|" + String(repeating: "---|", count: t.selectors.count) + "\n"
                for dataset in t.datasets {
                    let best = bestRank(t, dataset)
                    let cells = t.selectors.map { selector -> String in
                        guard let cell = t.cells[dataset]?[selector] else { return "–" }
                        return cell.rank == best ? "**\(cellText(cell))**" : cellText(cell)
                    }
                    out += "| \(dataset) | " + cells.joined(separator: " | ") + " |\n"
                }
                out += "| average rank | " + t.selectors.map { t.averageRanks[$0].map { fixed($0, 2) } ?? "–" }.joined(separator: " | ") + " |\n"
                out += "\n" + friedmanText(t) + "\n"
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

    /// The same tables as HTML (for the report).
    public static func html(_ results: Results) -> String {
        var out = ""
        for model in Set(results.tables.map(\.model)).sorted() {
            out += "<h3>Model <code>\(HTML.escape(model))</code></h3>\n"
            for t in results.tables where t.model == model {
                out += "<h4>\(HTML.escape(title(t)))</h4>\n<table><thead><tr><th>dataset</th>"
                out += t.selectors.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
                for dataset in t.datasets {
                    let best = bestRank(t, dataset)
                    out += "<tr><th>\(HTML.escape(dataset))</th>"
                    for selector in t.selectors {
                        if let cell = t.cells[dataset]?[selector] {
                            out += "<td\(cell.rank == best ? " class=\"best\"" : "")>\(HTML.escape(cellText(cell)))</td>"
                        } else {
                            out += "<td>–</td>"
                        }
                    }
                    out += "</tr>\n"
                }
                out += "<tr class=\"avg\"><th>average rank</th>" + t.selectors.map { "<td>\(t.averageRanks[$0].map { fixed($0, 2) } ?? "–")</td>" }.joined() + "</tr>\n"
                out += "</tbody></table>\n<p class=\"stat\">\(HTML.escape(friedmanText(t)))"
                if !t.wilcoxon.isEmpty {
                    out += " Wilcoxon <code>\(SelectorOrder.proposed)</code> vs: "
                    out += t.wilcoxon.map { "\(HTML.escape($0.selector)) p = \(pValue($0.result.pValue)) (n = \($0.result.pairs), \($0.result.method.rawValue))" }.joined(separator: "; ")
                    out += "."
                }
                out += "</p>\n"
            }
        }
        return out
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
