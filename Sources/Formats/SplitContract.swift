import StageKit

/// The split stage's parameters.
public struct SplitParameters: StageParameters {
    @Parameter(help: "Number of folds k (ignored with --holdout).", range: .atLeast(2))
    public var folds = 5
    @Parameter(help: "Stratification order: 1 (labels) or 2 (labels and label pairs).", range: .within(1, 2))
    public var order = 1
    @Parameter(help: "Share of each held-out fold used for validation; the rest is test.", range: .between(0, 1))
    public var validation = 0.5
    @Parameter(help: "A single stratified train/held-out split with this held-out share, instead of k folds.", range: .between(0, 1))
    public var holdout: Double? = nil
    @Parameter(help: "Drop every label with this many or fewer positive rows in the whole dataset before the folds are made (the authors use 20); absent: keep all.",
               range: .atLeast(0))
    public var dropLabelsAtMost: Int? = nil
    @Parameter(help: "Seed of every random choice.")
    public var seed: UInt64 = 42
    @Parameter(help: "Seeded runs of the stratifier per partition; the run with the fewest fold-label zeros, then the lowest LD, is kept.",
               range: .atLeast(1))
    public var restarts = 8

    public init() {}

    /// The folds the split makes (the rows of `roles.npy`): 1 with `holdout`, else `folds`.
    public var foldCount: Int { holdout == nil ? folds : 1 }
}

/// The split stage: stratified k-fold (or holdout) split of a dataset's label matrix.
public enum SplitContract: StageContract {
    public typealias Parameters = SplitParameters
    public static let name = "split"
    public static let summary = "Stratified k-fold split (iterative stratification) of a dataset's label matrix."
    public static let discussion = """
        Each held-out fold is split again into validation and test, stratified the same way. The stratifier runs \
        --restarts seeded times per partition and keeps the best run. With --drop-labels-at-most, rare labels are \
        dropped first and the folds are stratified on the kept labels, which training then uses.
        """
    public static let inputs = [StageInput("dataset", from: "fetch", help: "Folder of the fetch stage (labels.npy).")]
    public static let outputs = [
        StageOutput(SplitFiles.folds, "int32 [n]: the held-out fold of each instance (holdout: 0 held out, -1 train)."),
        StageOutput(SplitFiles.roles, "uint8 [k, n]: each instance's role per fold (FoldRole: 0 train, 1 validation, 2 test)."),
        StageOutput(SplitFiles.keptLabels, "int32 [q']: the dataset columns of the kept labels, ascending (all without the filter)."),
        StageOutput(SplitFiles.report, "Per-part sizes and label counts; ED, LD, FZ, FLZ (order 2: LPD, FPZ, FLPZ); the dropped labels."),
    ]
}

/// File names of a split folder.
public enum SplitFiles {
    public static let folds = "folds.npy"
    public static let roles = "roles.npy"
    public static let keptLabels = "labels-kept.npy"
    public static let report = "split-report.json"
}

/// The role of an instance for one held-out fold, as `roles.npy` stores it.
public enum FoldRole: UInt8, Sendable, CaseIterable {
    case train = 0, validation = 1, test = 2
}
