import Formats
import Foundation

/// Identity of a train run: the grouping key of every table.
public struct RunKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var dataset: String
    public var model: String
    public var selector: String
    public var fold: Int

    public init(dataset: String, model: String, selector: String, fold: Int) {
        self.dataset = dataset
        self.model = model
        self.selector = selector
        self.fold = fold
    }

    public static func < (a: RunKey, b: RunKey) -> Bool {
        (a.dataset, a.model, SelectorOrder.position(a.selector), a.selector, a.fold)
            < (b.dataset, b.model, SelectorOrder.position(b.selector), b.selector, b.fold)
    }

    public var description: String { "\(dataset)/\(model)/\(selector)/fold \(fold)" }
}

/// The selectors in the paper's column order (``SelectorKind``'s case order); unknown ones follow alphabetically.
public enum SelectorOrder {
    public static let known = SelectorKind.allCases.map(\.rawValue)
    /// The selector every other one is tested against.
    public static let proposed = SelectorKind.uncertainty.rawValue

    static func position(_ selector: String) -> Int { known.firstIndex(of: selector) ?? known.count }

    /// Sorts selector names into column order.
    public static func sorted(_ selectors: some Sequence<String>) -> [String] {
        Set(selectors).sorted { (position($0), $0) < (position($1), $1) }
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
    public var fold: Int { metadata.parameters.fold }
    /// Epochs the run was configured for (each array has one row per epoch).
    public var epochCount: Int { metadata.parameters.epochs }
    public var labelNames: [String] { metadata.labelNames }
    public var trainCount: Int { metadata.trainCount }

    public var key: RunKey { RunKey(dataset: dataset, model: model, selector: selector, fold: fold) }
    public var correlationURL: URL { folder.appendingPathComponent(TrainFiles.correlation) }
    public var selectedURL: URL { folder.appendingPathComponent(TrainFiles.selected) }
}
