@testable import Analysis
import Artifacts
import Formats
import Foundation
import NumpyIO
import Testing
import TestSupport

@Suite struct ComponentsTests {
    func records(_ aucs: [Double]) -> [EpochRecord] {
        aucs.enumerated().map { EpochRecord(epoch: $0.offset + 1, trainLoss: 0, validationLoss: 0, validationMacroAUC: $0.element, pressure: 0, seconds: 0, selectionSeconds: 0) }
    }

    /// Hand-worked: the curve 0.50, 0.70, 0.80, 0.90, 0.60 peaks at 0.90 (epoch 4) and ends at 0.60.
    /// 90 % of the best is 0.81, first reached at epoch 4 (of the final value, 0.54, it would be epoch 2);
    /// 95 % (0.855) and 99 % (0.891) also at epoch 4; 100 % at 4.
    @Test func epochToReachFractionOfBestAUC() {
        let curve = records([0.50, 0.70, 0.80, 0.90, 0.60])
        #expect(Convergence.bestAUC(curve) == 0.90)
        #expect(Convergence.epochToReach(0.9, of: curve) == 4)
        #expect(Convergence.epochToReach(0.95, of: curve) == 4)
        #expect(Convergence.epochToReach(0.99, of: curve) == 4)
        #expect(Convergence.epochToReach(1.0, of: curve) == 4)
        #expect(Convergence.epochToReach(0.75, of: curve) == 2)  // 0.675: 0.70 at epoch 2
        #expect(Convergence.epochToReach(0.9, of: []) == nil)
    }

    /// Hand-worked trapezoids of 0.50, 0.70, 0.80, 0.90, 0.60 over epochs 1…5: 0.60 + 0.75 + 0.85 + 0.75
    /// = 2.95, over the span of 4 epochs = 0.7375. One epoch: its value; none, or a NaN: nil.
    @Test func normalisedAreaUnderTheValidationCurve() {
        let area = Convergence.normalisedArea(records([0.50, 0.70, 0.80, 0.90, 0.60]))
        #expect(abs(area! - 0.7375) < 1e-15)
        #expect(Convergence.normalisedArea(records([0.7])) == 0.7)
        #expect(Convergence.normalisedArea([]) == nil)
        #expect(Convergence.normalisedArea(records([0.5, .nan])) == nil)
        // A flat curve's area is its height; names of the levels as comparisons.csv spells them.
        #expect(abs(Convergence.normalisedArea(records([0.8, 0.8, 0.8]))! - 0.8) < 1e-15)
        #expect([0.9, 0.95, 0.99, 0.995].map(Convergence.levelName) == ["epochs_to_90", "epochs_to_95", "epochs_to_99", "epochs_to_99.5"])
    }

    @Test func meanAndSampleStd() {
        let s = MeanStd([1, 2, 3, 4])
        #expect(s.mean == 2.5)
        #expect(abs(s.std - (5.0 / 3).squareRoot()) < 1e-15)
        #expect(MeanStd([7]).std == 0)
    }

    @Test func frobeniusStepsAndTopPairs() throws {
        let folder = TestSupport.temporaryFolder()
        let url = folder.appendingPathComponent("c.npy")
        // Three epochs of 2 × 2: identity, then off-diagonals 0.3, then 0.3 and diagonal 1 → 0.
        let c: [Float] = [1, 0, 0, 1, 1, 0.3, 0.3, 1, 1, 0.3, 0.3, 1]
        try NpyFile.write(c, shape: [3, 2, 2], to: url)
        let steps = Drift.frobeniusSteps(try MappedNpyFile(url))
        #expect(steps.count == 2)
        #expect(abs(steps[0] - (2 * 0.09).squareRoot()) < 1e-6)
        #expect(steps[1] == 0)
        let snapshot = Drift.Snapshot(key: RunKey(dataset: "d", model: "m", arm: "s", fold: 0, seed: 0), labelNames: ["a", "b", "c"],
                                      epochA: 1, epochB: 2, before: [1, 0.1, 0.2, 0.1, 1, 0.5, 0.2, 0.5, 1],
                                      after: [1, 0.4, 0.1, 0.4, 1, 0.5, 0.1, 0.5, 1], difference: [])
        let top = Drift.topChanges(snapshot, count: 2)
        #expect(top.map { [$0.first, $0.second] } == [[0, 1], [0, 2]])
        #expect(abs(top[0].change - 0.3) < 1e-6)
        #expect(Drift.pairs([10, 30, 70]).map { [$0.0, $0.1] } == [[10, 30], [30, 70]])
    }

    @Test func selectionHistogram() {
        #expect(SelectionFrequency.histogram([0, 1, 2, 3, 4], lower: 0, upper: 4, bins: 2) == [0.4, 0.6])
    }

    @Test func niceTicks() {
        let t = Ticks.nice(0.52, 0.81, target: 5)
        #expect(t.ticks.first! <= 0.52 && t.ticks.last! >= 0.81)
        #expect(Ticks.label(0.75, step: 0.05) == "0.75")
        #expect(Ticks.label(0.25, step: 0.25) == "0.25")
        #expect(Ticks.label(40, step: 20) == "40")
    }

    @Test func csvQuotingAndEpochsParsing() throws {
        var table = CSVTable(header: ["a", "b"])
        table.append(["x,y", "say \"hi\""])
        #expect(table.text == "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n")
        let folder = TestSupport.temporaryFolder()
        let url = folder.appendingPathComponent("epochs.csv")
        try "epoch,train_loss,validation_loss,validation_macro_auc,pressure\n1,0.5,0.6,0.7,100\n3,0.4,0.5,0.8,50\n"
            .write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: ArtifactError.malformed(path: url.path, reason: "line 3: epoch 3 out of sequence (expected 2)")) {
            try EpochRecord.readCSV(from: folder)
        }
    }

    @Test func resultsRanksAndTests() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: ["random", "balance", "uncertainty"], folds: 3)
        let collection = RunCollection(folders: try RunLoader.discover([root]))
        #expect(collection.problems.isEmpty)
        let results = Results(collection.runs)
        let auc = try #require(results.tables.first { $0.metric == "macro_auc" })
        #expect(auc.selectors == ["random", "balance", "uncertainty"])
        #expect(auc.cells["toy"]?["uncertainty"]?.rank == 1)
        #expect(auc.cells["toy"]?["random"]?.rank == 3)
        // hamming_loss is equal for all: ties share rank 2.
        let hamming = try #require(results.tables.first { $0.metric == "hamming_loss" })
        #expect(hamming.averageRanks["balance"] == 2)
        // Every fold ranks the selectors alike: chi2 = 12/(3*3*4) * (9^2 + 6^2 + 3^2) - 3*3*4 = 6, p = exp(-3).
        let friedman = try #require(auc.friedman)
        #expect(abs(friedman.chiSquare - 6) < 1e-9)
        #expect(abs(friedman.pValue - exp(-3)) < 1e-12)
        #expect(auc.wilcoxon.map(\.selector) == ["random", "balance"])
        // 3 positive differences: only 1 of the 8 sign patterns is as extreme, p = 2 * 1/8 = 0.25 (as SciPy).
        #expect(auc.wilcoxon[0].result.pValue == 0.25)
        let markdown = ResultsDocument.markdown(results)
        #expect(markdown.contains("| toy | 0.7100 ± 0.0100 (3.0) | 0.7200 ± 0.0100 (2.0) | **0.7300 ± 0.0100 (1.0)** |"))
    }

    /// Fold means are summed in fold order, so results.csv does not depend on a dictionary's
    /// per-process order (it did: the same runs analysed twice gave different last digits and,
    /// through exact ties, different ranks).
    @Test func foldMeansAreSummedInFoldOrder() throws {
        let root = TestSupport.temporaryFolder()
        let offsets = [0.239, 0.041, 0.026, 0.076, 0.171]
        for (fold, offset) in offsets.enumerated() {
            try SyntheticRuns.write(.init(selector: "random", fold: fold, offset: offset), under: root)
        }
        let values: [Double] = offsets.enumerated().map { 0.7 + $0.element + Double($0.offset) * 0.01 }  // as SyntheticRuns writes them
        let inOrder: Double = values.reduce(0, +) / 5
        // The data is sensitive to the order of the sum, so this test can fail.
        let shuffled: [Double] = [values[2], values[0], values[4], values[1], values[3]]
        #expect(shuffled.reduce(0, +) / 5 != inOrder)
        for _ in 0..<20 {
            let results = Results(RunCollection(folders: try RunLoader.discover([root])).runs)
            let cell = try #require(results.tables.first { $0.metric == "macro_auc" }?.cells["toy"]?["random"])
            #expect(cell.summary.mean == inOrder)
        }
    }
}
