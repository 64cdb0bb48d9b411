/// The authors' label filter (docs/stages.md, "split"): on the whole dataset, before the folds are
/// made, every label with `dropAtMost` or fewer positive rows is dropped (the paper's pipelines
/// use 20: corel5k keeps 149 of its 374 labels). The stratified split then sees only the kept
/// labels, and training reads the same kept labels from the split's outputs.
///
/// A pure function of the per-label positive counts: O(q) after counting, O(n + nnz) with it.
public struct LabelFilter: Sendable, Equatable {
    /// A dropped label: its column in the dataset and its positive rows in the whole dataset.
    public struct Dropped: Sendable, Equatable, Codable {
        public var label: Int
        public var positives: Int
        public init(label: Int, positives: Int) {
            self.label = label
            self.positives = positives
        }
    }

    /// Labels with this many positive rows or fewer are dropped.
    public let dropAtMost: Int
    /// Dataset columns of the kept labels, ascending (original order).
    public let kept: [Int]
    /// The dropped labels, ascending by column.
    public let dropped: [Dropped]
    /// Number of labels before filtering.
    public var labelCount: Int { kept.count + dropped.count }

    /// Filters labels by their positive counts (`positives[j]` = rows with label j).
    /// Throws when `dropAtMost` is negative or when no label would be kept.
    public init(positives: [Int], dropAtMost: Int) throws(StratificationError) {
        guard dropAtMost >= 0 else { throw .negativeLabelThreshold(dropAtMost) }
        var kept: [Int] = []
        var dropped: [Dropped] = []
        for (label, count) in positives.enumerated() {
            if count > dropAtMost { kept.append(label) } else { dropped.append(Dropped(label: label, positives: count)) }
        }
        guard !kept.isEmpty else {
            throw .noLabelKept(dropAtMost: dropAtMost, labels: positives.count, mostPositives: positives.max() ?? 0)
        }
        self.dropAtMost = dropAtMost
        self.kept = kept
        self.dropped = dropped
    }

    /// Filters the labels of a whole dataset's label matrix. O(n + nnz).
    public init(labels: LabelMatrix, dropAtMost: Int) throws(StratificationError) {
        try self.init(positives: labels.positivesPerLabel(), dropAtMost: dropAtMost)
    }

    /// What `split-report.json` records about the filter, with the dataset's label names
    /// (`names[j]` for column j; `label<j>` where a name is missing).
    public func report(labelNames names: [String]) -> LabelFilterReport {
        func name(_ label: Int) -> String { label < names.count ? names[label] : "label\(label)" }
        return LabelFilterReport(dropAtMost: dropAtMost, labelsBefore: labelCount, labelsKept: kept.count,
                                 dropped: dropped.map { .init(label: $0.label, name: name($0.label), positives: $0.positives) })
    }
}

/// The label filter's entry of `split-report.json`.
public struct LabelFilterReport: Codable, Sendable, Equatable {
    /// A dropped label with its name and positive rows in the whole dataset.
    public struct DroppedLabel: Codable, Sendable, Equatable {
        public var label: Int
        public var name: String
        public var positives: Int
    }

    public var dropAtMost: Int
    public var labelsBefore: Int
    public var labelsKept: Int
    public var dropped: [DroppedLabel]
}

extension LabelMatrix {
    /// The matrix restricted to the columns `kept` (ascending dataset columns), renumbered
    /// 0..<kept.count in that order; rows keep their order and count. O(n + nnz).
    public func keepingLabels(_ kept: [Int]) -> LabelMatrix {
        var newColumn = [Int32](repeating: -1, count: labels)
        for (position, label) in kept.enumerated() {
            precondition(label >= 0 && label < labels, "kept label \(label) is outside 0..<\(labels)")
            precondition(position == 0 || kept[position - 1] < label, "kept labels must be ascending")
            newColumn[label] = Int32(position)
        }
        var start = [Int](repeating: 0, count: rows + 1)
        var cols: [Int32] = []
        cols.reserveCapacity(columns.count)
        for row in 0..<rows {
            for label in columns[rowStart[row]..<rowStart[row + 1]] where newColumn[Int(label)] >= 0 {
                cols.append(newColumn[Int(label)])
            }
            start[row + 1] = cols.count
        }
        return LabelMatrix(rowStart: start, columns: cols, labels: kept.count)
    }
}
