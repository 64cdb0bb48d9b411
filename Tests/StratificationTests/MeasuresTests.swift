import Stratification
import Testing

/// Quality measures against a reference Python implementation of the definitions in docs/stages.md (values it printed).
struct MeasuresTests {
    /// 8 rows, labels A B C D E: D is in every row (undefined ratios), E in none (not evaluated).
    static let small = Fixtures.matrix(["11010", "10010", "01110", "10110", "00010", "11110", "01010", "10010"])
    static let smallFolds: [Int32] = [0, 1, 2, 0, 1, 2, 0, 1]

    @Test func smallCaseMatchesMeasuresPy() {
        let quality = SplitQuality(Self.small, parts: Self.smallFolds, desiredSizes: [8.0 / 3, 8.0 / 3, 8.0 / 3], includePairs: true)
        #expect(abs(quality.examplesDistribution - 0.4444444444444445) < 1e-12)
        #expect(abs(quality.labels.distribution - 0.5981481481481481) < 1e-12)
        #expect(quality.labels.undefinedTerms == 5)
        #expect(quality.labels.evaluated == 4)
        #expect(quality.labels.foldsWithZero == 1)
        #expect(quality.labels.zeroCells == 2)
        #expect(quality.labels.zeroLowerBound == 0)
        let pairs = try! #require(quality.pairs)
        #expect(abs(pairs.distribution - 0.4842592592592592) < 1e-12)
        #expect(pairs.undefinedTerms == 3)
        #expect(pairs.evaluated == 6)
        #expect(pairs.foldsWithZero == 2)
        #expect(pairs.zeroCells == 6)
        #expect(pairs.zeroLowerBound == 3)
    }

    /// Hand check of one LD term: label A (P = 5 of n = 8) in fold 0 (rows 0, 3, 6: c = 2, |S| = 3):
    /// |2/1 − 5/3| = 1/3; fold 1 (rows 1, 4, 7: c = 2): 1/3; fold 2 (rows 2, 5: c = 1): |1 − 5/3| = 2/3.
    @Test func labelTermsByHand() {
        let onlyA = Fixtures.matrix(["1", "1", "0", "1", "0", "1", "0", "1"])
        let quality = SplitQuality(onlyA, parts: Self.smallFolds, desiredSizes: [8.0 / 3, 8.0 / 3, 8.0 / 3], includePairs: false)
        #expect(abs(quality.labels.distribution - (1.0 / 3 + 1.0 / 3 + 2.0 / 3) / 3) < 1e-12)
        #expect(quality.pairs == nil)
    }

    @Test func musicRoundRobinMatchesMeasuresPy() {
        let music = Fixtures.music
        #expect(music.rows == 592)
        #expect(music.positivesPerLabel() == [173, 166, 264, 148, 167, 189])
        let folds = (0..<music.rows).map { Int32($0 % 5) }
        let quality = SplitQuality(music, parts: folds, desiredSizes: [Double](repeating: 592.0 / 5, count: 5), includePairs: true)
        #expect(abs(quality.examplesDistribution - 0.48000000000000115) < 1e-12)
        #expect(abs(quality.labels.distribution - 0.07302767490025375) < 1e-12)
        #expect(quality.labels.zeroCells == 0 && quality.labels.foldsWithZero == 0)
        let pairs = try! #require(quality.pairs)
        #expect(abs(pairs.distribution - 0.021649622565125405) < 1e-12)
        #expect(pairs.evaluated == 14)
        #expect(pairs.foldsWithZero == 4)
        #expect(pairs.zeroCells == 11)
        #expect(pairs.zeroLowerBound == 7)
    }

    @Test func reportUsesMeasuresPyNames() throws {
        let split = try StratifiedSplit(labels: Fixtures.music, options: SplitOptions(order: 2, seed: 1))
        let report = SplitReport(labels: Fixtures.music, split: split)
        let direct = SplitQuality(Fixtures.music, parts: split.folds, desiredSizes: [Double](repeating: 592.0 / 5, count: 5), includePairs: true)
        #expect(report.measures == MeasuresReport(direct))
        #expect(report.measures.LPD != nil && report.measures.FLPZ_lower_bound == 7)
        #expect(report.parts.map(\.size).reduce(0, +) == 592)
        #expect(report.parts.allSatisfy { ($0.validationSize ?? 0) + ($0.testSize ?? 0) == $0.size })
        for label in 0..<6 {
            #expect(report.parts.map { $0.labelCounts[label] }.reduce(0, +) == Fixtures.music.positivesPerLabel()[label])
        }
    }
}
