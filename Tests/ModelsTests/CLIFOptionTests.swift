import Formats
import Foundation
import SeededRandom
import StageKit
import Testing
import TestSupport
@testable import Models
@testable import Tensors
import TensorTestSupport

@Suite struct CLIFOptionTests {
    @Test func batchNormAndCooccurrenceGraphMatchPyTorch() throws {
        let f = try localFixture("clif-batchnorm")
        let trainLabels = f["input/train_labels"].map { UInt8($0) }
        let model = try CLIFModel(inputDimension: 7, labelCount: 5, hyperParameters: .init([
            "hidden_width": "16", "dropout": "0", "batch_norm": "on", "label_graph": "cooccurrence",
        ]), seed: 1, trainingLabels: trainLabels)
        expectClose(model.adjacency.values, f["param/adjacency"], "co-occurrence graph")
        expectForwardLossAndGradients(model, f, regularizer: (1e-3, "out/link_loss"))
        // One training forward updated the running statistics once; evaluation uses them.
        for (name, tensor) in model.buffers where name.contains("running") {
            expectClose(tensor.values, f["after/\(name)"], name)
        }
        let evaluation = model.forward(Graph(recordsGradients: false), features: f["input/x"], batchSize: 4, training: false)
        expectClose(evaluation.logits.values, f["out/eval_logits"], "eval logits")
    }

    @Test func cooccurrenceGraphByHand() {
        // Rows: {0, 1}, {0}, {0, 1, 2}, {} — counts C00 = 3, C11 = 2, C22 = 1, C01 = 2, C02 = 1, C12 = 1.
        let labels: [UInt8] = [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0]
        let graph = CLIFModel.cooccurrenceGraph(labels: labels, labelCount: 3)
        let a01 = (2.0 / 3 + 2.0 / 2) / 2, a02 = (1.0 / 3 + 1.0 / 1) / 2, a12 = (1.0 / 2 + 1.0 / 1) / 2
        expectClose(graph, [0, Float(a01), Float(a02), Float(a01), 0, Float(a12), Float(a02), Float(a12), 0])
        // A label that never occurs has no edges (its count is floored at 1e-6, as the authors' code does).
        #expect(CLIFModel.cooccurrenceGraph(labels: [1, 0, 1, 0], labelCount: 2) == [0, 0, 0, 0])
    }

    @Test func optionsAreValidated() throws {
        let cooccurrence = try CLIFHyperParameters(["label_graph": "cooccurrence"])
        #expect(throws: ModelError.missingTrainingLabels(model: "clif", key: "label_graph", value: "cooccurrence")) {
            try CLIFModel(inputDimension: 3, labelCount: 2, hyperParameters: cooccurrence, seed: 1)
        }
        #expect(throws: ModelError.tooFewLabels(model: "clif", setting: "batch_norm = on (batch normalisation over the label nodes)",
                                                minimum: 2, labelCount: 1)) {
            try CLIFModel(inputDimension: 3, labelCount: 1, hyperParameters: .init(["batch_norm": "on"]), seed: 1)
        }
        #expect(throws: ParameterError.conflict("model-param",
                                                reason: "model clif: hyper-parameter label_graph = '2' must be one of identity (0), cooccurrence (1)")) {
            try CLIFHyperParameters(["label_graph": "2"])
        }
        #expect(try CLIFHyperParameters(["label_graph": "1", "batch_norm": "1"]) == .init(["label_graph": "cooccurrence", "batch_norm": "on"]))
        #expect(ModelKind.clif.hyperParameter("label_graph")?.value(of: "cooccurrence") == 1)
        #expect(ModelKind.clif.hyperParameter("batch_norm")?.value(of: "on") == 1)
        let plain = try CLIFModel(inputDimension: 3, labelCount: 2, seed: 1, trainingLabels: [1, 0, 1, 1])
        #expect(plain.adjacency.values == [1, 0, 0, 1] && !plain.parameters.contains { $0.name.contains("norm") })
        let viaFactory = try ModelFactory.make(.clif(cooccurrence), inputDimension: 3, labelCount: 2, seed: 1, trainingLabels: [1, 0, 1, 1])
        #expect(viaFactory.buffers.first { $0.name == "adjacency" }!.tensor.values == [0, 0.75, 0.75, 0])
    }

    @Test func batchNormModelGradient() throws {
        let model = try CLIFModel(inputDimension: 5, labelCount: 3, hyperParameters: .init(["hidden_width": "4", "dropout": "0", "batch_norm": "on"]),
                                  seed: 3)
        let x = ModelTests.x, y = ModelTests.y
        checkGradients(model.parameters.map(\.tensor), step: 1e-3) { graph in
            model.loss(graph, model.forward(graph, features: x, batchSize: 3, training: true), targets: y)
        }
    }

    @Test func runningStatisticsAreSavedAndRestored() throws {
        let folder = TestSupport.temporaryFolder()
        let hyper = try CLIFHyperParameters(["hidden_width": "4", "batch_norm": "on"])
        let model = try CLIFModel(inputDimension: 5, labelCount: 3, hyperParameters: hyper, seed: 4)
        let session = TrainingSession(model: model, learningRate: 1e-2, weightDecay: 0)
        session.step(features: ModelTests.x, targets: ModelTests.y, batchSize: 3)
        let running = model.buffers.filter { $0.name.hasSuffix("running_mean") }
        #expect(running.count == 4 && running.allSatisfy { $0.tensor.values.contains { $0 != 0 } })
        try ParameterArchive.save(model, to: folder.appendingPathComponent("model.npz"))
        let copy = try CLIFModel(inputDimension: 5, labelCount: 3, hyperParameters: hyper, seed: 5)
        try ParameterArchive.load(copy, from: folder.appendingPathComponent("model.npz"))
        #expect(copy.buffers.map(\.tensor.values) == model.buffers.map(\.tensor.values))
        #expect(TrainingSession(model: copy, learningRate: 0, weightDecay: 0).predictProbabilities(features: ModelTests.x, rows: 3)
            == session.predictProbabilities(features: ModelTests.x, rows: 3))
    }
}
