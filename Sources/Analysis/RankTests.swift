import Foundation

/// The Friedman test of k treatments over n blocks, as `scipy.stats.friedmanchisquare`.
public struct FriedmanResult: Equatable, Sendable {
    /// Number of blocks (rows) and treatments (columns).
    public var blocks: Int
    public var treatments: Int
    /// The tie-corrected chi-square statistic and its p-value (k − 1 degrees of freedom).
    public var chiSquare: Double
    public var pValue: Double
    /// Iman–Davenport's F = (n − 1)χ² / (n(k − 1) − χ²) with (k − 1, (k − 1)(n − 1)) degrees of
    /// freedom; nil when the denominator vanishes (every block ranks the treatments alike).
    public var imanDavenportF: Double?
    public var imanDavenportPValue: Double?
    /// Mean rank of each treatment (rank 1 = smallest value).
    public var meanRanks: [Double]
}

/// The Wilcoxon signed-rank test of paired samples, as `scipy.stats.wilcoxon` with its defaults
/// (zero_method='wilcox', correction=False, two-sided, method='auto').
public struct WilcoxonResult: Equatable, Sendable {
    /// How the p-value was obtained.
    public enum Method: String, Sendable {
        /// The exact null distribution (n ≤ 50, no ties, no zero differences).
        case exact
        /// Complete enumeration of the 2^n sign flips (ties or zeros, n ≤ 13).
        case permutation
        /// Normal approximation with tie correction (n > 50, or ties/zeros with n > 13).
        case normal
    }
    /// Pairs in the sample, and those with a non-zero difference.
    public var pairs: Int
    public var nonZero: Int
    /// min(R+, R−), SciPy's reported statistic.
    public var statistic: Double
    /// Sum of the ranks of the positive differences x − y.
    public var positiveRankSum: Double
    public var pValue: Double
    public var method: Method
}

/// Errors of the rank tests (too few data).
public enum RankTestError: Error, CustomStringConvertible, Equatable {
    case tooFewTreatments(Int)
    case tooFewBlocks(Int)
    case raggedBlocks
    case unpairedSamples(Int, Int)
    case noPairs

    public var description: String {
        switch self {
        case let .tooFewTreatments(k): return "the Friedman test needs at least 3 selectors, found \(k)"
        case let .tooFewBlocks(n): return "the Friedman test needs at least 2 complete (dataset, fold) blocks, found \(n)"
        case .raggedBlocks: return "every block must hold one value per selector"
        case let .unpairedSamples(a, b): return "paired samples differ in length (\(a) vs \(b))"
        case .noPairs: return "the Wilcoxon test needs at least one pair"
        }
    }
}

public enum RankTests {
    /// Friedman test; `blocks[i][j]` is treatment j's value in block i. O(n k log k).
    public static func friedman(_ blocks: [[Double]]) throws(RankTestError) -> FriedmanResult {
        guard let k = blocks.first?.count, k >= 3 else { throw .tooFewTreatments(blocks.first?.count ?? 0) }
        guard blocks.count >= 2 else { throw .tooFewBlocks(blocks.count) }
        guard blocks.allSatisfy({ $0.count == k }) else { throw .raggedBlocks }
        let n = Double(blocks.count), kd = Double(k)
        var rankSums = [Double](repeating: 0, count: k)
        var tieSum = 0.0
        for block in blocks {
            let ranks = Ranking.averageRanks(block)
            for j in 0..<k { rankSums[j] += ranks[j] }
            for t in Ranking.tieGroupSizes(block) where t > 1 {
                let t = Double(t)
                tieSum += t * t * t - t
            }
        }
        let correction = 1 - tieSum / (n * kd * (kd * kd - 1))
        let squares = rankSums.reduce(0) { $0 + $1 * $1 }
        let chiSquare = (12 / (n * kd * (kd + 1)) * squares - 3 * n * (kd + 1)) / correction
        let pValue = SpecialFunctions.chiSquareSurvival(chiSquare, degreesOfFreedom: kd - 1)
        let denominator = n * (kd - 1) - chiSquare
        var f: Double?
        var fP: Double?
        if denominator > 1e-12 * n * kd {
            let value = (n - 1) * chiSquare / denominator
            f = value
            fP = SpecialFunctions.fSurvival(value, d1: kd - 1, d2: (kd - 1) * (n - 1))
        }
        return FriedmanResult(blocks: blocks.count, treatments: k, chiSquare: chiSquare, pValue: pValue,
                              imanDavenportF: f, imanDavenportPValue: fP, meanRanks: rankSums.map { $0 / n })
    }

    /// Two-sided Wilcoxon signed-rank test of x against y (paired). Exact distribution by
    /// dynamic programming over rank sums (O(n³)); enumeration is 2^n with n ≤ 13.
    public static func wilcoxon(_ x: [Double], _ y: [Double]) throws(RankTestError) -> WilcoxonResult {
        guard x.count == y.count else { throw .unpairedSamples(x.count, y.count) }
        guard !x.isEmpty else { throw .noPairs }
        let differences = zip(x, y).map { $0 - $1 }
        let nonZero = differences.filter { $0 != 0 }
        let ranks = Ranking.averageRanks(nonZero.map(abs))
        var positive = 0.0, negative = 0.0
        for (d, r) in zip(nonZero, ranks) {
            if d > 0 { positive += r } else { negative += r }
        }
        let ties = Ranking.tieGroupSizes(nonZero.map(abs))
        let hasTies = ties.contains { $0 > 1 }
        let hasZeros = nonZero.count < differences.count
        let n = Double(nonZero.count)
        let method: WilcoxonResult.Method
        if differences.count > 50 {
            method = .normal
        } else if !hasTies && !hasZeros {
            method = .exact
        } else if differences.count <= 13 {
            method = .permutation
        } else {
            method = .normal
        }
        let pValue: Double
        switch method {
        case .exact:
            pValue = exactPValue(positiveRankSum: positive, n: nonZero.count)
        case .permutation:
            pValue = permutationPValue(ranks: ranks, observed: positive)
        case .normal:
            if nonZero.isEmpty {
                pValue = .nan
            } else {
                let tieTerm = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
                let se = ((n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24).squareRoot()
                let z = (positive - n * (n + 1) / 4) / se
                pValue = 2 * SpecialFunctions.normalSurvival(abs(z))
            }
        }
        return WilcoxonResult(pairs: differences.count, nonZero: nonZero.count, statistic: min(positive, negative),
                              positiveRankSum: positive, pValue: pValue, method: method)
    }

    /// Counts of each rank sum 0…n(n+1)/2 among the 2^n sign assignments of ranks 1…n.
    static func signedRankCounts(_ n: Int) -> [Double] {
        let total = n * (n + 1) / 2
        var counts = [Double](repeating: 0, count: total + 1)
        counts[0] = 1
        var reach = 0
        for rank in stride(from: 1, through: max(n, 0), by: 1) {
            reach += rank
            for sum in stride(from: reach, through: rank, by: -1) { counts[sum] += counts[sum - rank] }
        }
        return counts
    }

    private static func exactPValue(positiveRankSum: Double, n: Int) -> Double {
        let counts = signedRankCounts(n)
        let all = counts.reduce(0, +)
        let upperFrom = Int(positiveRankSum.rounded(.down))
        let lowerTo = Int(positiveRankSum.rounded(.up))
        let upper = counts[upperFrom...].reduce(0, +) / all
        let lower = counts[...lowerTo].reduce(0, +) / all
        return min(1, 2 * min(upper, lower))
    }

    private static func permutationPValue(ranks: [Double], observed: Double) -> Double {
        let n = ranks.count
        let tolerance = abs(observed) * 1e-14
        var atMost = 0.0, atLeast = 0.0
        let patterns = 1 << n
        for pattern in 0..<patterns {
            var sum = 0.0
            for i in 0..<n where pattern & (1 << i) != 0 { sum += ranks[i] }
            if sum <= observed + tolerance { atMost += 1 }
            if sum >= observed - tolerance { atLeast += 1 }
        }
        return min(1, 2 * min(atMost, atLeast) / Double(patterns))
    }
}
