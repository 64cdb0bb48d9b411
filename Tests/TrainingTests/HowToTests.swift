import Formats
import Foundation
import Models
import SeededRandom
import StageKit
import Selectors
import Tensors
import TensorTestSupport
import Testing
import TestSupport
import Training

/// docs/how-to-selector.md and docs/how-to-model.md cannot rot: each page's Swift block is the
/// text of a file of this folder, and that file is a selector or a model that trains here.
@Suite(.serialized) struct HowToTests {
    /// The page's first ```` ```swift ```` block.
    static func swiftBlock(of page: String) throws -> String {
        let text = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent(page), encoding: .utf8)
        return try #require(text.components(separatedBy: "```swift\n").dropFirst().first?.components(separatedBy: "```").first, "\(page) has no Swift block")
    }

    @Test(arguments: [("docs/how-to-selector.md", "Tests/TrainingTests/HowTo/LossSamplingSelector.swift"),
                      ("docs/how-to-model.md", "Tests/TrainingTests/HowTo/WideAndDeepModel.swift")])
    func pageShowsTheFile(page: String, file: String) throws {
        let code = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent(file), encoding: .utf8)
        #expect(try Self.swiftBlock(of: page) == code, "the Swift block of \(page) differs from \(file); copy the file into the page")
    }

    /// Emotions fold 0, fetched and split by the real executables.
    static func emotionsFold() throws -> PreparedFold {
        let folder = TestSupport.temporaryFolder("how-to")
        let inputs = try TrainStageTests().prepareEmotions(in: folder)
        return try PreparedFold.load(dataset: URL(fileURLWithPath: inputs.dataset), split: URL(fileURLWithPath: inputs.split), fold: 0)
    }

    /// 30 epochs of the mlp (or `model`) with `selector` on emotions fold 0 through the real
    /// training loop; returns the test Macro-AUC and the output folder.
    static func train(model: ((PreparedFold, TrainParameters) throws -> any MultiLabelModel)? = nil,
                      selector: ((PreparedFold, TrainParameters) -> any BatchSelector)? = nil) throws -> Double {
        let fold = try emotionsFold()
        let parameters = TrainParameters().with {
            $0.selector = .random
            $0.epochs = 30
            $0.batchSize = 64
            $0.lr = 1e-3
            $0.weightDecay = 0
            $0.threads = 1
            $0.tensorboard = false
        }
        var components = TrainingComponents.named
        if let model { components.makeModel = model }
        if let selector { components.makeSelector = selector }
        let output = TestSupport.temporaryFolder("how-to-run")
        let summary = try TrainingRun(parameters: parameters, fold: fold, output: output, inputDigest: "how-to", components: components) { _ in }.run()
        return try #require(summary.testMetrics[.macroAUC])
    }

    @Test func lossSamplingTrainsOnEmotions() throws {
        let auc = try Self.train(selector: { fold, parameters in
            LossSamplingSelector(parameters: parameters, labels: fold.trainLabels, labelCount: fold.labelCount, seed: parameters.seed)
        })
        #expect(auc > 0.75, "test Macro-AUC \(auc)")
    }

    /// A selector restored from another's checkpoint plans the same batches.
    @Test func lossSamplingResumesWithTheSameBatches() throws {
        let q = 3, n = 40
        var generator = SeededGenerator(seed: 5, stream: "how-to")
        let labels = (0..<(n * q)).map { _ in UInt8(generator.nextInt(below: 2)) }
        let parameters = TrainParameters().with { $0.batchSize = 16; $0.warmupEpochs = 1; $0.epochs = 5 }
        let original = LossSamplingSelector(parameters: parameters, labels: labels, labelCount: q, seed: 9)
        original.observe(epoch: 1, probabilities: (0..<(n * q)).map { _ in generator.nextFloat() })
        let resumed = LossSamplingSelector(parameters: parameters, labels: labels, labelCount: q, seed: 9)
        try resumed.restore(original.checkpoint())
        let plan = original.plan(epoch: 2), again = resumed.plan(epoch: 2)
        #expect(plan.indices == again.indices && plan.offsets == again.offsets && plan.weights == again.weights)
        #expect(plan.indices.count == n && plan.batchCount == 3 && plan.weights.contains { $0 < 1 })
        #expect(throws: SelectorCheckpointError.self) { try resumed.restore(SelectorCheckpoint(window: [0.5])) }
    }

    @Test func wideAndDeepGradientsMatchFiniteDifferences() {
        let b = 4, d = 5, q = 3
        var generator = SeededGenerator(seed: 3, stream: "how-to")
        let model = WideAndDeepModel(inputDimension: d, labelCount: q, hiddenWidth: 6, dropout: 0, seed: 1)
        let x = Initialization.uniform(b * d, low: -1, high: 1, generator: &generator)
        let y = (0..<(b * q)).map { _ in Float(generator.nextInt(below: 2)) }
        checkGradients(model.parameters.map(\.tensor)) { graph in
            model.loss(graph, model.forward(graph, features: x, batchSize: b, training: true), targets: y)
        }
    }

    @Test func wideAndDeepTrainsOnEmotions() throws {
        let auc = try Self.train(model: { fold, parameters in
            WideAndDeepModel(inputDimension: fold.featureCount, labelCount: fold.labelCount, seed: parameters.seed)
        })
        #expect(auc > 0.75, "test Macro-AUC \(auc)")
    }
}
