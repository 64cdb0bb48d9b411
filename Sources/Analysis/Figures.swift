import Formats
import Foundation
import NumpyIO

/// The SVG figures of one (dataset, model).
struct Figures {
    var convergence: String
    /// The paper's Figures 3–4 for this group: training loss and validation Macro-AUC per epoch.
    var paperPair: String
    /// Nil when no arm differs from `uncertainty` in one parameter only (``Sensitivity``).
    var sensitivity: String?
    /// Nil when no run of the group records C.
    var driftNorms: String?
    var correlation: String?
    var selection: String

    static let metricTitles = ["validation_macro_auc": "Validation Macro-AUC", "validation_loss": "Validation loss", "train_loss": "Training loss"]

    /// Three panels (validation AUC, validation loss, training loss): mean over folds ± 1 std.
    static func convergence(_ group: DatasetModel, curves: [Convergence.Curve]) -> String {
        curvePanels(group, curves: curves, metrics: ["validation_macro_auc", "validation_loss", "train_loss"], arms: SelectorOrder.sorted(curves.map(\.arm)))
    }

    /// Arms the paper-figure pair draws at most; with more, it draws `random` and `uncertainty` only
    /// (the full set stays in the three-panel convergence figure).
    static let paperPairArms = 7

    /// The paper's Figures 3–4 pair: training loss and validation Macro-AUC per epoch, mean over
    /// blocks ± 1 std.
    static func paperPair(_ group: DatasetModel, curves: [Convergence.Curve]) -> String {
        let all = SelectorOrder.sorted(curves.map(\.arm))
        let pair = all.filter { [SelectorKind.random.rawValue, SelectorOrder.proposed].contains($0) }
        return curvePanels(group, curves: curves, metrics: ["train_loss", "validation_macro_auc"],
                           arms: all.count <= paperPairArms || pair.isEmpty ? all : pair)
    }

    /// One panel per metric of the `arms`' curves (mean ± std band), with a legend.
    static func curvePanels(_ group: DatasetModel, curves: [Convergence.Curve], metrics: [String], arms: [String]) -> String {
        let panel = 380.0
        var canvas = SVGCanvas(width: panel * Double(metrics.count) + 160, height: 320)
        for (index, metric) in metrics.enumerated() {
            let series = arms.compactMap { arm -> Plots.Series? in
                guard let curve = curves.first(where: { $0.arm == arm && $0.metric == metric }) else { return nil }
                return Plots.Series(name: arm, colour: Palette.colour(of: arm, among: arms), x: curve.epochs.map(Double.init),
                                    y: curve.summaries.map(\.mean), lower: curve.summaries.map { $0.mean - $0.std },
                                    upper: curve.summaries.map { $0.mean + $0.std })
            }
            Plots.lines(&canvas, Plots.Frame(x: Double(index) * panel, y: 0, width: panel, height: 320), series: series,
                        title: "\(metricTitles[metric]!) — \(group.dataset), \(group.model)", xLabel: "epoch", yLabel: metricTitles[metric]!)
        }
        Plots.legend(&canvas, x: panel * Double(metrics.count) + 14, y: 48, entries: arms.map { ($0, Palette.colour(of: $0, among: arms)) },
                     title: "selector (mean ± std)")
        return canvas.document
    }

    /// ‖C_t − C_{t−1}‖_F per epoch, mean over folds ± 1 std, per selector: all epochs, and
    /// (right) from the epoch after the first change, whose jump away from the warm-up identity
    /// otherwise hides the later drift.
    static func driftNorms(_ group: DatasetModel, rows: [DriftOutputs.NormRow]) -> String? {
        if rows.isEmpty { return nil }
        let selectors = SelectorOrder.sorted(rows.map(\.key.arm))
        let firstChange = rows.filter { $0.value > 0 }.map(\.epoch).min()
        var canvas = SVGCanvas(width: 1120, height: 320)
        for (index, start) in [Int.min, (firstChange ?? Int.max - 1) + 1].enumerated() {
            let series = selectors.map { selector -> Plots.Series in
                let mine = rows.filter { $0.key.arm == selector && $0.epoch >= start }
                let epochs = Array(Set(mine.map(\.epoch))).sorted()
                let summaries = epochs.map { epoch in MeanStd(mine.filter { $0.epoch == epoch }.map(\.value)) }
                return Plots.Series(name: selector, colour: Palette.colour(of: selector, among: selectors), x: epochs.map(Double.init),
                                    y: summaries.map(\.mean), lower: summaries.map { $0.mean - $0.std }, upper: summaries.map { $0.mean + $0.std })
            }
            let title = index == 0 ? "Correlation change per epoch — \(group.dataset), \(group.model)"
                : "From epoch \(start) (after the first change)"
            Plots.lines(&canvas, Plots.Frame(x: Double(index) * 480, y: 0, width: 480, height: 320), series: series,
                        title: title, xLabel: "epoch t", yLabel: "‖C_t − C_(t−1)‖_F")
        }
        Plots.legend(&canvas, x: 974, y: 48, entries: selectors.map { ($0, Palette.colour(of: $0, among: selectors)) }, title: "selector (mean ± std)")
        return canvas.document
    }

    /// C at the two epochs of the first pair and their difference (diverging colours).
    static func correlation(_ snapshot: Drift.Snapshot) -> String {
        var canvas = SVGCanvas(width: 1260, height: 350)
        let who = "\(snapshot.key.arm), fold \(snapshot.key.fold)"
        let panels: [([Float], String, Bool)] = [
            (snapshot.before, "C at epoch \(snapshot.epochA) (\(who))", false),
            (snapshot.after, "C at epoch \(snapshot.epochB)", false),
            (snapshot.difference, "C_\(snapshot.epochB) − C_\(snapshot.epochA)", true),
        ]
        for (index, panel) in panels.enumerated() {
            Plots.heatmap(&canvas, Plots.Frame(x: Double(index) * 420, y: 0, width: 420, height: 400), matrix: panel.0,
                          q: snapshot.q, labelNames: snapshot.labelNames, title: panel.1, symmetric: panel.2)
        }
        return canvas.document
    }

    /// Histograms of total draws per training sample (summed over epochs, folds pooled), one
    /// panel per selector on a shared x range.
    static func selection(_ group: DatasetModel, runs: [TrainRun]) throws -> String {
        let selectors = SelectorOrder.sorted(runs.map(\.arm))
        var totals: [String: [Double]] = [:]
        for run in runs {
            let file: MappedNpyFile
            do { file = try MappedNpyFile(run.selectedURL) } catch {
                throw AnalysisError.malformed(file: run.selectedURL.path, line: nil, reason: "\(error)")
            }
            totals[run.arm, default: []] += SelectionFrequency.totals(file)
        }
        let all = totals.values.flatMap { $0 }
        let lower = (all.min() ?? 0).rounded(.down), upper = max((all.max() ?? 1).rounded(.up), lower + 1)
        let bins = Int(min(40, max(1, upper - lower)))
        let columns = 3, panelWidth = 380.0, panelHeight = 250.0
        let rows = (selectors.count + columns - 1) / columns
        var canvas = SVGCanvas(width: panelWidth * Double(columns), height: panelHeight * Double(max(rows, 1)))
        for (index, selector) in selectors.enumerated() {
            let fractions = SelectionFrequency.histogram(totals[selector] ?? [], lower: lower, upper: upper, bins: bins)
            Plots.histogram(&canvas, Plots.Frame(x: Double(index % columns) * panelWidth, y: Double(index / columns) * panelHeight,
                                                 width: panelWidth, height: panelHeight),
                            fractions: fractions, lower: lower, upper: upper, colour: Palette.colour(of: selector, among: selectors),
                            title: "\(selector) — \(group.dataset), \(group.model)", xLabel: "times drawn over all epochs")
        }
        return canvas.document
    }
}
