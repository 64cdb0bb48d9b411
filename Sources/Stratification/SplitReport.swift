import Formats
/// The quality measures of one partition, keyed as docs/stages.md names them ("split — stratified folds").
public struct MeasuresReport: Codable, Sendable, Equatable {
    public var ED: Double
    public var LD: Double
    public var LD_undefined_terms: Int
    public var labels_evaluated: Int
    public var FZ: Int
    public var FLZ: Int
    public var FLZ_lower_bound: Int
    public var LPD: Double?
    public var FPZ: Int?
    public var FLPZ: Int?
    public var FLPZ_lower_bound: Int?
    public var pairs_evaluated: Int?

    public init(_ quality: SplitQuality) {
        ED = quality.examplesDistribution
        LD = quality.labels.distribution
        LD_undefined_terms = quality.labels.undefinedTerms
        labels_evaluated = quality.labels.evaluated
        FZ = quality.labels.foldsWithZero
        FLZ = quality.labels.zeroCells
        FLZ_lower_bound = quality.labels.zeroLowerBound
        LPD = quality.pairs?.distribution
        FPZ = quality.pairs?.foldsWithZero
        FLPZ = quality.pairs?.zeroCells
        FLPZ_lower_bound = quality.pairs?.zeroLowerBound
        pairs_evaluated = quality.pairs?.evaluated
    }
}

/// `split-report.json`: sizes, label counts and quality measures of a ``StratifiedSplit``.
public struct SplitReport: Codable, Sendable {
    /// One part of the measured partition: a fold (k-fold mode), or train / held-out (holdout mode).
    public struct Part: Codable, Sendable {
        public var name: String
        public var size: Int
        /// Positives of every label inside the part.
        public var labelCounts: [Int]
        /// Sizes of the validation and test parts (held-out parts only).
        public var validationSize: Int?
        public var testSize: Int?
        /// Quality of the validation/test split of this held-out part (2 parts, shares v and 1 − v).
        public var validationTestMeasures: MeasuresReport?
    }

    public var mode: String
    public var options: SplitOptions
    public var instances: Int
    public var labels: Int
    public var unlabelledInstances: Int
    public var parts: [Part]
    /// Quality of the partition into ``parts``; pair measures for order 2.
    public var measures: MeasuresReport
    /// The label filter applied before splitting (absent when filtering is off); `labels`,
    /// `labelCounts` and the measures then refer to the kept labels.
    public var labelFilter: LabelFilterReport?

    /// Builds the report of a split of `matrix` (the kept labels when a filter was applied).
    /// O(n·k + nnz) (plus O(Σ_i |Y_i|²) for order 2).
    public init(labels matrix: LabelMatrix, split: StratifiedSplit, labelFilter: LabelFilterReport? = nil) {
        let options = split.options
        let includePairs = options.order == 2
        let k = split.desiredSizes.count
        let q = matrix.labels
        var sizes = [Int](repeating: 0, count: k)
        var counts = [Int](repeating: 0, count: k * q)
        var unlabelled = 0
        for row in 0..<matrix.rows {
            let part = Int(split.partition[row])
            sizes[part] += 1
            let labelsOfRow = matrix.labels(ofRow: row)
            if labelsOfRow.isEmpty { unlabelled += 1 }
            for label in labelsOfRow { counts[part * q + Int(label)] += 1 }
        }
        let holdout = options.holdoutFraction != nil
        var parts: [Part] = []
        for part in 0..<k {
            var entry = Part(name: holdout ? (part == 0 ? "train" : "held-out") : "fold \(part)", size: sizes[part],
                             labelCounts: Array(counts[(part * q)..<((part + 1) * q)]))
            let fold = holdout ? part - 1 : part
            if fold >= 0 {
                let held = (0..<matrix.rows).filter { split.roles[fold * matrix.rows + $0] != FoldRole.train.rawValue }
                let sub = held.map { split.roles[fold * matrix.rows + $0] == FoldRole.validation.rawValue ? Int32(0) : Int32(1) }
                let validation = sub.count { $0 == 0 }
                entry.validationSize = validation
                entry.testSize = held.count - validation
                let v = options.validationFraction
                let quality = SplitQuality(matrix.selecting(rows: held), parts: sub,
                                           desiredSizes: [Double(held.count) * v, Double(held.count) * (1 - v)],
                                           includePairs: includePairs)
                entry.validationTestMeasures = MeasuresReport(quality)
            }
            parts.append(entry)
        }
        mode = holdout ? "holdout" : "k-fold"
        self.options = options
        instances = matrix.rows
        labels = q
        unlabelledInstances = unlabelled
        self.parts = parts
        self.labelFilter = labelFilter
        measures = MeasuresReport(SplitQuality(matrix, parts: split.partition, desiredSizes: split.desiredSizes,
                                               includePairs: includePairs))
    }
}
