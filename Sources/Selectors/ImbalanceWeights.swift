/// The imbalance weight a_i of `hard-imbalance` (docs/method.md §7, Zhou et al. 2024).
public enum ImbalanceWeights {
    /// Number of nearest neighbours used to measure how "hard" a positive is.
    public static let neighbourCount = 5

    /// Minority labels: IRLbl_j = max_k N_k / N_j above the mean IRLbl, where N_j is label j's
    /// positive count. Labels without positives have no IRLbl and are neither counted in the mean
    /// nor minority. `labels` is [n, q] with 0/1 entries.
    public static func minorityLabels(labels: [UInt8], sampleCount n: Int, labelCount q: Int) -> [Bool] {
        precondition(labels.count == n * q)
        var positives = [Int](repeating: 0, count: q)
        for i in 0..<n { for j in 0..<q where labels[i * q + j] != 0 { positives[j] += 1 } }
        let largest = Double(positives.max() ?? 0)
        let present = (0..<q).filter { positives[$0] > 0 }
        guard !present.isEmpty else { return [Bool](repeating: false, count: q) }
        let ratio = present.map { largest / Double(positives[$0]) }
        let mean = ratio.reduce(0, +) / Double(present.count)
        var minority = [Bool](repeating: false, count: q)
        for (k, j) in present.enumerated() where ratio[k] > mean { minority[j] = true }
        return minority
    }

    /// a_i = 1 + Σ_j ĉ_ij over the minority labels j that sample i has, where c_ij is the fraction
    /// of i's k = min(5, n − 1) nearest neighbours (Euclidean on `features` [n, d]) negative for j and
    /// ĉ_ij = c_ij / Σ_{k: 0<c_kj<1} c_kj for 0 < c_ij < 1, else 0. Neighbours are searched only for
    /// positives of minority labels, by ``NearestNeighbours/search(features:sampleCount:featureCount:queries:k:blockSize:)``.
    public static func weights(labels: [UInt8], sampleCount n: Int, labelCount q: Int,
                               features: [Float], featureCount d: Int) -> [Float] {
        precondition(labels.count == n * q && features.count == n * d)
        var result = [Float](repeating: 1, count: n)
        let k = min(neighbourCount, n - 1)
        guard k >= 1 else { return result }
        let minority = minorityLabels(labels: labels, sampleCount: n, labelCount: q)
        var queries: [Int32] = []
        for i in 0..<n where (0..<q).contains(where: { minority[$0] && labels[i * q + $0] != 0 }) {
            queries.append(Int32(i))
        }
        guard !queries.isEmpty else { return result }
        let neighbours = NearestNeighbours.search(features: features, sampleCount: n, featureCount: d,
                                                  queries: queries, k: k)
        var hardness = [Double](repeating: 0, count: queries.count * q)
        var columnTotal = [Double](repeating: 0, count: q)
        for (position, row) in queries.enumerated() {
            let i = Int(row)
            for j in 0..<q where minority[j] && labels[i * q + j] != 0 {
                var negatives = 0
                for t in 0..<k where labels[Int(neighbours[position * k + t]) * q + j] == 0 { negatives += 1 }
                let c = Double(negatives) / Double(k)
                if c > 0 && c < 1 {
                    hardness[position * q + j] = c
                    columnTotal[j] += c
                }
            }
        }
        for (position, row) in queries.enumerated() {
            var a = 1.0
            for j in 0..<q where hardness[position * q + j] > 0 { a += hardness[position * q + j] / columnTotal[j] }
            result[Int(row)] = Float(a)
        }
        return result
    }
}
