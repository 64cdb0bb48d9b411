import Formats
import StageKit
import Testing
import TestSupport
@testable import Models
@testable import Tensors
import TensorTestSupport

/// The `linear` model (per-label logistic regression): gradients, PyTorch parity
/// (`Fixtures/linear.npz`, written by scripts/generate_linear_fixture.py), names, shapes.
@Suite struct LinearModelTests {
    @Test func gradientMatchesFiniteDifferences() throws {
        let model = try LinearModel(inputDimension: 5, labelCount: 3, seed: 4)
        let weights: [Float] = [1, 2, 0.5, 1, 1, 3, 0.2, 1, 1]
        checkGradients(model.parameters.map(\.tensor)) { graph in
            let output = model.forward(graph, features: ModelTests.x, batchSize: 3, training: true)
            return model.loss(graph, output, targets: ModelTests.y, elementWeights: weights)
        }
    }

    @Test func matchesPyTorch() throws {
        let f = try Fixture(committed: "linear")
        let model = try #require(try ModelFactory.make(.init(defaultsOf: .linear), inputDimension: 7, labelCount: 5, seed: 1) as? LinearModel)
        #expect(model.parameters.map(\.name) == ["linear.weight", "linear.bias"])
        #expect(model.parameters.map(\.tensor.shape) == [[5, 7], [5]])
        expectForwardLossAndGradients(model, f)
        expectAdamSteps(model, f, learningRate: 1e-2, weightDecay: 1e-4, steps: 2, prefix: "adam/")
    }

    @Test func pytorchDefaultInitialisationAndNoHyperParameters() throws {
        let model = try LinearModel(inputDimension: 400, labelCount: 6, seed: 2)
        let bound = 1 / Float(400).squareRoot()
        let values = model.parameters.flatMap(\.tensor.values)
        #expect(values.allSatisfy { abs($0) <= bound * 1.0001 })
        #expect(values.max()! > 0.9 * bound && values.min()! < -0.9 * bound)
        #expect(ModelKind.linear.hyperParameters.isEmpty)
        #expect(throws: ParameterError.conflict("model-param", reason: "model linear has no hyper-parameter 'dropout'; it takes none")) {
            try ModelHyperParameters(.linear, ["dropout": "0"])
        }
    }
}
