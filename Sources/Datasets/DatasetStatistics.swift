/// The usual multi-label dataset statistics (Tsoumakas et al.; Charte et al. for imbalance).
public struct DatasetStatistics: Codable, Equatable, Sendable {
    /// n: number of instances.
    public var instances: Int
    /// d: number of feature columns (after one-hot encoding).
    public var features: Int
    /// q: number of labels.
    public var labels: Int
    /// Mean number of positive labels per instance.
    public var cardinality: Double
    /// cardinality / q.
    public var density: Double
    /// Number of distinct label vectors.
    public var distinctLabelSets: Int
    /// IRLbl per label: (count of the most frequent label) / (count of this label).
    public var imbalanceRatio: [Double]
    /// MeanIR: the mean of `imbalanceRatio`.
    public var meanImbalanceRatio: Double

    /// Computes the statistics in O(n × q). Every label must occur at least once (IRLbl is
    /// undefined otherwise): a label without positives is an error naming it.
    public init(_ dataset: MultiLabelDataset, file: String) throws {
        let n = dataset.count
        let q = dataset.labelCount
        var counts = [Int](repeating: 0, count: q)
        var total = 0
        var sets = Set<[UInt8]>()
        dataset.labels.withUnsafeBufferPointer { labels in
            for row in 0..<n {
                let slice = UnsafeBufferPointer(rebasing: labels[(row * q)..<(row * q + q)])
                for label in 0..<q where slice[label] != 0 {
                    counts[label] += 1
                    total += 1
                }
                sets.insert(Array(slice))
            }
        }
        if let empty = counts.firstIndex(of: 0) {
            throw DatasetError.labels(file: file, reason: "label '\(dataset.labelNames[empty])' never occurs (no instance has it); "
                                        + "it cannot be stratified or evaluated — remove it from the label definition")
        }
        let largest = Double(counts.max() ?? 0)
        instances = n
        features = dataset.featureCount
        labels = q
        cardinality = n > 0 ? Double(total) / Double(n) : 0
        density = q > 0 ? cardinality / Double(q) : 0
        distinctLabelSets = sets.count
        imbalanceRatio = counts.map { largest / Double($0) }
        meanImbalanceRatio = q > 0 ? imbalanceRatio.reduce(0, +) / Double(q) : 0
    }
}
