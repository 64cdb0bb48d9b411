@testable import Analysis
import Foundation
import Testing
import TestSupport

/// The learning floor: rows near chance or not above the linear model's Macro-AUC are flagged
/// "did not learn" in results.md, results.csv, flags.json and report.html; rows that learn are not.
@Suite struct LearningFloorTests {
    /// toy: linear/random at 0.70 (+0.01 per fold); mlp rows: random cannot learn (0.50), balance
    /// learns less than the floor (0.65), uncertainty learns (0.75). other: mlp only, no floor.
    static func writeRuns(under root: URL) throws {
        for fold in 0..<2 {
            try SyntheticRuns.write(.init(model: "linear", selector: "random", fold: fold), under: root)
            for (selector, offset) in [("random", -0.2), ("balance", -0.05), ("uncertainty", 0.05)] {
                try SyntheticRuns.write(.init(selector: selector, fold: fold, offset: offset), under: root)
            }
            try SyntheticRuns.write(.init(dataset: "other", selector: "random", fold: fold, offset: 0.1), under: root)
        }
    }

    @Test func flagsRowsNearChanceOrNotAboveTheLinearFloor() throws {
        let root = TestSupport.temporaryFolder()
        try Self.writeRuns(under: root)
        let floor = LearningFloor(RunCollection(folders: try RunLoader.discover([root])).runs)
        let verdicts = floor.rows.map { "\($0.dataset)/\($0.model)/\($0.selector): \($0.didNotLearn)" }
        #expect(verdicts == ["other/mlp/random: false", "toy/linear/random: false", "toy/mlp/random: true",
                             "toy/mlp/balance: true", "toy/mlp/uncertainty: false"])
        let random = try #require(floor.row(dataset: "toy", model: "mlp", selector: "random"))
        #expect(abs(random.macroAUC - 0.505) < 1e-9 && abs(random.floor! - 0.705) < 1e-9)
        #expect(random.nearChance && random.notAboveFloor)
        #expect(random.warning == "toy/mlp/random did not learn: test Macro-AUC 0.5050 is within 0.02 of 0.5 and not above the linear floor 0.7050")
        let balance = try #require(floor.row(dataset: "toy", model: "mlp", selector: "balance"))
        #expect(!balance.nearChance && balance.notAboveFloor)
        #expect(floor.row(dataset: "other", model: "mlp", selector: "random")?.floor == nil)
        #expect(floor.missingFloor == [DatasetModel(dataset: "other", model: "mlp")])
    }

    @Test func chanceAloneFlagsARowWithoutFloor() throws {
        let root = TestSupport.temporaryFolder()
        for fold in 0..<2 { try SyntheticRuns.write(.init(selector: "random", fold: fold, offset: -0.195), under: root) }
        let floor = LearningFloor(RunCollection(folders: try RunLoader.discover([root])).runs)
        #expect(floor.flagged.map(\.selector) == ["random"])
        #expect(floor.flagged[0].reasons == ["within 0.02 of 0.5"])
    }

    @Test func analysisWritesTheFlagsEverywhere() throws {
        let root = TestSupport.temporaryFolder()
        try Self.writeRuns(under: root)
        let output = TestSupport.temporaryFolder()
        let (outcome, _) = try SyntheticRuns.analyze(root, output: output)
        #expect(outcome.didNotLearn.count == 2)
        #expect(outcome.didNotLearn[0].hasPrefix("toy/mlp/random did not learn"))
        func read(_ name: String) throws -> String { try String(contentsOf: output.appendingPathComponent(name), encoding: .utf8) }

        let flags = try JSONSerialization.jsonObject(with: Data(read("flags.json").utf8)) as! [String: Any]
        #expect(flags["warnings"] as? [String] == outcome.didNotLearn)
        #expect((flags["flagged"] as? [[String: Any]])?.map { $0["selector"] as? String } == ["random", "balance"])
        #expect((flags["notes"] as? [String])?.first?.hasPrefix("other/mlp: no linear/random runs") == true)

        let csv = try read("results.csv").split(separator: "\n").map(String.init)
        #expect(csv[0].hasSuffix(",rank,flag"))
        #expect(csv.contains { $0.hasPrefix("mlp,macro_auc,toy,random,2,") && $0.hasSuffix(",did not learn") })
        #expect(csv.contains { $0.hasPrefix("mlp,macro_auc,toy,uncertainty,2,") && $0.hasSuffix(",") })
        #expect(!csv.contains { $0.hasPrefix("mlp,ranking_loss,") && $0.hasSuffix("did not learn") })

        let markdown = try read("results.md")
        #expect(markdown.contains("**2 of 5 rows did not learn.**"))
        #expect(markdown.contains("| toy | mlp | uncertainty | 2 | 0.7550 | 0.7050 | learned |"))
        #expect(markdown.contains("| toy | mlp | balance | 2 | 0.6550 | 0.7050 | **did not learn: not above the linear floor 0.7050** |"))
        #expect(markdown.contains("0.5050 ± 0.0071 (3.0) did not learn"))

        let report = try read("report.html")
        #expect(report.contains("2 result rows did not learn"))
        #expect(report.contains("<tr class=\"flag\"><td>toy</td><td>mlp</td><td>random</td>"))
        #expect(report.contains("<td class=\"flag\">0.5050 ± 0.0071 (3.0) did not learn</td>"))
    }

    @Test func nothingIsFlaggedWhenEveryRowLearns() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.matrix(under: root, selectors: ["random", "uncertainty"], folds: 2)
        let output = TestSupport.temporaryFolder()
        let (outcome, _) = try SyntheticRuns.analyze(root, output: output)
        #expect(outcome.didNotLearn.isEmpty)
        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(markdown.contains("**Every row learned.**"))
        #expect(!markdown.contains("did not learn:"))
    }

    /// Where the linear floor is at the ceiling (every model reaches test Macro-AUC 1.0000, as on
    /// genbase), no row can be above it: it is noted, not flagged "did not learn: not above the
    /// linear floor 1.0000".
    @Test func aFloorAtTheCeilingIsNotAFailureToLearn() throws {
        let root = TestSupport.temporaryFolder()
        try SyntheticRuns.write(.init(model: "linear", selector: "random", fold: 0, offset: 0.3), under: root)
        try SyntheticRuns.write(.init(selector: "random", fold: 0, offset: 0.3), under: root)
        try SyntheticRuns.write(.init(selector: "uncertainty", fold: 0, offset: -0.19), under: root)
        let floor = LearningFloor(RunCollection(folders: try RunLoader.discover([root])).runs)
        let random = try #require(floor.row(dataset: "toy", model: "mlp", selector: "random"))
        #expect(random.floorAtCeiling && !random.didNotLearn)
        // The chance check still applies.
        #expect(floor.flagged.map(\.selector) == ["uncertainty"] && floor.flagged[0].reasons == ["within 0.02 of 0.5"])
        #expect(floor.notes.contains("toy/mlp/random: the linear floor is at the ceiling (1.0000), so no row can be above it; only the chance check applies"))
        let output = TestSupport.temporaryFolder()
        _ = try SyntheticRuns.analyze(root, output: output)
        let markdown = try String(contentsOf: output.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(markdown.contains("| toy | mlp | random | 1 | 1.0000 | 1.0000 | learned (floor at the ceiling) |"))
        #expect(!markdown.contains("not above the linear floor 1.0000"))
    }
}
