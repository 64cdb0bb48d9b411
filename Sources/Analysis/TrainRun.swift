import Formats
import Foundation

/// Identity of a train run: the grouping key of every table. Runs of one (dataset, model, arm)
/// are paired across arms by their ``block``.
public struct RunKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var dataset: String
    public var model: String
    /// The configuration's name (``Formats/TrainParameters/armName``): a column of every table.
    public var arm: String
    public var fold: Int
    public var seed: UInt64

    public init(dataset: String, model: String, arm: String, fold: Int, seed: UInt64) {
        self.dataset = dataset
        self.model = model
        self.arm = arm
        self.fold = fold
        self.seed = seed
    }

    public static func < (a: RunKey, b: RunKey) -> Bool {
        (a.dataset, a.model, SelectorOrder.position(a.arm), a.arm, a.block) < (b.dataset, b.model, SelectorOrder.position(b.arm), b.arm, b.block)
    }

    public var block: Block { Block(fold: fold, seed: seed) }

    public var description: String { "\(dataset)/\(model)/\(arm)/fold \(fold)/seed \(seed)" }
}

/// The unit of pairing: one (fold, seed). Arms are compared on the blocks both ran.
public struct Block: Hashable, Comparable, Sendable {
    public var fold: Int
    public var seed: UInt64

    public static func < (a: Block, b: Block) -> Bool { (a.fold, a.seed) < (b.fold, b.seed) }
}

/// The identifying columns of per-run tables and file names. The seed appears only when the runs
/// do not all share one seed, so single-seed analyses keep their columns and names.
public enum RunColumns {
    /// Whether the runs use more than one seed.
    public static func seedsVary(_ keys: some Sequence<RunKey>) -> Bool { Set(keys.map(\.seed)).count > 1 }

    /// `dataset, model, selector, fold` (+ `seed`); the `selector` column holds the arm's name.
    static func header(seed: Bool) -> [String] { ["dataset", "model", "selector", "fold"] + (seed ? ["seed"] : []) }

    static func cells(_ key: RunKey, seed: Bool) -> [String] {
        [key.dataset, key.model, key.arm, "\(key.fold)"] + (seed ? ["\(key.seed)"] : [])
    }

    /// `<dataset>-<model>-<arm>-fold<f>` (+ `-seed<s>`), file-name safe.
    static func stem(_ key: RunKey, seed: Bool) -> String {
        FileNames.safe("\(key.dataset)-\(key.model)-\(key.arm)-fold\(key.fold)" + (seed ? "-seed\(key.seed)" : ""))
    }
}

/// The column order of arms: selector names in the paper's order (``SelectorKind``'s case order),
/// then other arm names alphabetically.
public enum SelectorOrder {
    public static let known = SelectorKind.allCases.map(\.rawValue)
    /// The arm every other one is tested against (Wilcoxon in `statistics.csv`).
    public static let proposed = SelectorKind.uncertainty.rawValue

    static func position(_ arm: String) -> Int { known.firstIndex(of: arm) ?? known.count }

    /// Sorts arm names into column order.
    public static func sorted(_ arms: some Sequence<String>) -> [String] {
        Set(arms).sorted { (position($0), $0) < (position($1), $1) }
    }
}

/// A complete, validated train folder. Large arrays stay on disk (memory-mapped when used).
public struct TrainRun: Sendable {
    public var folder: URL
    /// `run.json`.
    public var metadata: RunDescription
    public var manifest: Manifest
    public var epochs: [EpochRecord]
    public var test: TestMetrics
    /// Whether the folder holds `correlation.npy` (only runs that compute a label correlation
    /// write it; the others use C = I and have no drift).
    public var hasCorrelation: Bool

    public var dataset: String { metadata.dataset }
    public var model: String { metadata.parameters.model.rawValue }
    public var selector: String { metadata.parameters.selector.rawValue }
    /// `arm`, else the selector's name.
    public var arm: String { metadata.parameters.armName }
    public var fold: Int { metadata.parameters.fold }
    public var seed: UInt64 { metadata.parameters.seed }
    /// Epochs the run was configured for (each array has one row per epoch).
    public var epochCount: Int { metadata.parameters.epochs }
    public var labelNames: [String] { metadata.labelNames }
    public var trainCount: Int { metadata.trainCount }

    public var key: RunKey { RunKey(dataset: dataset, model: model, arm: arm, fold: fold, seed: seed) }
    public var correlationURL: URL { folder.appendingPathComponent(TrainFiles.correlation) }
    /// The epochs (1-based) `correlation.npy` holds, one slice each: every epoch unless the
    /// history budget thinned the run (`run.json` `history_thinning`).
    public var correlationEpochs: [Int] { metadata.correlationEpochs }
    public var selectedURL: URL { folder.appendingPathComponent(TrainFiles.selected) }
}
