/// Distribution measures of a partition for one family of items (labels, or label pairs).
///
/// For parts S_1..S_k of desired sizes t_i (n/k for k folds), items with P_j ≥ 1 positives
/// ("evaluated") and c_ij positives of item j in S_i:
///   distribution = (1/q') Σ_j (1/k) Σ_i | c_ij/(|S_i| − c_ij) − P_j/(n − P_j) |   (LD, or LPD for pairs)
///   foldsWithZero = #{ i : c_ij = 0 for some evaluated j }                         (FZ / FPZ)
///   zeroCells     = #{ (i, j) : c_ij = 0, j evaluated }                             (FLZ / FLPZ)
///   zeroLowerBound = Σ_j max(0, k − P_j)
/// Terms with a zero denominator are undefined: they are counted in `undefinedTerms` and left out
/// of the means (a mean over no defined term is 0). Identical to `measures.py`.
public struct DistributionMeasures: Sendable, Equatable, Codable {
    public var distribution: Double
    public var undefinedTerms: Int
    public var evaluated: Int
    public var foldsWithZero: Int
    public var zeroCells: Int
    public var zeroLowerBound: Int

    /// Computes the measures for `parts` (part of every row, `0..<partCount`). O(n + nnz + m·k).
    public init(_ incidence: Incidence, parts: [Int32], partCount k: Int) {
        let m = incidence.itemCount, n = incidence.rows
        var sizes = [Double](repeating: 0, count: k)
        var counts = [Int](repeating: 0, count: m * k)   // item-major
        var totals = [Int](repeating: 0, count: m)
        incidence.rowStart.withUnsafeBufferPointer { rowStart in
        incidence.items.withUnsafeBufferPointer { items in
        parts.withUnsafeBufferPointer { parts in
        counts.withUnsafeMutableBufferPointer { counts in
        totals.withUnsafeMutableBufferPointer { totals in
            for row in 0..<n {
                let part = Int(parts[row])
                sizes[part] += 1
                for index in rowStart[row]..<rowStart[row + 1] {
                    let item = Int(items[index])
                    counts[item * k + part] += 1
                    totals[item] += 1
                }
            }
        }
        }
        }
        }
        }
        var sum = 0.0, defined = 0, undefined = 0, evaluated = 0, zeros = 0, bound = 0
        var partHasZero = [Bool](repeating: false, count: k)
        for item in 0..<m where totals[item] >= 1 {
            evaluated += 1
            let total = Double(totals[item])
            let expected = total / (Double(n) - total)
            bound += max(0, k - totals[item])
            var itemSum = 0.0, itemDefined = 0
            for part in 0..<k {
                let c = counts[item * k + part]
                if c == 0 { zeros += 1; partHasZero[part] = true }
                let ratio = Double(c) / (sizes[part] - Double(c))
                let term = abs(ratio - expected)
                if term.isFinite { itemSum += term; itemDefined += 1 } else { undefined += 1 }
            }
            if itemDefined > 0 { sum += itemSum / Double(itemDefined); defined += 1 }
        }
        distribution = defined > 0 ? sum / Double(defined) : 0
        undefinedTerms = undefined
        self.evaluated = evaluated
        foldsWithZero = partHasZero.filter { $0 }.count
        zeroCells = zeros
        zeroLowerBound = bound
    }
}

/// The quality of a split (Sechidis et al. 2011; pair measures of Szymański & Kajdanowicz 2017),
/// with the names docs/stages.md uses ("split — stratified folds").
public struct SplitQuality: Sendable, Equatable {
    /// ED = (1/k) Σ_i | |S_i| − t_i |, t_i the desired size (n/k for k equal folds).
    public var examplesDistribution: Double
    /// LD, FZ, FLZ and the FLZ lower bound over the labels.
    public var labels: DistributionMeasures
    /// LPD, FPZ, FLPZ and the FLPZ lower bound over co-occurring label pairs (a < b), when asked for.
    public var pairs: DistributionMeasures?

    /// Measures the partition `parts` of the rows of `matrix` into `desiredSizes.count` parts
    /// (n/k each for k folds). O(n + nnz) for labels, plus O(Σ_i |Y_i|²) with pairs.
    public init(_ matrix: LabelMatrix, parts: [Int32], desiredSizes: [Double], includePairs: Bool) {
        let k = desiredSizes.count
        var sizes = [Int](repeating: 0, count: k)
        for part in parts { sizes[Int(part)] += 1 }
        var deviation = 0.0
        for part in 0..<k { deviation += abs(Double(sizes[part]) - desiredSizes[part]) }
        examplesDistribution = deviation / Double(k)
        labels = DistributionMeasures(.labels(matrix), parts: parts, partCount: k)
        pairs = includePairs ? DistributionMeasures(.pairs(matrix), parts: parts, partCount: k) : nil
    }
}
