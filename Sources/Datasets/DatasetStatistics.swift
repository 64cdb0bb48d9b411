import Formats

extension DatasetStatistics {
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
        let cardinality = n > 0 ? Double(total) / Double(n) : 0
        let imbalanceRatio = counts.map { largest / Double($0) }
        self.init(instances: n, features: dataset.featureCount, labels: q, cardinality: cardinality,
                  density: q > 0 ? cardinality / Double(q) : 0, distinctLabelSets: sets.count, imbalanceRatio: imbalanceRatio,
                  meanImbalanceRatio: q > 0 ? imbalanceRatio.reduce(0, +) / Double(q) : 0)
    }
}
