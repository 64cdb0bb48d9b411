@testable import Analysis
import Testing

/// Reference values computed with SciPy 1.17.1 (`scipy.stats`) for the same fixed inputs.
@Suite struct StatisticsTests {
    private func close(_ a: Double, _ b: Double, relative: Double = 1e-9) -> Bool {
        abs(a - b) <= relative * max(abs(b), 1e-300)
    }

    @Test func averageRanksMatchRankdata() {
        #expect(Ranking.averageRanks([3, 1, 4, 1, 5, 9, 2, 6, 5]) == [4, 1.5, 5, 1.5, 6.5, 9, 3, 8, 6.5])
        #expect(Ranking.bestFirstRanks([0.9, 0.7, 0.9], higherIsBetter: true) == [1.5, 3, 1.5])
        #expect(Ranking.bestFirstRanks([0.1, 0.3, 0.2], higherIsBetter: false) == [1, 3, 2])
    }

    @Test func distributionTails() {
        // stats.chi2.sf(7.3, 4), (0.5, 1), (40, 5), (3, 12)
        #expect(close(SpecialFunctions.chiSquareSurvival(7.3, degreesOfFreedom: 4), 0.12085874882121235))
        #expect(close(SpecialFunctions.chiSquareSurvival(0.5, degreesOfFreedom: 1), 0.47950012218695337))
        #expect(close(SpecialFunctions.chiSquareSurvival(40, degreesOfFreedom: 5), 1.493367900050393e-07))
        #expect(close(SpecialFunctions.chiSquareSurvival(3, degreesOfFreedom: 12), 0.9955440192247521))
        // stats.norm.sf(1.96), (-0.3), (6)
        #expect(close(SpecialFunctions.normalSurvival(1.96), 0.024997895148220435))
        #expect(close(SpecialFunctions.normalSurvival(-0.3), 0.6179114221889526))
        #expect(close(SpecialFunctions.normalSurvival(6), 9.865876450376946e-10))
        // stats.f.sf(2.5, 3, 12), (0.4, 5, 20), (10, 2, 8)
        #expect(close(SpecialFunctions.fSurvival(2.5, d1: 3, d2: 12), 0.10915471239500621))
        #expect(close(SpecialFunctions.fSurvival(0.4, d1: 5, d2: 20), 0.8430030607891661))
        #expect(close(SpecialFunctions.fSurvival(10, d1: 2, d2: 8), 0.006663890045814243))
    }

    @Test func studentTTailsAndQuantiles() {
        // scipy.stats.t.sf(t, df) for (2.5, 4), (0.3, 1), (-1.7, 14), (8.0, 7), (1e-3, 30):
        // 0.03338327240599407 0.4072264209222577 0.9443852174448127 4.557460585437679e-05 0.49960436788324253
        #expect(close(SpecialFunctions.studentTSurvival(2.5, degreesOfFreedom: 4), 0.03338327240599407))
        #expect(close(SpecialFunctions.studentTSurvival(0.3, degreesOfFreedom: 1), 0.4072264209222577))
        #expect(close(SpecialFunctions.studentTSurvival(-1.7, degreesOfFreedom: 14), 0.9443852174448127))
        #expect(close(SpecialFunctions.studentTSurvival(8.0, degreesOfFreedom: 7), 4.557460585437679e-05))
        #expect(close(SpecialFunctions.studentTSurvival(1e-3, degreesOfFreedom: 30), 0.49960436788324253))
        // scipy.stats.t.ppf(0.975, df) and t.ppf(0.8, df) for df = 1, 2, 4, 7, 14, 30.
        let reference: [(Double, Double, Double)] = [
            (1, 12.706204736174694, 1.3763819204711738), (2, 4.302652729749462, 1.0606601717798214),
            (4, 2.7764451051977934, 0.9409645772351816), (7, 2.364624251592784, 0.8960296443137653),
            (14, 2.144786687917804, 0.8680547815574207), (30, 2.0422724563012378, 0.8537672614712979),
        ]
        for (df, upper, power) in reference {
            #expect(close(SpecialFunctions.studentTQuantile(0.975, degreesOfFreedom: df), upper), "df \(df)")
            #expect(close(SpecialFunctions.studentTQuantile(0.8, degreesOfFreedom: df), power), "df \(df)")
            #expect(SpecialFunctions.studentTQuantile(0.025, degreesOfFreedom: df) == -SpecialFunctions.studentTQuantile(0.975, degreesOfFreedom: df))
        }
    }

    @Test func friedmanWithoutTies() throws {
        let blocks: [[Double]] = [[0.91, 0.92, 0.93], [0.71, 0.70, 0.73], [0.76, 0.77, 0.78], [0.80, 0.79, 0.81], [0.66, 0.69, 0.68]]
        let result = try RankTests.friedman(blocks)
        #expect(close(result.chiSquare, 5.200000000000003))
        #expect(close(result.pValue, 0.0742735782143338))
        #expect(close(try #require(result.imanDavenportF), 4.333333333333338))
        #expect(close(try #require(result.imanDavenportPValue), 0.053084159999999846, relative: 1e-7))
        // Within-block ranks by hand: [1,2,3] [2,1,3] [1,2,3] [2,1,3] [1,3,2].
        #expect(result.meanRanks == [1.4, 1.8, 2.8])
    }

    @Test func friedmanWithTies() throws {
        let blocks: [[Double]] = [[1, 2, 2, 4], [3, 3, 3, 1], [2, 1, 4, 3], [5, 6, 7, 8], [1, 1, 2, 2], [4, 3, 2, 1]]
        let result = try RankTests.friedman(blocks)
        #expect(close(result.chiSquare, 2.4339622641509497))
        #expect(close(result.pValue, 0.4873438708605874))
        #expect(close(try #require(result.imanDavenportF), 0.7818181818181841))
        #expect(close(try #require(result.imanDavenportPValue), 0.5223585127732241, relative: 1e-7))
    }

    @Test func friedmanRejectsTooFewSelectors() {
        #expect(throws: RankTestError.tooFewTreatments(2)) { try RankTests.friedman([[1, 2], [2, 1]]) }
        #expect(throws: RankTestError.tooFewBlocks(1)) { try RankTests.friedman([[1, 2, 3]]) }
    }

    @Test func wilcoxonExactSmallSample() throws {
        let d = [1.5, -0.5, 3, 2.25, 4, 0.75, 5, -1, 6, 7, -2.5, 8]
        let result = try RankTests.wilcoxon(d.map { $0 + 10 }, [Double](repeating: 10, count: d.count))
        #expect(result.method == .exact)
        #expect(result.statistic == 10)
        #expect(close(result.pValue, 0.02099609375))
    }

    @Test func wilcoxonTiesInSmallSampleEnumerateSignFlips() throws {
        let result = try RankTests.wilcoxon([1, 2, 3, 4, 5, 6, 7, 8], [0, 4, 1, 2, 3, 6, 9, 3])
        #expect(result.method == .permutation)
        #expect(result.statistic == 8)
        #expect(close(result.pValue, 0.375))
    }

    @Test func wilcoxonZerosInSmallSampleEnumerateSignFlips() throws {
        let tiesAndZeros: [Double] = [0, 0, 1, -2, 2, 3, 4, -5, 6, 0.5, -0.5]
        let a = try RankTests.wilcoxon(tiesAndZeros, [Double](repeating: 0, count: tiesAndZeros.count))
        #expect(a.method == .permutation && a.nonZero == 9 && a.statistic == 14)
        #expect(close(a.pValue, 0.34375))
        let zeroOnly: [Double] = [0, 1.5, -2, 3, 4, -5, 6, 7, 8]
        let b = try RankTests.wilcoxon(zeroOnly, [Double](repeating: 0, count: zeroOnly.count))
        #expect(b.method == .permutation && b.statistic == 7)
        #expect(close(b.pValue, 0.1484375))
    }

    @Test func wilcoxonZerosAndTiesUseCorrectedNormal() throws {
        let d: [Double] = [0, 0, 0, 1, 2, 2, 3, -4, 5, 6, 7, -8, 9, 10, 11, 12, 13, 14, 15, 16]
        let result = try RankTests.wilcoxon(d, [Double](repeating: 0, count: d.count))
        #expect(result.method == .normal)
        #expect(result.nonZero == 17)
        #expect(result.statistic == 14)
        #expect(close(result.pValue, 0.0030859289517654316))
        let e: [Double] = [-3, -2, -1, 1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
        let tied = try RankTests.wilcoxon(e, [Double](repeating: 0, count: e.count))
        #expect(tied.statistic == 8.5)
        #expect(close(tied.pValue, 0.0003146666605308263))
    }

    @Test func wilcoxonLargeSampleUsesNormal() throws {
        let x = [2.140919, -2.455665, 0.518099, -0.46777, -0.352649, -0.115597, -1.919986, -0.131932, -0.765213, 3.423,
                 0.325787, -0.252631, -0.181287, -0.568046, -0.955151, -0.290801, 0.581945, -0.138554, 1.057759, -0.099802,
                 0.12426, 1.645821, 0.645106, -0.405229, -0.082839, 0.640525, 2.035088, -0.16962, -0.143559, 1.102314,
                 -0.78646, -0.19172, 0.982539, 0.68035, 0.191517, 0.770104, -2.728162, 1.121307, -0.859645, -1.56862,
                 0.376446, 0.800545, -0.344767, -0.976406, 0.126125, 0.047253, 1.505598, 0.847408, 0.293816, 1.211633,
                 -0.105523, -0.8259, 0.684058, 0.682538, -0.114829, -0.682809, 0.329154, -2.393894, 0.790125, 0.591368]
        let result = try RankTests.wilcoxon(x, [Double](repeating: 0, count: x.count))
        #expect(result.method == .normal)
        #expect(result.statistic == 803)
        #expect(close(result.pValue, 0.4096557792251261))
    }

    @Test func signedRankDistributionSumsToPowerOfTwo() {
        let counts = RankTests.signedRankCounts(4)
        // Rank sums of subsets of {1,2,3,4}: hand-counted.
        #expect(counts == [1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1])
    }
}
