import Formats
import Testing
@testable import Models
@testable import Tensors
import TestSupport

/// Loads the fixture's `param/<name>` values into every parameter and buffer of `model`.
func assignParameters(_ model: any MultiLabelModel, from fixture: Fixture) {
    for (name, tensor) in model.parameters.map({ ($0.name, $0.tensor) }) + model.buffers {
        let values = fixture["param/\(name)"]
        #expect(values.count == tensor.count, "\(name): fixture has \(values.count) values, model \(tensor.shape)")
        if values.count == tensor.count { tensor.assign(values) }
    }
}

/// Loads the fixture's parameters and buffers, then checks the training-mode logits (`out/logits`),
/// the model's regularizer (`scale` × the fixture's `key`, e.g. clif's link loss), the loss
/// (`out/loss`) and every parameter gradient (`grad/<name>`) on the 4 rows of `input/x`, `input/y`.
func expectForwardLossAndGradients(_ model: any MultiLabelModel, _ f: Fixture, regularizer: (scale: Float, key: String)? = nil,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
    let names = Set((model.parameters.map(\.name) + model.buffers.map(\.name)).map { "param/\($0)" })
    #expect(names == Set(f.keys(prefix: "param/")), sourceLocation: sourceLocation)
    assignParameters(model, from: f)
    let graph = Graph()
    let output = model.forward(graph, features: f["input/x"], batchSize: 4, training: true)
    expectClose(output.logits.values, f["out/logits"], "logits", sourceLocation: sourceLocation)
    if let regularizer {
        expectClose([output.regularizer!.scalar], [regularizer.scale * f.scalar(regularizer.key)], regularizer.key, sourceLocation: sourceLocation)
    }
    let loss = model.loss(graph, output, targets: f["input/y"])
    expectClose([loss.scalar], [f.scalar("out/loss")], "loss", sourceLocation: sourceLocation)
    graph.backward(loss)
    for p in model.parameters { expectClose(p.tensor.gradientValues, f["grad/\(p.name)"], p.name, sourceLocation: sourceLocation) }
}

/// Loads the fixture's parameters, runs `steps` Adam steps on its batch and compares the
/// parameters after each with `<prefix>step<s>/<name>`.
func expectAdamSteps(_ model: any MultiLabelModel, _ f: Fixture, learningRate: Float, weightDecay: Float, steps: Int,
                     prefix: String, sourceLocation: SourceLocation = #_sourceLocation) {
    assignParameters(model, from: f)
    let session = TrainingSession(model: model, learningRate: learningRate, weightDecay: weightDecay)
    for step in 1...steps {
        session.step(features: f["input/x"], targets: f["input/y"], batchSize: 4)
        for p in model.parameters {
            expectClose(p.tensor.values, f["\(prefix)step\(step)/\(p.name)"], "step \(step) \(p.name)", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct ModelParityTests {
    @Test func mlp() throws {
        let model = try MLPModel(inputDimension: 7, labelCount: 5, hyperParameters: .init(["hidden_width": "6", "dropout": "0"]), seed: 1)
        expectForwardLossAndGradients(model, try Fixture("mlp"))
    }

    @Test func adamThreeSteps() throws {
        let model = try MLPModel(inputDimension: 7, labelCount: 5, hyperParameters: .init(["hidden_width": "6", "dropout": "0"]), seed: 1)
        expectAdamSteps(model, try Fixture("adam"), learningRate: 1e-3, weightDecay: 1e-4, steps: 3, prefix: "")
    }

    @Test func clif() throws {
        let f = try Fixture("clif")
        let model = try CLIFModel(inputDimension: 7, labelCount: 5, hyperParameters: .init(["hidden_width": "16", "dropout": "0"]), seed: 1)
        expectForwardLossAndGradients(model, f, regularizer: (1e-3, "out/link_loss"))
        expectClose(model.labelEmbeddings(Graph(), training: false).values, f["out/label_embeddings"], "label embeddings")
        #expect(model.labelEmbedding.gradient == nil)
    }

    @Test func dela() throws {
        let f = try Fixture("dela")
        let model = try DELAModel(inputDimension: 7, labelCount: 5, hyperParameters: .init([
            "encoder_hidden_1": "6", "encoder_hidden_2": "8", "encoder_output": "6", "decoder_hidden": "6", "decoder_output": "8",
            "dropout": "0",
        ]), seed: 1)
        #expect(model.latentDimension == 4)
        #expect(Set(model.parameters.map { "param/\($0.name)" }) == Set(f.keys(prefix: "param/")))
        assignParameters(model, from: f)
        let noise = DelaNoise(uniforms: f["input/gumbel_uniforms"], normals: f["input/eps"])
        let graph = Graph()
        let output = f["input/x"].withUnsafeBufferPointer {
            model.forward(graph, features: $0, batchSize: 4, training: true, noise: noise)
        }
        expectClose(output.logits.values, f["out/logits"], "logits")
        expectClose([output.regularizer!.scalar], [1e-4 * f.scalar("out/kl")], "kl", relative: 2e-4)
        let loss = model.loss(graph, output, targets: f["input/y"])
        expectClose([loss.scalar], [f.scalar("out/loss")], "loss")
        graph.backward(loss)
        for p in model.parameters { expectClose(p.tensor.gradientValues, f["grad/\(p.name)"], p.name) }
        let evaluation = model.forward(Graph(recordsGradients: false), features: f["input/x"], batchSize: 4, training: false)
        expectClose(evaluation.logits.values, f["out/eval_logits"], "eval logits")
        #expect(model.parameters.filter { $0.learningRateMultiplier == 0.8 }.map(\.name) == ["gate_logits", "scale.weight", "scale.bias"])
    }
}
