import OptimiserChoices
import Testing
@testable import Tensors
import TestSupport

/// Both weight-decay modes against PyTorch (`Fixtures/adamw.npz`, written by
/// scripts/generate_adamw_fixture.py): decoupled = `torch.optim.AdamW`, L2 = `torch.optim.Adam`,
/// three steps of a tiny mlp at a warming-up learning rate.
@Suite struct AdamWeightDecayTests {
    static let names = ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"]

    /// Runs three steps in `mode` and compares the parameters after each with `<prefix>/step<s>/<name>`.
    func matchesTorch(_ mode: WeightDecayMode, prefix: String) throws {
        let f = try Fixture(committed: "adamw")
        let shapes = [[6, 7], [6], [6, 6], [6], [5, 6], [5]]
        let parameters = zip(Self.names, shapes).map { name, shape in (name: name, tensor: Tensor.parameter(f["param/\(name)"], shape: shape)) }
        let adam = Adam(groups: [.init(parameters: parameters, learningRate: f.scalar("lr"))],
                        weightDecay: f.scalar("weight_decay"), weightDecayMode: mode)
        let x = f["input/x"], y = f["input/y"]
        for step in 1...3 {
            adam.zeroGrad()
            let graph = Graph()
            var h = graph.constant(x, shape: [4, 7])
            for layer in 0..<3 {
                h = graph.linear(h, weight: parameters[2 * layer].tensor, bias: parameters[2 * layer + 1].tensor)
                if layer < 2 { h = graph.leakyRelu(h, slope: 0.1) }
            }
            graph.backward(graph.bceWithLogitsMean(h, targets: y))
            adam.step(learningRateScale: f.scalar("scale/step\(step)"))
            for p in parameters { expectClose(p.tensor.values, f["\(prefix)/step\(step)/\(p.name)"], "\(mode) step \(step) \(p.name)") }
        }
    }

    @Test func decoupledMatchesAdamW() throws { try matchesTorch(.decoupled, prefix: "adamw") }

    @Test func l2MatchesAdam() throws { try matchesTorch(.l2, prefix: "adam") }

    /// The fixture separates the modes: after three steps they differ far beyond the tolerance.
    @Test func modesDiffer() throws {
        let f = try Fixture(committed: "adamw")
        let a = f["adamw/step3/layers.0.weight"], b = f["adam/step3/layers.0.weight"]
        #expect(zip(a, b).map { abs($0 - $1) }.max()! > 1e-2)
    }

    /// Decoupled decay with a zero gradient only shrinks: θ·(1 − lr·decay) per step, moments stay 0.
    @Test func decoupledShrinkByHand() {
        let theta = Tensor.parameter([2, -4], shape: [2])
        let adam = Adam(groups: [.init(parameters: [("theta", theta)], learningRate: 0.1)], weightDecay: 0.5, weightDecayMode: .decoupled)
        theta.zeroGrad()
        adam.step(learningRateScale: 0.5)          // lr 0.05: factor 1 − 0.025
        expectClose(theta.values, [1.95, -3.9], relative: 1e-6)
        let l2 = Tensor.parameter([2, -4], shape: [2])
        let adamL2 = Adam(groups: [.init(parameters: [("theta", l2)], learningRate: 0.1)], weightDecay: 0.5, weightDecayMode: .l2)
        l2.zeroGrad()
        adamL2.step()                              // gradient 0.5·θ, Adam's first step moves each by lr
        expectClose(l2.values, [1.9, -3.9])
    }
}
