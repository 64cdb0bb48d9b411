import Foundation
import StageKit

/// The analyze stage's parameters.
public struct AnalyzeParameters: StageParameters {
    @Parameter(help: "Epochs (1-based) whose consecutive pairs get C_b − C_a; at least two.", range: .atLeast(1))
    public var driftEpochs = [30, 70]
    @Parameter(help: "Fractions of the final validation Macro-AUC for the convergence-speed table.", range: .aboveAtMost(0, 1))
    public var convergenceLevels = [0.9, 0.95, 0.99]
    @Parameter(help: "Most-changed label pairs listed per run and epoch pair.", range: .atLeast(0))
    public var topPairs = 10
    @Parameter(help: "Paired comparisons of two arms as 'A vs B' (comma-separated), tested over the (fold, seed) blocks both ran, e.g. uncertainty vs random.")
    public var compare: [String] = []
    @Parameter(help: "Leave out train runs that cannot be read (missing, truncated or malformed files) instead of failing; they are listed in results.md, report.html and manifest.json.")
    public var skipUnreadable = false

    public init() {}

    public func validate() throws(ParameterError) {
        if driftEpochs.count < 2 {
            throw .invalid("drift-epochs", value: driftEpochs.map(String.init).joined(separator: ","), expected: "at least two epochs, e.g. 30,70")
        }
        if convergenceLevels.isEmpty {
            throw .invalid("convergence-levels", value: "", expected: "at least one fraction, e.g. 0.9,0.95,0.99")
        }
        for item in compare where ArmComparison(item) == nil {
            throw .invalid("compare", value: item, expected: "two arm names joined by ' vs ', e.g. uncertainty vs random")
        }
    }

    /// The declared comparisons, in the order given (``validate()`` has checked their syntax).
    public var comparisons: [ArmComparison] { compare.compactMap(ArmComparison.init) }
}

/// A declared comparison of arm `a` against arm `b` (differences are a − b).
public struct ArmComparison: Hashable, Sendable, CustomStringConvertible {
    public var a: String
    public var b: String

    /// Parses `"A vs B"`: two arm names (letters, digits, '.', '_', '-'; see ``TrainParameters/arm``)
    /// around one ` vs `. Nil for anything else.
    public init?(_ text: String) {
        let sides = text.components(separatedBy: " vs ").map { $0.trimmingCharacters(in: .whitespaces) }
        guard sides.count == 2, sides.allSatisfy(TrainParameters.isArmName) else { return nil }
        a = sides[0]
        b = sides[1]
    }

    public var description: String { "\(a) vs \(b)" }
}

/// The analyze stage: tables, statistics, plots and an HTML report from train runs.
public enum AnalyzeContract: StageContract {
    public typealias Parameters = AnalyzeParameters
    public static let name = "analyze"
    public static let summary = "Tables, statistics, plots and an HTML report from train runs."
    public static let discussion = """
        Each --runs folder is a train output folder or a folder holding them (searched three levels deep). Runs are \
        grouped by (dataset, model, arm, fold, seed) from run.json; the arm is the train parameter arm, else the \
        selector's name. Pairs of arms named by --compare get paired statistics over the (fold, seed) blocks both ran \
        (docs/statistics.md). A run that cannot be read (missing, truncated or malformed files) makes the stage fail, \
        naming each, unless --skip-unreadable is given: then it is left out and listed in results.md, report.html and \
        manifest.json. Inconsistent runs (another label set, a second run of one key) are reported on stderr and left out.
        """
    public static let inputs = [StageInput("runs", from: "train", help: "A train folder, or a folder of train folders.", repeated: true)]
    public static let outputs = [
        StageOutput(AnalysisFiles.convergence, "dataset, model, selector (the arm), fold (and seed when the runs' seeds differ), epoch, metric, value."),
        StageOutput(AnalysisFiles.convergenceSummary, "Mean and std over (fold, seed) blocks per dataset, model, arm, epoch, metric."),
        StageOutput(AnalysisFiles.convergenceSpeed, "First epoch reaching each level of the final validation Macro-AUC, per run."),
        StageOutput(AnalysisFiles.drift, "drift.csv, drift-pairs.csv and the C_b − C_a arrays per run and epoch pair."),
        StageOutput(AnalysisFiles.results, "Table 3: mean ± std over blocks per arm, ranks, average rank."),
        StageOutput(AnalysisFiles.resultsMarkdown, "The same tables with the statistical tests, as Markdown."),
        StageOutput(AnalysisFiles.statistics, "Friedman and Wilcoxon tests."),
        StageOutput(AnalysisFiles.comparisons, "Per declared comparison, dataset, model and metric: paired difference, CIs, effect size, tests, MDE.",
                    always: false),
        StageOutput(AnalysisFiles.flags, "Runs that did not learn: near chance or not above the linear model's Macro-AUC (LearningFlags)."),
        StageOutput("*.svg", "Convergence, drift, correlation and selection figures per dataset and model.", always: false),
        StageOutput(AnalysisFiles.report, "The self-contained HTML report."),
    ]
}

/// File names of an analyze folder.
public enum AnalysisFiles {
    public static let convergence = "convergence.csv"
    public static let convergenceSummary = "convergence-summary.csv"
    public static let convergenceSpeed = "convergence-speed.csv"
    public static let drift = "drift"
    public static let results = "results.csv"
    public static let resultsMarkdown = "results.md"
    public static let statistics = "statistics.csv"
    public static let comparisons = "comparisons.csv"
    public static let flags = "flags.json"
    public static let report = "report.html"
}

/// `flags.json`: the result rows that did not learn — test Macro-AUC within `chanceMargin` of 0.5,
/// or not above the `floorModel`/`floorSelector` runs of the same dataset and folds — with the
/// warning lines `pipeline run` prints at its end.
public struct LearningFlags: Codable, Equatable, Sendable {
    /// One flagged row: a (dataset, model, selector) over its folds.
    public struct Flag: Codable, Equatable, Sendable {
        public var dataset: String
        public var model: String
        public var selector: String
        public var folds: Int
        /// Mean test Macro-AUC over the folds.
        public var macroAUC: Double?
        /// Mean test Macro-AUC of the floor runs on the same folds (nil: no floor runs).
        public var floor: Double?
        public var reasons: [String]

        public init(dataset: String, model: String, selector: String, folds: Int, macroAUC: Double?, floor: Double?, reasons: [String]) {
            self.dataset = dataset
            self.model = model
            self.selector = selector
            self.folds = folds
            self.macroAUC = macroAUC
            self.floor = floor
            self.reasons = reasons
        }
    }

    public var floorModel: String
    public var floorSelector: String
    public var chanceMargin: Double
    public var rowsChecked: Int
    public var flagged: [Flag]
    /// One line per flagged row.
    public var warnings: [String]
    /// Groups that could not be compared with a floor.
    public var notes: [String]

    public init(floorModel: String, floorSelector: String, chanceMargin: Double, rowsChecked: Int, flagged: [Flag], warnings: [String],
                notes: [String]) {
        self.floorModel = floorModel
        self.floorSelector = floorSelector
        self.chanceMargin = chanceMargin
        self.rowsChecked = rowsChecked
        self.flagged = flagged
        self.warnings = warnings
        self.notes = notes
    }

    public func write(to url: URL) throws { try JSONFiles.write(self, to: url) }

    public static func read(from folder: URL) throws -> LearningFlags {
        try JSONFiles.read(LearningFlags.self, from: folder.appendingPathComponent(AnalysisFiles.flags), hint: "Rerun the analyze stage.")
    }
}
