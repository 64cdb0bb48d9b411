import Testing
@testable import Tensors
import TestSupport
import TensorTestSupport

@Suite struct LossTests {
    @Test func bceHandValues() {
        // ℓ(0, 1) = log 2; ℓ(2, 0) = 2 + log(1 + e^-2); huge logits stay finite.
        let values = Losses.bceWithLogits(logits: [0, 2, 100, -100], targets: [1, 0, 1, 1])
        #expect(abs(values[0] - 0.693_147_2) < 1e-6)
        #expect(abs(values[1] - 2.126_928) < 1e-5)
        #expect(values[2] < 1e-6)
        #expect(abs(values[3] - 100) < 1e-4)
    }

    @Test func bceGradient() {
        let z = randomParameter([3, 4], seed: 7)
        let targets: [Float] = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0]
        let weights: [Float] = [0.5, 1, 2, 1, 1, 0.2, 1, 1, 3, 1, 1, 1]
        checkGradients([z]) { $0.bceWithLogitsMean(z, targets: targets, weights: weights) }
        checkGradients([z]) { $0.multiLabelSoftMargin(z, targets: targets) }
    }

    @Test func parity() throws {
        let f = try Fixture("losses")
        let logits = f["input/logits"], targets = f["input/targets"], weights = f["input/weights"]
        expectClose(Losses.bceWithLogits(logits: logits, targets: targets, weights: weights), f["out/bce_weighted_elementwise"])
        let z = Tensor.parameter(logits, shape: [6, 4])
        let graph = Graph()
        let mean = graph.bceWithLogitsMean(z, targets: targets, weights: weights)
        expectClose([mean.scalar], [f.scalar("out/bce_weighted_mean")])
        graph.backward(mean)
        expectClose(z.gradientValues, f["grad/bce_weighted_mean"])
        z.zeroGrad()
        let margin = graph.multiLabelSoftMargin(z, targets: targets)
        expectClose([margin.scalar], [f.scalar("out/multilabel_soft_margin")])
        graph.backward(margin)
        expectClose(z.gradientValues, f["grad/multilabel_soft_margin"])
    }
}
