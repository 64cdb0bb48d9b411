import Formats
import Foundation

/// Which result rows show that a model did not learn (docs/stages.md, "analyze").
///
/// For every (dataset, model, arm) row of the Macro-AUC table: the row did not learn when its
/// mean test Macro-AUC lies within ``chanceMargin`` of 0.5, or when it does not beat the floor —
/// the mean test Macro-AUC of the `linear` model (per-label logistic regression through the same
/// engine and protocol) with arm `random` on the same dataset, over the folds of the row's blocks
/// (each block takes the mean of the floor runs of its fold, whatever their seeds; the analysis
/// already holds every run of a dataset to one label set). Rows of the linear model
/// itself are checked against chance only. A dataset without linear runs has no floor (noted).
/// A floor at the ceiling (Macro-AUC 1.0000, e.g. every model on genbase) leaves no room above
/// it, so it is noted and only the chance check applies.
public struct LearningFloor: Sendable {
    /// The model whose runs give the floor, and the arm of those runs.
    public static let floorModel = "linear"
    public static let floorSelector = "random"
    /// Rows whose Macro-AUC is within this distance of 0.5 did not learn.
    public static let chanceMargin = 0.02
    /// A floor within this distance of 1 (so it reads 1.0000) is at the ceiling.
    public static let ceilingMargin = 0.00005

    /// One arm row of the Macro-AUC table with its verdict.
    public struct Row: Sendable, Equatable {
        public var dataset: String
        public var model: String
        /// The arm's name.
        public var selector: String
        /// Blocks the row ran.
        public var folds: Int
        /// Mean test Macro-AUC over the row's blocks.
        public var macroAUC: Double
        /// Mean test Macro-AUC of the floor runs on the row's blocks' folds (nil: no floor).
        public var floor: Double?
        public var nearChance: Bool
        public var notAboveFloor: Bool
        /// The floor is at the ceiling (1.0000): no row can be above it, so it is not compared.
        public var floorAtCeiling: Bool
        public var didNotLearn: Bool { nearChance || notAboveFloor }

        /// Why the row did not learn, e.g. "within 0.02 of 0.5; not above the linear floor 0.7210".
        public var reasons: [String] {
            var out: [String] = []
            if nearChance { out.append("within \(LearningFloor.chanceMargin) of 0.5") }
            if notAboveFloor, let floor { out.append("not above the \(LearningFloor.floorModel) floor \(String(format: "%.4f", floor))") }
            return out
        }

        /// The warning line `pipeline run` prints.
        public var warning: String {
            "\(dataset)/\(model)/\(selector) did not learn: test Macro-AUC \(String(format: "%.4f", macroAUC)) is "
                + reasons.joined(separator: " and ")
        }
    }

    /// Every row, in table order (dataset, model, arm column order).
    public var rows: [Row]
    /// (dataset, model) groups of non-floor models whose dataset has no floor runs.
    public var missingFloor: [DatasetModel]

    public var flagged: [Row] { rows.filter(\.didNotLearn) }

    /// Computes the verdicts from test Macro-AUC values. O(runs).
    public init(_ runs: [TrainRun]) {
        var value: [RunKey: Double] = [:]
        for run in runs { if let v = run.test[.macroAUC], v.isFinite { value[run.key] = v } }
        // The floor of each (dataset, fold): the mean over its seeds, summed in seed order.
        var floorRuns: [String: [Int: [Double]]] = [:]
        for key in value.keys.sorted() where key.model == Self.floorModel && key.arm == Self.floorSelector {
            floorRuns[key.dataset, default: [:]][key.fold, default: []].append(value[key]!)
        }
        let floorByFold = floorRuns.mapValues { $0.mapValues { $0.reduce(0, +) / Double($0.count) } }
        var rows: [Row] = []
        var missing: Set<DatasetModel> = []
        let groups = Dictionary(grouping: value.keys) { DatasetModel(dataset: $0.dataset, model: $0.model) }
        for group in groups.keys.sorted() {
            let keys = groups[group]!
            for arm in SelectorOrder.sorted(keys.map(\.arm)) {
                let blocks = keys.filter { $0.arm == arm }.sorted()
                let mean = blocks.map { value[$0]! }.reduce(0, +) / Double(blocks.count)
                var floor: Double?
                if group.model != Self.floorModel {
                    let matched = blocks.compactMap { floorByFold[group.dataset]?[$0.fold] }
                    if matched.isEmpty { missing.insert(group) } else { floor = matched.reduce(0, +) / Double(matched.count) }
                }
                let atCeiling = floor.map { $0 >= 1 - Self.ceilingMargin } ?? false
                rows.append(Row(dataset: group.dataset, model: group.model, selector: arm, folds: blocks.count,
                                macroAUC: mean, floor: floor, nearChance: abs(mean - 0.5) <= Self.chanceMargin,
                                notAboveFloor: !atCeiling && floor.map { mean <= $0 } ?? false, floorAtCeiling: atCeiling))
            }
        }
        self.rows = rows
        missingFloor = missing.sorted()
    }

    /// The row of one table cell.
    public func row(dataset: String, model: String, selector: String) -> Row? {
        rows.first { $0.dataset == dataset && $0.model == model && $0.selector == selector }
    }

    /// The notes about missing floors and floors at the ceiling, e.g. "corel5k/mlp: no
    /// linear/random runs on the same folds, so no floor (only the chance check)".
    public var notes: [String] {
        let missing = missingFloor.map { "\($0.dataset)/\($0.model): no \(Self.floorModel)/\(Self.floorSelector) runs on the same folds, so no floor (only the chance check)" }
        let ceiling = rows.filter(\.floorAtCeiling).map {
            "\($0.dataset)/\($0.model)/\($0.selector): the \(Self.floorModel) floor is at the ceiling (\(String(format: "%.4f", $0.floor!))), "
                + "so no row can be above it; only the chance check applies"
        }
        return missing + ceiling
    }

    /// `flags.json`'s content: the flagged rows, the warning lines and the notes.
    public var flags: LearningFlags {
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        return LearningFlags(floorModel: Self.floorModel, floorSelector: Self.floorSelector, chanceMargin: Self.chanceMargin,
                             rowsChecked: rows.count,
                             flagged: flagged.map { .init(dataset: $0.dataset, model: $0.model, selector: $0.selector, folds: $0.folds,
                                                          macroAUC: finite($0.macroAUC), floor: finite($0.floor), reasons: $0.reasons) },
                             warnings: flagged.map(\.warning), notes: notes)
    }
}
