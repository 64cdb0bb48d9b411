import StageKit
import Foundation
import SeededRandom
import Formats
import Testing
import TestSupport
@testable import Models
@testable import Tensors
import TensorTestSupport

@Suite struct ModelTests {
    static let x: [Float] = {
        var generator = SeededGenerator(seed: 21)
        return Initialization.uniform(3 * 5, low: 0, high: 1, generator: &generator)
    }()
    static let y: [Float] = [1, 0, 1, 0, 0, 1, 1, 1, 0]

    static func tiny(_ name: ModelKind) throws -> any MultiLabelModel {
        let hyper: [String: String] = switch name {
        case .dela: ["encoder_hidden_1": "4", "encoder_hidden_2": "5", "encoder_output": "4", "decoder_hidden": "4", "decoder_output": "3",
                     "dropout": "0", "gate_init": "3"]
        case .mpvae: ["latent_dim": "2", "train_samples": "3", "hidden_large": "4", "hidden_small": "3", "dropout": "0"]
        case .linear: [:]
        case .mlp, .clif: ["hidden_width": "4", "dropout": "0"]
        }
        return try ModelFactory.make(ModelHyperParameters(name, hyper), inputDimension: 5, labelCount: 3, seed: 3)
    }

    @Test(arguments: [ModelKind.mlp, .clif])
    func fullModelGradient(_ name: ModelKind) throws {
        let model = try Self.tiny(name)
        let weights: [Float] = [1, 2, 0.5, 1, 1, 3, 0.2, 1, 1]
        checkGradients(model.parameters.map(\.tensor)) { graph in
            let output = model.forward(graph, features: Self.x, batchSize: 3, training: true)
            return model.loss(graph, output, targets: Self.y, elementWeights: weights)
        }
    }

    /// dela with fixed noise; the gate parameters are left out because their straight-through
    /// gradient is by design not the derivative of the piecewise-constant hard gates (that rule
    /// is checked by the op test and by the PyTorch parity test).
    @Test func delaGradientWithFixedNoise() throws {
        let model = try #require(try Self.tiny(.dela) as? DELAModel)
        var generator = SeededGenerator(seed: 4)
        let noise = model.drawNoise(batchSize: 3)
        _ = generator.next()
        let checked = model.parameters.filter { $0.name != "gate_logits" && !$0.name.hasPrefix("scale.") }
        #expect(checked.count == model.parameters.count - 3)
        checkGradients(checked.map(\.tensor)) { graph in
            let output = Self.x.withUnsafeBufferPointer {
                model.forward(graph, features: $0, batchSize: 3, training: true, noise: noise)
            }
            return model.loss(graph, output, targets: Self.y)
        }
    }

    /// Hyper-parameters are checked once, when they are parsed, with the train contract's error:
    /// an unknown key lists the valid ones, a value out of range names what is accepted.
    @Test func parsingRejectsUnknownKeysAndValues() {
        #expect(throws: ParameterError.conflict("model-param", reason: "model mlp has no hyper-parameter 'width'; "
                                                + "valid keys: dropout, hidden_layers, hidden_width, leaky_slope")) {
            try ModelHyperParameters(.mlp, ["width": "3"])
        }
        #expect(throws: ParameterError.conflict("model-param", reason: "model mlp: hyper-parameter dropout = '1.5' must be a value in [0, 1)")) {
            try MLPHyperParameters(["dropout": "1.5"])
        }
    }

    /// ModelHyperParameters.parameterCount, which the plan's and the factory's memory checks read, counts
    /// exactly the parameters each model builds, with defaults and with every width changed.
    @Test(arguments: ModelKind.allCases)
    func parameterCountMatchesTheModels(kind: ModelKind) throws {
        let changed: [String: String] = switch kind {
        case .linear: [:]
        case .mlp: ["hidden_width": "7", "hidden_layers": "3"]
        case .clif: ["hidden_width": "7", "gin_layers": "3", "batch_norm": "1"]
        case .dela: ["encoder_hidden_1": "5", "encoder_hidden_2": "6", "encoder_output": "7", "decoder_hidden": "8", "decoder_output": "9", "latent_dimension": "4"]
        case .mpvae: ["latent_dim": "3", "z_dim": "4", "hidden_large": "9", "hidden_small": "6"]
        }
        for (given, d, q) in [([:], 11, 5), ([:], 1, 1), (changed, 4, 3), (changed, 1, 2)] {
            let hyperParameters = try ModelHyperParameters(kind, given)
            let model = try ModelFactory.make(hyperParameters, inputDimension: d, labelCount: q, seed: 1)
            #expect(hyperParameters.parameterCount(features: d, labels: q) == Double(model.parameters.map(\.tensor.count).reduce(0, +)),
                    "\(kind) \(given) d=\(d) q=\(q)")
        }
    }

    /// A model whose parameters, gradients and Adam moments exceed this machine's memory is an
    /// error naming the estimate, not an abort in the allocator ("failed to allocate … bytes").
    @Test func factoryRefusesAModelLargerThanMemory() {
        #expect {
            try ModelFactory.make(ModelHyperParameters(.mlp, ["hidden_width": "999999999", "hidden_layers": "1"]), inputDimension: 72, labelCount: 6,
                                  seed: 1)
        } throws: { error in
            "\(error)".hasPrefix("model mlp has 7.9e+10 parameters with these hyper-parameters and needs 1.26e+03 GB to train")
        }
    }

    @Test func publishedDefaultShapes() throws {
        let mlp = try ModelFactory.make(.init(defaultsOf: .mlp), inputDimension: 294, labelCount: 6, seed: 1)
        #expect(mlp.parameters.map(\.tensor.shape) == [[256, 294], [256], [256, 256], [256], [6, 256], [6]])
        let clif = try ModelFactory.make(.init(defaultsOf: .clif), inputDimension: 294, labelCount: 6, seed: 1)
        let shapes = Dictionary(uniqueKeysWithValues: clif.parameters.map { ($0.name, $0.tensor.shape) })
        #expect(shapes["feature.2.weight"] == [768, 768])
        #expect(shapes["joint.0.weight"] == [768, 768])
        #expect(shapes["gin.0.mlp.0.weight"] == [3, 6])
        #expect(shapes["classifier.weight"] == [6, 768])
    }

    @Test func sameSeedSameParametersAndPredictions() throws {
        let a = try ModelFactory.make(ModelHyperParameters(.clif, ["hidden_width": "8"]), inputDimension: 5, labelCount: 3, seed: 9)
        let b = try ModelFactory.make(ModelHyperParameters(.clif, ["hidden_width": "8"]), inputDimension: 5, labelCount: 3, seed: 9)
        #expect(a.parameters.map(\.tensor.values) == b.parameters.map(\.tensor.values))
        let sa = TrainingSession(model: a, learningRate: 1e-2, weightDecay: 1e-4)
        let sb = TrainingSession(model: b, learningRate: 1e-2, weightDecay: 1e-4)
        for _ in 0..<3 {
            sa.step(features: Self.x, targets: Self.y, batchSize: 3)
            sb.step(features: Self.x, targets: Self.y, batchSize: 3)
        }
        #expect(sa.predictProbabilities(features: Self.x, rows: 3) == sb.predictProbabilities(features: Self.x, rows: 3))
    }

    @Test func initialisationDistributions() throws {
        let model = try MLPModel(inputDimension: 400, labelCount: 3, seed: 2)
        let first = model.parameters[0].tensor.values, bias = model.parameters[1].tensor.values
        let bound = Initialization.kaimingBound(fanIn: 400, a: 0.1)
        #expect(first.allSatisfy { abs($0) <= bound })
        #expect(first.max()! > 0.9 * bound && first.min()! < -0.9 * bound)
        #expect(bias.allSatisfy { $0 >= 0 && $0 <= 0.1 })
    }

    @Test func chunkedPredictionMatchesOneChunk() throws {
        let model = try Self.tiny(.clif)
        let session = TrainingSession(model: model, learningRate: 1e-3, weightDecay: 0)
        let whole = session.predictProbabilities(features: Self.x, rows: 3, chunk: 3)
        let chunked = session.predictProbabilities(features: Self.x, rows: 3, chunk: 2)
        expectClose(chunked, whole)
        #expect(whole.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func saveAndLoadParametersAndOptimizerState() throws {
        let folder = TestSupport.temporaryFolder()
        let model = try Self.tiny(.clif)
        let session = TrainingSession(model: model, learningRate: 1e-2, weightDecay: 1e-4)
        session.step(features: Self.x, targets: Self.y, batchSize: 3)
        try ParameterArchive.save(model, to: folder.appendingPathComponent("model.npz"))
        try ParameterArchive.saveOptimizer(session.optimizer, to: folder.appendingPathComponent("adam.npz"))

        let copy = try ModelFactory.make(ModelHyperParameters(.clif, ["hidden_width": "4", "dropout": "0"]), inputDimension: 5, labelCount: 3, seed: 77)
        try ParameterArchive.load(copy, from: folder.appendingPathComponent("model.npz"))
        #expect(copy.parameters.map(\.tensor.values) == model.parameters.map(\.tensor.values))
        #expect(copy.buffers.map(\.tensor.values) == model.buffers.map(\.tensor.values))
        let resumed = TrainingSession(model: copy, learningRate: 1e-2, weightDecay: 1e-4)
        try ParameterArchive.loadOptimizer(resumed.optimizer, from: folder.appendingPathComponent("adam.npz"))
        #expect(resumed.optimizer.stepCount == 1)
        session.step(features: Self.x, targets: Self.y, batchSize: 3)
        resumed.step(features: Self.x, targets: Self.y, batchSize: 3)
        #expect(copy.parameters.map(\.tensor.values) == model.parameters.map(\.tensor.values))

        let other = try ModelFactory.make(.init(defaultsOf: .mlp), inputDimension: 5, labelCount: 3, seed: 1)
        #expect(throws: ModelError.self) { try ParameterArchive.load(other, from: folder.appendingPathComponent("model.npz")) }
    }

    @Test(arguments: ModelKind.allCases)
    func trainingStepsReusePooledBuffers(_ name: ModelKind) throws {
        let session = TrainingSession(model: try Self.tiny(name), learningRate: 1e-3, weightDecay: 0)
        session.step(features: Self.x, targets: Self.y, batchSize: 3)
        let held = session.pooledTrainingBytes
        #expect(held > 0)
        for _ in 0..<3 { session.step(features: Self.x, targets: Self.y, batchSize: 3) }
        #expect(session.pooledTrainingBytes == held)
    }

    @Test func warmup() {
        let warmup = LinearWarmup(warmupSteps: 4)
        #expect((0..<6).map { warmup.factor(step: $0) } == [0.25, 0.5, 0.75, 1, 1, 1])
    }

    @Test func elementLossesAndWeights() throws {
        let model = try Self.tiny(.mlp)
        let session = TrainingSession(model: model, learningRate: 0, weightDecay: 0)
        var losses = [Float](repeating: 0, count: 9)
        let graph = Graph(recordsGradients: false)
        let logits = model.forward(graph, features: Self.x, batchSize: 3, training: false).logits.values
        Self.x.withUnsafeBufferPointer { x in
            Self.y.withUnsafeBufferPointer { y in
                losses.withUnsafeMutableBufferPointer { out in
                    _ = session.step(features: x, targets: y, batchSize: 3, elementLosses: out)
                }
            }
        }
        expectClose(losses, Losses.bceWithLogits(logits: logits, targets: Self.y))
    }

    @Test func trainParametersBecomeHyperParametersWithNamedChoices() throws {
        var parameters = try TrainParameters.resolve(["model": ["clif"], "hidden-width": ["64"], "dropout": ["0.1"],
                                                      "model-param": ["label_graph=cooccurrence,batch-norm=1"]])
        guard case .clif(let h) = try parameters.modelHyperParameters() else {
            Issue.record("clif's train parameters gave another model's hyper-parameters")
            return
        }
        #expect(h.hiddenWidth == 64 && h.dropout == 0.1 && h.labelGraph == .cooccurrence && h.batchNorm == .on && h.ginLayers == 2)
        parameters.modelParam = ["label_graph=ring"]
        #expect(throws: ParameterError.conflict("model-param",
                                                reason: "model clif: hyper-parameter label_graph = 'ring' must be one of identity (0), cooccurrence (1)")) {
            try parameters.modelHyperParameters()
        }
    }
}
