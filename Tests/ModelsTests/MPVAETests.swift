import Formats
import Foundation
import SeededRandom
import StageKit
import Testing
import TestSupport
@testable import Models
@testable import Tensors
import TensorTestSupport

/// A fixture committed beside these tests (`scripts/generate_model_fixtures.py`).
func localFixture(_ name: String) throws -> Fixture {
    try Fixture(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("\(name).npz"))
}

/// σ(logit) of every logit: the probabilities a training loop reads.
func probabilities(_ logits: Tensor) -> [Float] { logits.values.map(stableSigmoid) }

@Suite struct MPVAETests {
    /// The fixture's sizes: b = 4, d = 7, q = 5, L = 3, r = 4, S = 6, widths 8/6, l2_decay 1e-2.
    static let fixtureHyper: [String: String] = [
        "latent_dim": "3", "z_dim": "4", "train_samples": "6", "hidden_large": "8", "hidden_small": "6", "dropout": "0", "l2_decay": "1e-2",
    ]

    static func fixtureModel(_ extra: [String: String] = [:], _ f: Fixture) throws -> MPVAEModel {
        let model = try MPVAEModel(inputDimension: 7, labelCount: 5, hyperParameters: .init(fixtureHyper.merging(extra) { $1 }), seed: 1)
        assignParameters(model, from: f)
        return model
    }

    static func pass(_ model: MPVAEModel, _ graph: Graph, x: [Float], y: [Float], b: Int, weights: [Float]? = nil,
                     noise: MPVAENoise?) -> (output: ModelOutput, terms: MPVAELossTerms) {
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                (weights ?? []).withUnsafeBufferPointer { ws in
                    model.trainingPass(graph, features: xs, targets: ys, elementWeights: weights == nil ? nil : ws, batchSize: b,
                                       noise: noise)
                }
            }
        }
    }

    static func evaluate(_ model: MPVAEModel, x: [Float], b: Int, noise: MPVAENoise?) -> [Float] {
        probabilities(x.withUnsafeBufferPointer {
            model.evaluate(Graph(recordsGradients: false), features: $0, batchSize: b, noise: noise).logits
        })
    }

    @Test func matchesPyTorchReference() throws {
        let f = try localFixture("mpvae")
        let model = try Self.fixtureModel([:], f)
        #expect(Set(model.parameters.map { "param/\($0.name)" }) == Set(f.keys(prefix: "param/")))
        let noise = MPVAENoise(latent: f["input/eps_z"], probit: f["input/eps"])
        let graph = Graph()
        let (output, terms) = Self.pass(model, graph, x: f["input/x"], y: f["input/y"], b: 4, noise: noise)
        for (name, tensor) in [("nll_e", terms.labelNLL), ("nll_x", terms.featureNLL), ("rl_e", terms.labelRanking),
                               ("rl_x", terms.featureRanking), ("kl", terms.kl), ("l2", terms.l2!), ("loss", terms.total)] {
            expectClose([tensor.scalar], [f.scalar("out/\(name)")], name)
        }
        #expect(output.loss === terms.total)
        expectClose(probabilities(output.logits), f["out/p_train"], "p_train")
        graph.backward(terms.total)
        for p in model.parameters { expectClose(p.tensor.gradientValues, f["grad/\(p.name)"], p.name) }

        let weighted = Self.pass(model, Graph(), x: f["input/x"], y: f["input/y"], b: 4, weights: f["input/weights"], noise: noise)
        expectClose([weighted.terms.featureNLL.scalar], [f.scalar("out/nll_x_weighted")], "weighted NLL")

        expectClose(Self.evaluate(model, x: f["input/x"], b: 4, noise: noise), f["out/eval_closed"], "closed-form evaluation")
        let atMean = try Self.fixtureModel(["eval_z": "mean"], f)
        expectClose(Self.evaluate(atMean, x: f["input/x"], b: 4, noise: nil), f["out/eval_mean_z"], "evaluation at z = μ")
        let sampled = try Self.fixtureModel(["eval_samples": "7"], f)
        let evalNoise = MPVAENoise(latent: f["input/eps_z"], probit: f["input/eval_eps"])
        expectClose(Self.evaluate(sampled, x: f["input/x"], b: 4, noise: evalNoise), f["out/eval_mc"], "Monte-Carlo evaluation")
    }

    // The gradient-check instance: b = 3, d = 4, q = 5, L = 3, r = 5, S = 6, widths 8/6; rows with no and with every label.
    static let tinyHyper: [String: String] = [
        "latent_dim": "3", "train_samples": "6", "hidden_large": "8", "hidden_small": "6", "dropout": "0", "l2_decay": "1e-2", "c_coeff": "2",
    ]
    static let tinyX: [Float] = {
        var generator = SeededGenerator(seed: 31)
        return Initialization.uniform(12, low: 0, high: 1, generator: &generator)
    }()
    static let tinyY: [Float] = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0]

    static func tinyNoise(samples: Int = 6, b: Int = 3, rank: Int = 5, latent: Int = 3) -> MPVAENoise {
        var generator = SeededGenerator(seed: 32)
        return MPVAENoise(latent: Initialization.normal(b * latent, generator: &generator),
                          probit: Initialization.normal(samples * b * rank, generator: &generator))
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        let model = try MPVAEModel(inputDimension: 4, labelCount: 5, hyperParameters: .init(Self.tinyHyper), seed: 5)
        let noise = Self.tinyNoise()
        let graph = Graph()
        let terms = Self.pass(model, graph, x: Self.tinyX, y: Self.tinyY, b: 3, noise: noise).terms
        graph.backward(terms.total)
        #expect(model.parameters.allSatisfy { $0.tensor.gradientValues.allSatisfy(\.isFinite) })
        checkGradients(model.parameters.map(\.tensor), step: 1e-3, relativeTolerance: 1e-2, absoluteTolerance: 2e-3) { graph in
            Self.pass(model, graph, x: Self.tinyX, y: Self.tinyY, b: 3, noise: noise).terms.total
        }
    }

    /// The factorised ranking loss equals the pairwise form (NaN → 0 for rows without pairs).
    @Test func factorisedRankingEqualsPairwise() {
        let samples = 4, b = 3, q = 5
        let t = randomParameter([samples * b, q], seed: 70), zero = Tensor([Float](repeating: 0, count: b * q), shape: [b, q])
        let graph = Graph(recordsGradients: false)
        let sums = Self.tinyY.withUnsafeBufferPointer {
            graph.probitSampleSums(noise: t, means: zero, targets: $0, floor: 1e-6, sharpness: 5).sums.values
        }
        var factorised = 0.0, pairwise = 0.0
        for s in 0..<samples {
            for n in 0..<b {
                let positives = (0..<q).filter { Self.tinyY[n * q + $0] == 1 }, negatives = (0..<q).filter { Self.tinyY[n * q + $0] == 0 }
                let pairs = Double(positives.count * negatives.count)
                factorised += Double(sums[(samples + s) * b + n]) * Double(sums[(2 * samples + s) * b + n]) / (5 * max(pairs, 1))
                var total = 0.0
                for i in positives {
                    for k in negatives {
                        let ei = normalCDF(Double(t.values[(s * b + n) * q + i])) * (1 - 1e-6) + 5e-7
                        let ek = normalCDF(Double(t.values[(s * b + n) * q + k])) * (1 - 1e-6) + 5e-7
                        total += Foundation.exp(-5 * (ei - ek))
                    }
                }
                let row = total / (5 * pairs)
                pairwise += row.isNaN ? 0 : row
            }
        }
        #expect(abs(factorised - pairwise) <= 1e-5 * pairwise, "factorised \(factorised), pairwise \(pairwise)")
    }

    /// NLL by log-sum-exp equals −log of the mean likelihood (Double), and with R = 0
    /// it is the probit cross-entropy summed over labels and averaged over rows, for any S.
    @Test(arguments: [1, 6])
    func negativeLogLikelihoodForms(samples: Int) throws {
        var hyper = Self.tinyHyper
        hyper["train_samples"] = String(samples)
        let model = try MPVAEModel(inputDimension: 4, labelCount: 5, hyperParameters: .init(hyper), seed: 7)
        let noise = Self.tinyNoise(samples: samples)
        let graph = Graph(recordsGradients: false)
        let sampled = Self.pass(model, graph, x: Self.tinyX, y: Self.tinyY, b: 3, noise: noise).terms.featureNLL.scalar
        #expect(sampled.isFinite && sampled > 0)
        model.covarianceRoot.assign([Float](repeating: 0, count: 25))
        let output = Self.pass(model, graph, x: Self.tinyX, y: Self.tinyY, b: 3, noise: noise)
        // With R = 0 every sample has t = m_x; p_train is then E itself.
        let p = probabilities(output.output.logits)
        var crossEntropy = 0.0
        for (e, y) in zip(p, Self.tinyY) { crossEntropy -= Foundation.log(Double(y == 1 ? e : 1 - e)) }
        #expect(abs(Double(output.terms.featureNLL.scalar) - crossEntropy / 3) <= 2e-4 * crossEntropy / 3)
    }

    @Test func logSumExpNLLEqualsDirectMean() {
        // ℓ[s, n] values of very different sizes: −log((1/S) Σₛ exp ℓ) in Double.
        let samples = 5, b = 2
        let values: [Float] = [-3, -50, -2.5, -60, -4, -55, -3.2, -52, -10, -51]
        let graph = Graph(recordsGradients: false)
        let lse = graph.logSumExp(Tensor(values, shape: [samples, b]), axis: 0).values
        for n in 0..<b {
            let direct = Foundation.log((0..<samples).map { Foundation.exp(Double(values[$0 * b + n])) }.reduce(0, +) / Double(samples))
            #expect(abs(Double(lse[n]) - Foundation.log(Double(samples)) - direct) < 1e-5)
        }
    }

    /// Closed form vs Monte-Carlo with S = 20000; range, shape, finiteness; the targets
    /// do not change the evaluation output.
    @Test func closedFormMatchesMonteCarlo() throws {
        let closed = try MPVAEModel(inputDimension: 4, labelCount: 5, hyperParameters: .init(Self.tinyHyper.merging(["eval_z": "mean"]) { $1 }), seed: 8)
        let sampled = try MPVAEModel(inputDimension: 4, labelCount: 5,
                                     hyperParameters: .init(Self.tinyHyper.merging(["eval_z": "mean", "eval_samples": "20000"]) { $1 }), seed: 8)
        let exact = Self.evaluate(closed, x: Self.tinyX, b: 3, noise: nil)
        let estimate = Self.evaluate(sampled, x: Self.tinyX, b: 3, noise: nil)
        #expect(exact.count == 15 && exact.allSatisfy { $0.isFinite && $0 >= 5e-7 && $0 <= 1 - 5e-7 })
        #expect(zip(exact, estimate).allSatisfy { abs($0 - $1) < 0.01 }, "\(exact) vs \(estimate)")
        #expect(Set(exact).count > 1)

        let model = try MPVAEModel(inputDimension: 4, labelCount: 5, hyperParameters: .init(Self.tinyHyper), seed: 9)
        var outputs: [[Float]] = []
        for targets in [Self.tinyY, Self.tinyY.map { 1 - $0 }] {
            model.noiseGenerator = SeededGenerator(seed: 4)
            let logits = Self.tinyX.withUnsafeBufferPointer { x in
                targets.withUnsafeBufferPointer { y in
                    model.forward(Graph(recordsGradients: false), features: x, targets: y, elementWeights: nil, batchSize: 3,
                                  training: false).logits.values
                }
            }
            outputs.append(logits)
        }
        #expect(outputs[0] == outputs[1])
    }

    /// KL ≥ 0, and 0 when both encoders give the same μ and log σ²; the corel5k size.
    @Test func klDivergenceAndParameterCount() throws {
        let model = try MPVAEModel(inputDimension: 4, labelCount: 5, hyperParameters: .init(Self.tinyHyper), seed: 10)
        let graph = Graph(recordsGradients: false)
        #expect(Self.pass(model, graph, x: Self.tinyX, y: Self.tinyY, b: 3, noise: Self.tinyNoise()).terms.kl.scalar > 0)
        for (label, feature) in zip(model.labelEncoder.suffix(2), model.featureEncoder.suffix(2)) {
            label.weight.assign([Float](repeating: 0, count: label.weight.count))
            feature.weight.assign([Float](repeating: 0, count: feature.weight.count))
            label.bias.assign([0.3, -0.2, 0.5])
            feature.bias.assign([0.3, -0.2, 0.5])
        }
        #expect(abs(Self.pass(model, graph, x: Self.tinyX, y: Self.tinyY, b: 3, noise: Self.tinyNoise()).terms.kl.scalar) < 1e-6)
        let corel5k = try MPVAEModel(inputDimension: 499, labelCount: 374, seed: 1)
        #expect(corel5k.parameterCount == 1_817_112)
        #expect(corel5k.rank == 374 && corel5k.parameters.filter { $0.name.hasSuffix(".weight") }.count == 13)
    }

    /// Which parameters each branch's terms reach.
    @Test func branchesReachTheirOwnHeads() throws {
        let model = try MPVAEModel(inputDimension: 4, labelCount: 5, hyperParameters: .init(Self.tinyHyper), seed: 11)
        func gradients(_ select: (MPVAELossTerms, Graph) -> Tensor) -> [String: [Float]] {
            let graph = Graph()
            for p in model.parameters { p.tensor.zeroGrad() }
            let terms = Self.pass(model, graph, x: Self.tinyX, y: Self.tinyY, b: 3, noise: Self.tinyNoise()).terms
            graph.backward(select(terms, graph))
            return Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.tensor.gradientValues) })
        }
        func reached(_ values: [Float]?) -> Bool { values!.contains { $0 != 0 } }
        let feature = gradients { terms, graph in graph.add(terms.featureNLL, terms.featureRanking) }
        let label = gradients { terms, graph in graph.add(terms.labelNLL, terms.labelRanking) }
        #expect(!reached(feature["label_mp_mu.weight"]) && reached(feature["feat_mp_mu.weight"]))
        #expect(!reached(label["feat_mp_mu.weight"]) && reached(label["label_mp_mu.weight"]))
        for name in ["decoder.fc1.weight", "decoder.fc2.weight", "r_sqrt_sigma"] {
            #expect(reached(feature[name]) && reached(label[name]), "\(name)")
        }
        #expect(!reached(feature["label_encoder.fc1.weight"]) && reached(label["label_encoder.fc1.weight"]))
    }

    /// The same seed gives identical losses, step after step.
    @Test func sameSeedSameLosses() throws {
        func losses() throws -> [Float] {
            let model = try MPVAEModel(inputDimension: 4, labelCount: 5, hyperParameters: .init(Self.tinyHyper.merging(["dropout": "0.5"]) { $1 }),
                                       seed: 12)
            let session = TrainingSession(model: model, learningRate: 1e-2, weightDecay: 0)
            return (0..<3).map { _ in session.step(features: Self.tinyX, targets: Self.tinyY, batchSize: 3) }
        }
        let first = try losses()
        #expect(try first == losses())
        #expect(Set(first).count == 3 && first.allSatisfy(\.isFinite))
    }

    @Test func rejectsOutOfRangeHyperParameters() throws {
        for (key, value, range) in [("train_samples", "0", "≥ 1"), ("z_dim", "0", "≥ 1"), ("latent_dim", "2.5", "≥ 1"),
                                    ("eval_samples", "-1", "≥ 0"), ("c_coeff", "-1", "≥ 0"), ("nll_coeff", "-0.1", "≥ 0"),
                                    ("beta", "inf", "≥ 0"), ("l2_decay", "-1e-5", "≥ 0"), ("dropout", "1", "[0, 1)"),
                                    ("eval_z", "2", "sample (0), mean (1)")] {
            do {
                _ = try MPVAEHyperParameters([key: value])
                Issue.record("\(key) = \(value) accepted")
            } catch {
                #expect(error.description.contains("\(key) = '\(value)'") && error.description.contains(range), "\(error.description)")
            }
        }
        let valid = ModelKind.mpvae.hyperParameters.map(\.key).sorted().joined(separator: ", ")
        #expect(throws: ParameterError.conflict("model-param", reason: "model mpvae has no hyper-parameter 'samples'; valid keys: \(valid)")) {
            try MPVAEHyperParameters(["samples": "3"])
        }
        #expect(ModelKind.mpvae.hyperParameter("eval_z")?.value(of: "mean") == 1)
        #expect(ModelKind.mpvae.hyperParameter("train_samples")?.value(of: "20") == 20)
        #expect(ModelKind.mpvae.hyperParameter("eval_z")?.value(of: "median") == nil)
    }
}
