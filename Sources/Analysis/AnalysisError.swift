/// Errors of the analyze stage. Each message names the folder or file, the problem and the fix.
public enum AnalysisError: Error, CustomStringConvertible, Equatable {
    /// A `--runs` folder holds no train instance folders.
    case noRuns(folder: String)
    /// A train folder lacks files the analysis needs (training unfinished or files deleted).
    case incompleteRun(folder: String, missing: [String])
    /// A file exists but cannot be parsed.
    case malformed(file: String, line: Int?, reason: String)
    /// An array's shape disagrees with `run.json`.
    case shapeMismatch(file: String, expected: [Int], found: [Int])
    /// A run's label names differ from the other runs of the same dataset.
    case labelMismatch(folder: String, dataset: String, reference: String)
    /// Two folders claim the same (dataset, model, arm, fold, seed).
    case duplicateRun(folder: String, other: String)
    /// Train folders that cannot be read (each error's description), and `skip_unreadable` is off.
    case unreadableRuns([String])
    /// Every run was rejected.
    case nothingUsable(problems: Int)

    public var description: String {
        switch self {
        case let .noRuns(folder):
            return "\(folder): no train folders found (expected run.json/manifest.json in it or in its sub-folders); pass a train output folder or the folder holding them with --runs"
        case let .incompleteRun(folder, missing):
            return "\(folder): incomplete train folder, missing \(missing.joined(separator: ", ")); rerun train for this instance (its manifest.json is written last)"
        case let .malformed(file, line, reason):
            let place = line.map { "\(file):\($0)" } ?? file
            return "\(place): \(reason); rerun train for this instance"
        case let .shapeMismatch(file, expected, found):
            return "\(file): shape \(found) does not match run.json (expected \(expected)); the file is partial or from another run, rerun train"
        case let .labelMismatch(folder, dataset, reference):
            return "\(folder): its label names differ from those of \(reference) for dataset '\(dataset)'; analyse runs of one dataset version together (refetch/retrain the odd one)"
        case let .duplicateRun(folder, other):
            return "\(folder): same dataset, model, arm, fold and seed as \(other); pass only one of them with --runs, or give the train stages distinct arm names"
        case let .unreadableRuns(errors):
            return "\(errors.count) train run\(errors.count == 1 ? "" : "s") cannot be read:\n" + errors.map { "  " + $0 + "\n" }.joined()
                + "Rerun train for \(errors.count == 1 ? "it" : "them") (`pipeline run --verify` rebuilds damaged instances), or set skip_unreadable: true "
                + "(--skip-unreadable) to analyse the other runs and list \(errors.count == 1 ? "this one" : "these") as skipped"
        case let .nothingUsable(problems):
            return "no usable train runs (\(problems) problem\(problems == 1 ? "" : "s") reported above); fix or rerun the train stage"
        }
    }
}
