import Formats
import Foundation
import StageKit
import Testing

/// `history_budget`: which epochs a run's history keeps (docs/artifacts.md, "The prediction history").
@Suite struct HistoryPlanTests {
    /// 100 epochs, n = 1000, q = 100, uint8, uncertainty (mi): per epoch 100,000 bytes of predictions
    /// and 40,000 of C; weights, selected and order take 4·(1000 + 1000 + 1024) = 12,096 bytes an epoch
    /// (the sampler draws ⌈1000/128⌉·128 = 1024 rows), 1,209,600 in all. Every epoch: 15,209,600 bytes.
    private let parameters = TrainParameters().with { $0.epochs = 100 }

    @Test func theSmallestEveryThatFitsTheBudget() throws {
        // 5 MB leaves 3,790,400 bytes for 140,000-byte epochs: at most 27 kept. Keeping one in 3
        // keeps 34, one in 4 keeps 25 (4, 8, …, 100).
        let plan = HistoryPlan(parameters: parameters.with { $0.historyBudget = .bytes(5_000_000) }, trainCount: 1000, labelCount: 100)
        #expect(plan.fullBytes == 15_209_600 && plan.every == 4 && plan.thinnedByBudget)
        #expect(plan.predictionEpochs == Array(stride(from: 4, through: 100, by: 4)) && plan.correlationEpochs == plan.predictionEpochs)
        #expect(plan.keptBytes == 1_209_600 + 25 * 140_000)
        #expect(plan.thinning == HistoryThinning(every: 4, budget: "5MB", fullBytes: 15_209_600, keptBytes: 4_709_600))
        #expect(plan.notice == "train: history_budget 5MB: predictions.npy and correlation.npy keep one epoch in 4 (25 of 100, the last included), "
            + "4.7 MB instead of 15.2 MB; history_budget unlimited keeps every epoch")
        // A budget just big enough for 34 epochs keeps one in 3.
        let three = HistoryPlan(parameters: parameters.with { $0.historyBudget = .bytes(1_209_600 + 34 * 140_000) }, trainCount: 1000, labelCount: 100)
        #expect(three.every == 3 && three.predictionEpochs.count == 34 && three.predictionEpochs.last == 100)
    }

    /// The default budget, 2 GB, at q = 4,000 and n = 16,000: 64 MB of predictions and 64 MB of C
    /// an epoch, 12.8 GB in 100 epochs; (2e9 − 19.2e6) / 128e6 = 15.5, so 15 epochs, one in 7.
    @Test func theDefaultBudgetAtFourThousandLabels() {
        let plan = HistoryPlan(parameters: parameters, trainCount: 16_000, labelCount: 4_000)
        #expect(plan.budget == .standard && plan.fullBytes == 19_200_000 + 100 * 128_000_000)
        #expect(plan.every == 7 && plan.predictionEpochs.count == 15 && plan.keptBytes == 19_200_000 + 15 * 128_000_000)
        // Without C (random), 64 MB an epoch: at most 30 epochs, so one in 4 (25; one in 3 keeps 34).
        let random = HistoryPlan(parameters: parameters.with { $0.selector = .random }, trainCount: 16_000, labelCount: 4_000)
        #expect(random.every == 4 && random.predictionEpochs.count == 25 && random.correlationEpochs == random.predictionEpochs)
    }

    /// A budget below even the last epoch keeps the last epoch alone and says it is still above.
    @Test func aBudgetTooSmallForOneEpochKeepsTheLast() {
        let plan = HistoryPlan(parameters: parameters.with { $0.historyBudget = .bytes(1_000_000) }, trainCount: 1000, labelCount: 100)
        #expect(plan.every == 100 && plan.predictionEpochs == [100] && plan.correlationEpochs == [100])
        #expect(plan.notice?.contains("keep the last epoch only, 1.3 MB instead of 15.2 MB, still above the budget") == true, "\(plan.notice ?? "")")
    }

    /// An explicit history_every wins (predictions thinned as asked, C kept whole); unlimited and a
    /// history within the budget keep every epoch, and say nothing.
    @Test func explicitSettingsAndSmallRunsKeepWhatTheyAsk() {
        let explicit = HistoryPlan(parameters: parameters.with { $0.historyBudget = .bytes(5_000_000); $0.historyEvery = 10 },
                                   trainCount: 1000, labelCount: 100)
        #expect(explicit.every == 10 && !explicit.thinnedByBudget && explicit.thinning == nil)
        #expect(explicit.predictionEpochs.count == 10 && explicit.correlationEpochs == Array(1...100))
        #expect(explicit.fullBytes == 1_209_600 + 10 * 100_000 + 100 * 40_000)
        #expect(explicit.notice?.hasSuffix("history_every 10 keeps them as asked (the budget thins only runs that keep every epoch)") == true)
        let unlimited = HistoryPlan(parameters: parameters.with { $0.historyBudget = .unlimited }, trainCount: 16_000, labelCount: 4_000)
        #expect(unlimited.every == 1 && unlimited.thinning == nil && unlimited.notice == nil)
        // The quickstart's size (40 epochs, 474 rows, 6 labels) is far below the default budget.
        let small = HistoryPlan(parameters: parameters.with { $0.epochs = 40 }, trainCount: 474, labelCount: 6)
        #expect(small.every == 1 && small.predictionEpochs == Array(1...40) && small.thinning == nil && small.notice == nil)
    }

    @Test func budgetTextsParseToCanonicalSizes() throws {
        let cases: [(String, String?)] = [("2GB", "2GB"), ("2000MB", "2GB"), ("1.5GB", "1500MB"), ("500mb", "500MB"), ("80KB", "80KB"),
                                          ("1234B", "1234B"), ("unlimited", "unlimited"), ("0MB", nil), ("-1GB", nil), ("2", nil),
                                          ("GB", nil), ("2 PB", nil), ("nanGB", nil)]
        for (text, canonical) in cases {
            #expect(HistoryBudget(parameterText: text)?.parameterText == canonical, "\(text)")
        }
        #expect(try TrainParameters.resolve(["history-budget": ["1.5GB"]]).historyBudget == .bytes(1_500_000_000))
        #expect(throws: ParameterError.self) { try TrainParameters.resolve(["history-budget": ["lots"]]) }
    }

    /// run.json leaves out an absent budget, so runs that state none keep their run.json byte for
    /// byte, and run.json files from before the parameter are still read; a stated one round-trips.
    @Test func runJsonLeavesOutAnAbsentBudget() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("history-budget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(TrainFiles.run)
        try RunDescription(dataset: "d", labelNames: ["a"], trainCount: 3, parameters: TrainParameters()).write(to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(!text.contains("history_budget") && !text.contains("history_thinning") && text.contains("\"history_every\""))
        #expect(try RunDescription.read(from: folder).parameters == TrainParameters())
        let stated = RunDescription(dataset: "d", labelNames: ["a"], trainCount: 3, parameters: TrainParameters().with { $0.historyBudget = .bytes(80_000) },
                                    historyThinning: HistoryThinning(every: 4, budget: "80KB", fullBytes: 9, keptBytes: 8))
        try stated.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8).contains("\"history_budget\" : \"80KB\""))
        #expect(try RunDescription.read(from: folder) == stated)
        #expect(stated.correlationEpochs == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80, 84, 88, 92, 96, 100])
    }
}
