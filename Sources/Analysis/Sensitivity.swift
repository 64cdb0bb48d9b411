import Formats
import Foundation

/// One-at-a-time sensitivity (docs/claims.md): the test Macro-AUC of the arms that differ from the
/// centre arm `uncertainty` in one train parameter only, against that parameter's value, with
/// `random` as a band.
enum Sensitivity {
    /// A train parameter the plots sweep: its flag name (as in `manifest.json`) and axis title.
    struct Knob: Sendable {
        var flag: String
        var title: String
        /// Plot the value on a log₁₀ axis (s0 spans 2 to 1000).
        var logScale = false
    }

    static let knobs = [
        Knob(flag: "lambda1", title: "λ1 (weight of the fluctuation d)"),
        Knob(flag: "window", title: "history window T"),
        Knob(flag: "s0", title: "log₁₀ of the initial pressure s0", logScale: true),
        Knob(flag: "bins", title: "correlation bins τ"),
        Knob(flag: "warmup-epochs", title: "warm-up epochs γ"),
    ]

    /// Parameters that name a run's place in the experiment rather than its configuration.
    static let identity: Set<String> = ["fold", "seed", "arm", "threads"]

    /// One arm of a sweep: the parameter's value and the arm's test Macro-AUC over blocks.
    struct Point: Sendable {
        var arm: String
        var value: Double
        var summary: MeanStd
        /// 95 % t interval of the mean (``PairedDifference/tInterval(_:)``).
        var lower: Double
        var upper: Double

        init(arm: String, value: Double, values: [Double]) {
            self.arm = arm
            self.value = value
            summary = MeanStd(values)
            (lower, upper) = PairedDifference.tInterval(summary)
        }
    }

    /// A knob with at least two values among the arms.
    struct Panel: Sendable {
        var knob: Knob
        var points: [Point]
    }

    /// Test Macro-AUC of each run of `arm`, in block order.
    static func macroAUC(_ runs: [TrainRun], arm: String) -> [Double] {
        runs.filter { $0.arm == arm }.sorted { $0.key.block < $1.key.block }.compactMap { $0.test[.macroAUC] }.filter(\.isFinite)
    }

    /// The panels of one (dataset, model)'s runs: for each knob, the `uncertainty`-selector arms
    /// whose runs all share one configuration equal to the centre arm's except in that knob.
    static func panels(_ runs: [TrainRun]) -> [Panel] {
        var configurations: [String: [String: String]] = [:]
        var mixed: Set<String> = []
        for run in runs where run.selector == SelectorKind.uncertainty.rawValue {
            let configuration = run.manifest.parameters.filter { !identity.contains($0.key) }
            if let known = configurations[run.arm], known != configuration { mixed.insert(run.arm) }
            configurations[run.arm] = configuration
        }
        mixed.forEach { configurations[$0] = nil }
        guard let centre = configurations[SelectorOrder.proposed] else { return [] }
        return knobs.compactMap { knob in
            let others = centre.filter { $0.key != knob.flag }
            let points = configurations.compactMap { arm, configuration -> Point? in
                guard configuration.filter({ $0.key != knob.flag }) == others, let text = configuration[knob.flag],
                      let value = Double(text) else { return nil }
                return Point(arm: arm, value: value, values: macroAUC(runs, arm: arm))
            }.sorted { ($0.value, $0.arm) < ($1.value, $1.arm) }
            return Set(points.map(\.value)).count >= 2 ? Panel(knob: knob, points: points) : nil
        }
    }

    /// One column per knob. Top: the arms' mean test Macro-AUC with its 95 % CI band against the
    /// value, and `random`'s mean and CI as a horizontal band. Bottom, for the arms with a declared
    /// comparison `arm vs random`: the paired difference and its 95 % t interval from `comparisons`
    /// (the fold-to-fold spread that widens the top intervals cancels in the pairs). Nil without panels.
    static func figure(_ group: DatasetModel, runs: [TrainRun], comparisons: Comparisons) -> String? {
        let panels = panels(runs)
        if panels.isEmpty { return nil }
        let randomArm = SelectorKind.random.rawValue
        let random = Point(arm: randomArm, value: 0, values: macroAUC(runs, arm: randomArm))
        let paired = Dictionary(comparisons.rows.filter {
            $0.group == group && $0.metric == MetricName.macroAUC.rawValue && $0.comparison.b == randomArm
        }.map { ($0.comparison.a, $0.difference) }) { first, _ in first }
        let width = 380.0, height = 320.0, colours = (arm: "#1f77b4", random: "#7f7f7f")
        var canvas = SVGCanvas(width: width * Double(panels.count) + 200, height: paired.isEmpty ? height : 2 * height)
        for (index, panel) in panels.enumerated() {
            let value = { (point: Point) in panel.knob.logScale ? log10(point.value) : point.value }
            let x = panel.points.map(value)
            var series = [Plots.Series(name: SelectorOrder.proposed, colour: colours.arm, x: x, y: panel.points.map(\.summary.mean),
                                       lower: panel.points.map(\.lower), upper: panel.points.map(\.upper))]
            if random.summary.count > 0, let first = x.first, let last = x.last {
                series.insert(Plots.Series(name: randomArm, colour: colours.random, x: [first, last], y: [random.summary.mean, random.summary.mean],
                                           lower: [random.lower, random.lower], upper: [random.upper, random.upper]), at: 0)
            }
            Plots.lines(&canvas, Plots.Frame(x: Double(index) * width, y: 0, width: width, height: height), series: series,
                        title: "\(panel.knob.flag) — \(group.dataset), \(group.model)", xLabel: panel.knob.title,
                        yLabel: "test Macro-AUC", integerX: false, markers: true)
            let compared = panel.points.filter { paired[$0.arm] != nil }
            if compared.isEmpty || paired.isEmpty { continue }
            let differences = compared.map { paired[$0.arm]! }
            let cx = compared.map(value)
            let zero = Plots.Series(name: randomArm, colour: colours.random, x: [x.first!, x.last!], y: [0, 0])
            let gain = Plots.Series(name: SelectorOrder.proposed, colour: colours.arm, x: cx, y: differences.map(\.mean),
                                    lower: differences.map(\.tLower), upper: differences.map(\.tUpper))
            Plots.lines(&canvas, Plots.Frame(x: Double(index) * width, y: height, width: width, height: height), series: [zero, gain],
                        title: "paired: arm − random", xLabel: panel.knob.title, yLabel: "Δ test Macro-AUC", integerX: false, markers: true)
        }
        Plots.legend(&canvas, x: width * Double(panels.count) + 14, y: 48,
                     entries: [("uncertainty, one change", colours.arm), ("random (defaults)", colours.random)],
                     title: "mean, 95 % CI")
        return canvas.document
    }
}
