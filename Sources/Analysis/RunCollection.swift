import Foundation

/// The usable runs of one analysis, grouped by (dataset, model, arm, fold, seed) (``RunKey``),
/// plus the folders that could not be read and the problems that excluded the others.
public struct RunCollection: Sendable {
    /// A train folder that could not be read.
    public struct Unreadable: Sendable {
        public var folder: URL
        public var error: AnalysisError
    }

    /// Usable runs, sorted by key.
    public var runs: [TrainRun]
    /// Folders that could not be read (incomplete, truncated, malformed), in folder order.
    public var unreadable: [Unreadable]
    /// One error per readable folder excluded (to be reported as warnings).
    public var problems: [AnalysisError]

    /// Loads every folder; unreadable ones are recorded in `unreadable`, duplicate or
    /// label-mismatched runs excluded and recorded in `problems`. Within a dataset the label set
    /// shared by most runs (first folder on a tie) is the reference.
    public init(folders: [URL]) {
        var loaded: [TrainRun] = []
        var unreadable: [Unreadable] = []
        var problems: [AnalysisError] = []
        for folder in folders {
            do { loaded.append(try RunLoader.load(folder)) } catch { unreadable.append(Unreadable(folder: folder, error: error)) }
        }
        var reference: [String: TrainRun] = [:]
        for (dataset, group) in Dictionary(grouping: loaded, by: { $0.dataset }) {
            let counts = Dictionary(grouping: group, by: { $0.labelNames })
            let best = counts.values.max { a, b in
                a.count != b.count ? a.count < b.count : a[0].folder.path > b[0].folder.path
            }
            reference[dataset] = best?.first
        }
        var byKey: [RunKey: TrainRun] = [:]
        for run in loaded {
            let anchor = reference[run.dataset]!
            if run.labelNames != anchor.labelNames {
                problems.append(.labelMismatch(folder: run.folder.path, dataset: run.dataset, reference: anchor.folder.path))
            } else if let other = byKey[run.key] {
                problems.append(.duplicateRun(folder: run.folder.path, other: other.folder.path))
            } else {
                byKey[run.key] = run
            }
        }
        self.runs = byKey.values.sorted { $0.key < $1.key }
        self.unreadable = unreadable
        self.problems = problems
    }

    /// (dataset, model) pairs in order.
    public var datasetModels: [DatasetModel] {
        Array(Set(runs.map { DatasetModel(dataset: $0.dataset, model: $0.model) })).sorted()
    }

    /// Models in order.
    public var models: [String] { Array(Set(runs.map(\.model))).sorted() }

    /// Runs of one (dataset, model), sorted.
    public func runs(of group: DatasetModel) -> [TrainRun] {
        runs.filter { $0.dataset == group.dataset && $0.model == group.model }
    }
}

/// A (dataset, model) pair: the unit of every plot.
public struct DatasetModel: Hashable, Comparable, Sendable {
    public var dataset: String
    public var model: String
    public static func < (a: DatasetModel, b: DatasetModel) -> Bool { (a.dataset, a.model) < (b.dataset, b.model) }
    /// A file-name-safe stem, e.g. `corel5k-mlp`.
    public var stem: String { FileNames.safe("\(dataset)-\(model)") }
}

/// File-name helpers.
public enum FileNames {
    /// Replaces every character outside [A-Za-z0-9._-] with `_`.
    public static func safe(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
    }
}

/// Mean and sample standard deviation (n − 1 denominator; 0 for a single value).
public struct MeanStd: Equatable, Sendable {
    public var mean: Double
    public var std: Double
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        if values.count < 2 {
            std = values.isEmpty ? .nan : 0
        } else {
            let m = mean
            std = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
        }
    }
}
