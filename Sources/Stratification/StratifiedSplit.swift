import Formats
import SeededRandom

/// What a split is asked to do.
public struct SplitOptions: Sendable, Equatable, Codable {
    /// Number of folds k (ignored in holdout mode).
    public var folds: Int
    /// 1: stratify labels; 2: stratify labels and label pairs.
    public var order: Int
    /// Share of each held-out part that becomes validation (the rest is test).
    public var validationFraction: Double
    /// When set, a single stratified train / held-out split with this held-out share, instead of k folds.
    public var holdoutFraction: Double?
    /// The pipeline seed; every random choice flows from it.
    public var seed: UInt64
    /// Independent seeded runs of the stratifier per partition; the best one is kept (see ``BestOfRuns``).
    public var restarts: Int

    public init(folds: Int = 5, order: Int = 1, validationFraction: Double = 0.5,
                holdoutFraction: Double? = nil, seed: UInt64 = 42, restarts: Int = BestOfRuns.defaultRuns) {
        self.folds = folds
        self.order = order
        self.validationFraction = validationFraction
        self.holdoutFraction = holdoutFraction
        self.seed = seed
        self.restarts = restarts
    }
}

/// A stratified k-fold (or holdout) split of a label matrix, with every held-out part split again
/// into validation and test, stratified the same way.
///
/// Invariants: every instance is held out in exactly one fold (holdout mode: held-out instances
/// have fold 0, training instances fold −1); `roles[f * n + i]` is train for every instance not
/// held out in fold f, and validation or test otherwise; no fold, validation or test part is empty.
public struct StratifiedSplit: Sendable {
    public let options: SplitOptions
    public let rows: Int
    /// Number of held-out folds (k, or 1 in holdout mode): the first dimension of ``roles``.
    public let heldOutCount: Int
    /// Held-out fold of every instance.
    public let folds: [Int32]
    /// Role of instance i for held-out fold f at `f * rows + i` (``FoldRole`` raw values).
    public let roles: [UInt8]
    /// The partition the quality measures describe: the folds, or (train, held-out) in holdout mode.
    public let partition: [Int32]
    /// Desired sizes of the parts of ``partition`` (n/k per fold).
    public let desiredSizes: [Double]

    /// Splits the rows of `labels`. O(n·k + nnz) for order 1 (O(n·k + Σ_i |Y_i|²) for order 2).
    public init(labels: LabelMatrix, options: SplitOptions) throws {
        let n = labels.rows
        guard options.order == 1 || options.order == 2 else { throw StratificationError.unsupportedOrder(options.order) }
        guard options.restarts >= 1 else { throw StratificationError.tooFewRuns(options.restarts) }
        guard options.validationFraction > 0, options.validationFraction < 1 else {
            throw StratificationError.fractionOutOfRange(name: "--validation", value: options.validationFraction)
        }
        if let holdout = options.holdoutFraction {
            guard holdout > 0, holdout < 1 else { throw StratificationError.fractionOutOfRange(name: "--holdout", value: holdout) }
        } else {
            guard options.folds >= 2 else { throw StratificationError.tooFewFolds(options.folds) }
            guard options.folds <= n else { throw StratificationError.moreFoldsThanInstances(folds: options.folds, instances: n) }
        }
        guard labels.positiveCount > 0 else { throw StratificationError.noPositiveLabels(instances: n, labels: labels.labels) }

        let proportions: [Double]
        if let holdout = options.holdoutFraction {
            proportions = [1 - holdout, holdout]
            desiredSizes = proportions.map { Double(n) * $0 }
        } else {
            proportions = [Double](repeating: 1 / Double(options.folds), count: options.folds)
            desiredSizes = [Double](repeating: Double(n) / Double(options.folds), count: options.folds)
        }
        let partition = try BestOfRuns.assign(labels, order: options.order, proportions: proportions,
                                              desiredSizes: desiredSizes, runs: options.restarts,
                                              seed: options.seed, stream: "split.folds")
        var sizes = [Int](repeating: 0, count: proportions.count)
        for part in partition { sizes[Int(part)] += 1 }
        for (part, size) in sizes.enumerated() where size == 0 {
            let name = options.holdoutFraction == nil ? "fold \(part)" : (part == 0 ? "the training part" : "the held-out part")
            throw StratificationError.emptyPart(name: name, instances: n)
        }
        let folds = options.holdoutFraction == nil ? partition : partition.map { $0 == 1 ? 0 : -1 }
        let heldOutCount = options.holdoutFraction == nil ? options.folds : 1

        var members = [[Int]](repeating: [], count: heldOutCount)
        for (row, fold) in folds.enumerated() where fold >= 0 { members[Int(fold)].append(row) }
        var roles = [UInt8](repeating: FoldRole.train.rawValue, count: heldOutCount * n)
        for fold in 0..<heldOutCount {
            let held = members[fold]
            let v = options.validationFraction
            let sub = try BestOfRuns.assign(labels.selecting(rows: held), order: options.order, proportions: [v, 1 - v],
                                            desiredSizes: [Double(held.count) * v, Double(held.count) * (1 - v)],
                                            runs: options.restarts, seed: options.seed, stream: "split.validation.\(fold)")
            var validationCount = 0
            for (position, row) in held.enumerated() {
                let role: FoldRole = sub[position] == 0 ? .validation : .test
                if role == .validation { validationCount += 1 }
                roles[fold * n + row] = role.rawValue
            }
            let name = heldOutCount == 1 ? "the held-out part" : "fold \(fold)"
            if validationCount == 0 { throw StratificationError.emptyPart(name: "the validation part of \(name)", instances: held.count) }
            if validationCount == held.count { throw StratificationError.emptyPart(name: "the test part of \(name)", instances: held.count) }
        }
        self.options = options
        self.rows = n
        self.heldOutCount = heldOutCount
        self.folds = folds
        self.roles = roles
        self.partition = partition
    }

    /// Rows with the given role for held-out fold `fold`, ascending.
    public func rows(of role: FoldRole, fold: Int) -> [Int] {
        (0..<rows).filter { roles[fold * rows + $0] == role.rawValue }
    }
}
