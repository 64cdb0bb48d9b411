import Artifacts
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

/// The selectors in the paper's column order; unknown ones follow alphabetically.
public enum SelectorOrder {
    public static let known = ["random", "balance", "active-bias", "recency-bias", "hard-imbalance", "uncertainty"]
    /// The selector every other one is tested against.
    public static let proposed = "uncertainty"

    static func position(_ selector: String) -> Int { known.firstIndex(of: selector) ?? known.count }

    /// Sorts selector names into column order.
    public static func sorted(_ selectors: some Sequence<String>) -> [String] {
        Set(selectors).sorted { (position($0), $0) < (position($1), $1) }
    }
}

/// `run.json` of a train folder (unknown keys ignored).
public struct RunInfo: Decodable, Sendable {
    public var dataset: String
    public var model: String
    public var selector: String
    public var fold: Int
    public var seed: Int?
    public var epochs: Int
    public var labelNames: [String]
    public var trainCount: Int
}

/// `test-metrics.json`: test metrics at the best validation epoch.
public struct TestMetrics: Decodable, Sendable {
    public var bestEpoch: Int
    public var metrics: [String: Double]
}

/// One row of `epochs.csv`.
public struct EpochRecord: Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationMacroAUC: Double
    public var pressure: Double
    public var seconds: Double
}

/// A complete, validated train folder. Large arrays stay on disk (memory-mapped when used).
public struct TrainRun: Sendable {
    public var folder: URL
    public var info: RunInfo
    public var manifest: Manifest
    public var epochs: [EpochRecord]
    public var test: TestMetrics

    public var key: RunKey { RunKey(dataset: info.dataset, model: info.model, selector: info.selector, fold: info.fold) }
    public var correlationURL: URL { folder.appendingPathComponent("correlation.npy") }
    public var selectedURL: URL { folder.appendingPathComponent("selected.npy") }
}
