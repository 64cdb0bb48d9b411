@testable import Analysis
import Foundation
import Testing
import TestSupport

/// Runs are keyed by (dataset, model, arm, fold, seed): every table pairs (fold, seed) blocks.
@Suite struct BlockTests {
    /// Two seeds per fold are two blocks of the same (dataset, model, arm): neither is a
    /// duplicate, the cell's mean is over the four blocks, and the linear floor (one seed per
    /// fold) still matches them by fold. A second folder with the same arm, fold and seed is one.
    @Test func twoSeedsPerFoldAreTwoBlocks() throws {
        let root = TestSupport.temporaryFolder()
        for fold in 0..<2 {
            try SyntheticRuns.write(.init(model: "linear", selector: "random", fold: fold), under: root)
            for seed: UInt64 in [1, 2] {
                try SyntheticRuns.write(.init(selector: "random", fold: fold, seed: seed, offset: Double(seed) * 0.002), under: root)
            }
        }
        var collection = RunCollection(folders: try RunLoader.discover([root]))
        #expect(collection.problems.isEmpty)
        #expect(collection.runs.filter { $0.model == "mlp" }.map(\.key.block) == [Block(fold: 0, seed: 1), Block(fold: 0, seed: 2), Block(fold: 1, seed: 1), Block(fold: 1, seed: 2)])
        let results = Results(collection.runs)
        let cell = try #require(results.tables.first { $0.model == "mlp" && $0.metric == "macro_auc" }?.cells["toy"]?["random"])
        #expect(cell.summary.count == 4)
        // 0.7 + 0.002·seed + 0.01·fold over (fold, seed) ∈ {0, 1} × {1, 2}.
        #expect(abs(cell.summary.mean - 0.708) < 1e-12)
        let floor = try #require(results.floor.row(dataset: "toy", model: "mlp", selector: "random"))
        let floorValue = try #require(floor.floor)
        #expect(floor.folds == 4 && abs(floorValue - 0.705) < 1e-12)

        let duplicate = try SyntheticRuns.write(.init(selector: "random", fold: 1, seed: 2), under: root.appendingPathComponent("copy"))
        collection = RunCollection(folders: try RunLoader.discover([root]))
        #expect(collection.problems.count == 1)
        let message = try #require(collection.problems.first?.description)
        #expect(message.contains(duplicate.path) && message.contains("toy-mlp-random-1-s2") && message.contains("same dataset, model, arm, fold and seed as"))
    }
}
