#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Formats
import SeededRandom
import Tensors

/// The random draws of one mpvae forward pass (drawn from the model's generator unless given,
/// e.g. by a gradient check or a PyTorch fixture).
public struct MPVAENoise {
    /// ε_z [b, L]: one latent draw shared by both branches.
    public var latent: [Float]
    /// ε [S, b, r]: the probit draws shared by both branches (training: S = train_samples;
    /// Monte-Carlo evaluation: S = eval_samples; unused by the closed-form evaluation).
    public var probit: [Float]
    public init(latent: [Float], probit: [Float]) {
        self.latent = latent
        self.probit = probit
    }
}

/// The terms of an mpvae training loss, each [1] and not yet multiplied by its coefficient.
public struct MPVAELossTerms {
    /// −log of the Monte-Carlo averaged joint likelihood, label and feature branch.
    public let labelNLL: Tensor, featureNLL: Tensor
    /// The factorised ranking loss, label and feature branch.
    public let labelRanking: Tensor, featureRanking: Tensor
    /// KL(label posterior ‖ feature prior), mean over rows.
    public let kl: Tensor
    /// ½ · l2_decay · Σ‖W‖² over the 13 weight matrices (nil when l2_coeff or l2_decay is 0).
    public let l2: Tensor?
    /// l2_coeff·L2 + nll_coeff·(NLL_e + NLL_x) + c_coeff·(RL_e + RL_x) + beta·KL.
    public let total: Tensor
}

/// `mpvae` (Bai, Kong & Gomes, IJCAI 2020) as the authors' TensorFlow code computes it
/// (docs/models.md §4): a label encoder on concat(x, y) and a feature encoder on x give Gaussian
/// latents; one draw ε_z gives z_e and z_x; a shared decoder on concat(x, z) and two heads give
/// the probit means m_e, m_x [b, q]; a trained covariance root R [q, r] (Σ = RRᵀ + I) turns
/// S draws ε [S, b, r] into correlated noise N = ε·Rᵀ, one [S·b, r]×[r, q] GEMM shared by
/// both branches; E = Φ(N + m)(1 − 1e-6) + 5e-7.
/// Loss = l2_coeff·½·l2_decay·Σ‖W‖² + nll_coeff·(NLL_e + NLL_x) + c_coeff·(RL_e + RL_x) + beta·KL.
/// Training returns the logits of p_train = mean over S of E_x (the original's `indiv_prob`);
/// evaluation uses the feature branch only, by the closed form Φ(m/√(1 + Σₖ R²ⱼₖ)) or by
/// Monte-Carlo (`eval_samples` > 0), with z sampled or z = μ_x (`eval_z`).
public final class MPVAEModel: MultiLabelModel {
    /// ε1 of E = Φ(t)(1 − ε1) + ε1/2 and the factor κ of the ranking loss's e^(−κ(E_i − E_k)).
    static let probabilityFloor: Float = 1e-6, rankingSharpness: Float = 5

    public let name = "mpvae"
    public let inputDimension: Int
    public let labelCount: Int
    /// L, r, S (training) and S_eval (0: closed form).
    public let latentDimension: Int, rank: Int, trainSamples: Int, evaluationSamples: Int
    /// Evaluation uses z = μ_x instead of a sample.
    public let evaluatesAtMean: Bool
    /// label_encoder.{fc1, fc2, mu, logvar}.
    let labelEncoder: [LinearLayer]
    /// feat_encoder.{fc1, fc2, fc3, mu, logvar}.
    let featureEncoder: [LinearLayer]
    /// decoder.{fc1, fc2}, shared by both branches.
    let decoder: [LinearLayer]
    let labelHead: LinearLayer, featureHead: LinearLayer
    /// `r_sqrt_sigma` R [q, r].
    let covarianceRoot: Tensor
    let dropout: Float, nllCoefficient: Float, rankingCoefficient: Float, beta: Float, l2Coefficient: Float, l2Decay: Float
    public var noiseGenerator: SeededGenerator

    public init(inputDimension d: Int, labelCount q: Int, hyperParameters h: MPVAEHyperParameters = .init(), seed: UInt64) throws(ModelError) {
        guard d > 0, q > 0 else { throw .invalidDimensions(inputDimension: d, labelCount: q) }
        let latent = h.latentDim, r = h.zDim ?? q
        let large = h.hiddenLarge, small = h.hiddenSmall
        inputDimension = d
        labelCount = q
        latentDimension = latent
        rank = r
        trainSamples = h.trainSamples
        evaluationSamples = h.evalSamples
        evaluatesAtMean = h.evalZ == .mean
        dropout = Float(h.dropout)
        nllCoefficient = Float(h.nllCoeff)
        rankingCoefficient = Float(h.cCoeff)
        beta = Float(h.beta)
        l2Coefficient = Float(h.l2Coeff)
        l2Decay = Float(h.l2Decay)
        var g = SeededGenerator(seed: seed, stream: "mpvae.init")
        func layer(_ name: String, _ inputs: Int, _ outputs: Int) -> LinearLayer {
            LinearLayer(xavier: name, inputs: inputs, outputs: outputs, generator: &g)
        }
        labelEncoder = [layer("label_encoder.fc1", d + q, large), layer("label_encoder.fc2", large, small),
                        layer("label_encoder.mu", small, latent), layer("label_encoder.logvar", small, latent)]
        featureEncoder = [layer("feat_encoder.fc1", d, small), layer("feat_encoder.fc2", small, large),
                          layer("feat_encoder.fc3", large, small), layer("feat_encoder.mu", small, latent),
                          layer("feat_encoder.logvar", small, latent)]
        decoder = [layer("decoder.fc1", d + latent, small), layer("decoder.fc2", small, large)]
        labelHead = layer("label_mp_mu", large, q)
        featureHead = layer("feat_mp_mu", large, q)
        let bound = Float((6 / Double(q + r)).squareRoot())
        covarianceRoot = .parameter(Initialization.uniform(q * r, low: -bound, high: bound, generator: &g), shape: [q, r])
        noiseGenerator = SeededGenerator(seed: seed, stream: "mpvae.noise")
    }

    public var parameters: [ModelParameter] {
        (labelEncoder + featureEncoder + decoder + [labelHead, featureHead]).flatMap(\.parameters)
            + [ModelParameter(name: "r_sqrt_sigma", tensor: covarianceRoot)]
    }

    public var buffers: [(name: String, tensor: Tensor)] { [] }

    /// Evaluation (`training` false). The training forward needs the targets: use
    /// `forward(_:features:targets:elementWeights:batchSize:training:)`.
    public func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize: Int, training: Bool) -> ModelOutput {
        precondition(!training, "mpvae's training forward reads the labels: pass the targets")
        return evaluate(graph, features: features, batchSize: batchSize, noise: nil)
    }

    /// Training: both branches, the loss in `ModelOutput.loss` (element weights multiply the
    /// per-label log-likelihood terms) and the logits of p_train. Evaluation ignores the targets.
    public func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>,
                        elementWeights: UnsafeBufferPointer<Float>?, batchSize: Int, training: Bool) -> ModelOutput {
        guard training else { return evaluate(graph, features: features, batchSize: batchSize, noise: nil) }
        return trainingPass(graph, features: features, targets: targets, elementWeights: elementWeights,
                            batchSize: batchSize, noise: nil).output
    }

    /// The training forward pass and its loss terms. Draws, in this order, from `noise` or else
    /// from `noiseGenerator`: the dropout masks (label encoder, then feature encoder), ε_z [b, L],
    /// ε [S, b, r]. O(S·b·q·r) for the projection, O(b·widths) for the networks.
    public func trainingPass(_ graph: Graph, features: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>,
                             elementWeights: UnsafeBufferPointer<Float>?, batchSize b: Int,
                             noise: MPVAENoise?) -> (output: ModelOutput, terms: MPVAELossTerms) {
        let d = inputDimension, q = labelCount, samples = trainSamples
        precondition(features.count == b * d && targets.count == b * q, "mpvae: \(features.count) features, \(targets.count) targets for \(b) rows")
        let x = graph.constant(features, shape: [b, d]), y = graph.constant(targets, shape: [b, q])
        let (muE, logVarE) = encode(graph, labelEncoder, graph.concat([x, y], axis: 1), training: true)
        let (muX, logVarX) = encode(graph, featureEncoder, x, training: true)
        let epsilonZ = draw(graph, noise?.latent, shape: [b, latentDimension])
        let zE = sample(graph, muE, logVarE, epsilonZ), zX = sample(graph, muX, logVarX, epsilonZ)
        let decoded = decode(graph, x, graph.concat([zE, zX], axis: 0), copies: 2)
        let meanE = labelHead(graph, graph.gatherRows(decoded, Array(0..<b)))
        let meanX = featureHead(graph, graph.gatherRows(decoded, Array(b..<(2 * b))))
        let epsilon = draw(graph, noise?.probit, shape: [samples * b, rank])
        let shared = graph.matmul(epsilon, covarianceRoot, transposeB: true)
        let labelSums = graph.probitSampleSums(noise: shared, means: meanE, targets: targets, weights: elementWeights,
                                               floor: Self.probabilityFloor, sharpness: Self.rankingSharpness)
        let featureSums = graph.probitSampleSums(noise: shared, means: meanX, targets: targets, weights: elementWeights,
                                                 floor: Self.probabilityFloor, sharpness: Self.rankingSharpness)
        var pairFactors = [Float](repeating: 0, count: b)
        for n in 0..<b {
            var positives: Float = 0
            for j in 0..<q { positives += targets[n * q + j] }
            pairFactors[n] = 1 / (Self.rankingSharpness * max(positives * (Float(q) - positives), 1))
        }
        let pairs = graph.constant(pairFactors, shape: [b])
        let labelNLL = negativeLogLikelihood(graph, labelSums.sums), featureNLL = negativeLogLikelihood(graph, featureSums.sums)
        let labelRanking = ranking(graph, labelSums.sums, pairs), featureRanking = ranking(graph, featureSums.sums, pairs)
        let kl = divergence(graph, muE, logVarE, muX, logVarX)
        var total = graph.add(graph.scale(graph.add(labelNLL, featureNLL), by: nllCoefficient),
                              graph.scale(graph.add(labelRanking, featureRanking), by: rankingCoefficient))
        total = graph.add(total, graph.scale(kl, by: beta))
        var l2: Tensor?
        if l2Coefficient > 0 && l2Decay > 0 {
            let weights = (labelEncoder + featureEncoder + decoder + [labelHead, featureHead]).map(\.weight)
            let norms = weights.map { graph.sumAll(graph.square($0)) }
            let squares = norms.dropFirst().reduce(norms[0]) { graph.add($0, $1) }
            l2 = graph.scale(squares, by: 0.5 * l2Decay)
            total = graph.add(total, graph.scale(l2!, by: l2Coefficient))
        }
        let terms = MPVAELossTerms(labelNLL: labelNLL, featureNLL: featureNLL, labelRanking: labelRanking,
                                   featureRanking: featureRanking, kl: kl, l2: l2, total: total)
        return (ModelOutput(logits: featureSums.meanLogits, loss: total), terms)
    }

    /// The evaluation forward pass (feature branch, no dropout): logits of p = Φ(m/√(1 + Σₖ R²ⱼₖ))
    /// (closed form) or of the mean of E over `eval_samples` draws. Draws ε_z [b, L] unless
    /// `eval_z` is mean, then (Monte-Carlo only) ε in chunks of at most 100 samples.
    public func evaluate(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize b: Int, noise: MPVAENoise?) -> ModelOutput {
        let d = inputDimension, q = labelCount
        precondition(features.count == b * d, "mpvae: \(features.count) features for \(b) rows of \(d)")
        let x = graph.constant(features, shape: [b, d])
        let (muX, logVarX) = encode(graph, featureEncoder, x, training: false)
        let z = evaluatesAtMean ? muX : sample(graph, muX, logVarX, draw(graph, noise?.latent, shape: [b, latentDimension]))
        let means = featureHead(graph, decode(graph, x, z, copies: 1))
        var probability = [Float](repeating: 0, count: b * q), complement = probability, logits = probability
        if evaluationSamples == 0 {
            var scaled = means.values
            let root = covarianceRoot.data
            for j in 0..<q {
                var total: Float = 1
                for k in 0..<rank { total += root[j * rank + k] * root[j * rank + k] }
                let inverse = 1 / total.squareRoot()
                for n in 0..<b { scaled[n * q + j] *= inverse }
            }
            Probit.probabilities(scaled, count: b * q, floor: Self.probabilityFloor, into: &probability, complement: &complement)
        } else {
            monteCarloMeans(graph, means: means, noise: noise?.probit, probability: &probability, complement: &complement)
        }
        Probit.logits(probability, complement, count: b * q, into: &logits)
        return ModelOutput(logits: graph.constant(logits, shape: [b, q]))
    }

    /// Sums over `eval_samples` draws of E and of 1 − E (accumulated in Double, returned as Float).
    private func monteCarloMeans(_ graph: Graph, means: Tensor, noise: [Float]?, probability: inout [Float],
                                 complement: inout [Float]) {
        let width = means.count, b = means.shape[0]
        var sumP = [Double](repeating: 0, count: width), sumC = sumP
        var buffer = [Float](repeating: 0, count: 100 * width), rest = buffer
        var start = 0
        while start < evaluationSamples {
            let chunk = min(100, evaluationSamples - start)
            let epsilon = noise.map { graph.constant(Array($0[(start * b * rank)..<((start + chunk) * b * rank)]), shape: [chunk * b, rank]) }
                ?? graph.standardNormal(shape: [chunk * b, rank], generator: &noiseGenerator)
            let t = graph.add(graph.reshape(graph.matmul(epsilon, covarianceRoot, transposeB: true), [chunk, b, labelCount]), means)
            Probit.probabilities(t.data, count: chunk * width, floor: Self.probabilityFloor, into: &buffer, complement: &rest)
            for s in 0..<chunk {
                for i in 0..<width {
                    sumP[i] += Double(buffer[s * width + i])
                    sumC[i] += Double(rest[s * width + i])
                }
            }
            start += chunk
        }
        for i in 0..<width {
            probability[i] = Float(sumP[i] / Double(evaluationSamples))
            complement[i] = Float(sumC[i] / Double(evaluationSamples))
        }
    }

    /// An encoder: ReLU → dropout after every layer but the μ and log-variance heads (the last two).
    private func encode(_ graph: Graph, _ layers: [LinearLayer], _ input: Tensor, training: Bool) -> (Tensor, Tensor) {
        var h = input
        for layer in layers.dropLast(2) {
            h = graph.dropout(graph.relu(layer(graph, h)), p: dropout, training: training, generator: &noiseGenerator)
        }
        return (layers[layers.count - 2](graph, h), layers[layers.count - 1](graph, h))
    }

    /// z = μ + ε ⊙ exp(log σ² / 2).
    private func sample(_ graph: Graph, _ mu: Tensor, _ logVariance: Tensor, _ epsilon: Tensor) -> Tensor {
        graph.add(mu, graph.multiply(epsilon, graph.exp(graph.scale(logVariance, by: 0.5))))
    }

    /// The shared decoder on concat(x, z) for `copies` stacked latents z [copies·b, L] → [copies·b, large]:
    /// fc1's x-columns run once per row of x, its z-columns on every latent row.
    private func decode(_ graph: Graph, _ x: Tensor, _ z: Tensor, copies: Int) -> Tensor {
        let d = inputDimension, b = x.shape[0], first = decoder[0], width = first.weight.shape[0]
        let fromX = graph.linear(x, weight: first.weight, columns: 0..<d, bias: first.bias)
        let fromZ = graph.linear(z, weight: first.weight, columns: d..<(d + latentDimension), bias: nil)
        let hidden = graph.relu(graph.add(graph.reshape(fromZ, [copies, b, width]), graph.reshape(fromX, [1, b, width])))
        return graph.relu(decoder[1](graph, graph.reshape(hidden, [copies * b, width])))
    }

    /// −(1/b) Σₙ (logsumexp over S of ℓ[s, n] − log S) from the [3, S, b] sums.
    private func negativeLogLikelihood(_ graph: Graph, _ sums: Tensor) -> Tensor {
        let samples = sums.shape[1], b = sums.shape[2]
        let likelihood = graph.reshape(graph.gatherRows(sums, [0]), [samples, b])
        return graph.add(graph.scale(graph.meanAll(graph.logSumExp(likelihood, axis: 0)), by: -1), scalar: logf(Float(samples)))
    }

    /// Mean over (s, n) of A·B/(κ·max(P·N, 1)), `pairs` [b] holding 1/(κ·max(P·N, 1)).
    private func ranking(_ graph: Graph, _ sums: Tensor, _ pairs: Tensor) -> Tensor {
        graph.meanAll(graph.multiply(graph.multiply(graph.gatherRows(sums, [1]), graph.gatherRows(sums, [2])), pairs))
    }

    /// (1/b) Σₙ ½ Σₗ [(lv_x − lv_e) − 1 + exp(lv_e − lv_x) + (μ_x − μ_e)² / (exp(lv_x) + 1e-6)].
    private func divergence(_ graph: Graph, _ muE: Tensor, _ logVarE: Tensor, _ muX: Tensor, _ logVarX: Tensor) -> Tensor {
        let spread = graph.add(graph.subtract(logVarX, logVarE), graph.exp(graph.subtract(logVarE, logVarX)))
        let distance = graph.divide(graph.square(graph.subtract(muX, muE)), graph.add(graph.exp(logVarX), scalar: 1e-6))
        let b = Float(muE.shape[0]), latent = Float(latentDimension)
        return graph.add(graph.scale(graph.sumAll(graph.add(spread, distance)), by: 0.5 / b), scalar: -0.5 * latent)
    }

    /// The given draws as a constant, or fresh standard normals from the noise generator.
    private func draw(_ graph: Graph, _ given: [Float]?, shape: [Int]) -> Tensor {
        guard let given else { return graph.standardNormal(shape: shape, generator: &noiseGenerator) }
        precondition(given.count == shape.reduce(1, *), "mpvae: \(given.count) given draws for shape \(shape)")
        return graph.constant(given, shape: shape)
    }
}

extension LinearLayer {
    /// A Linear layer with Xavier-uniform weight U(±√(6/(in + out))) and zero bias (the
    /// default of TF-slim's `fully_connected`, used by the original mpvae).
    init(xavier name: String, inputs: Int, outputs: Int, generator: inout SeededGenerator) {
        self.name = name
        let bound = Float((6 / Double(inputs + outputs)).squareRoot())
        weight = .parameter(Initialization.uniform(inputs * outputs, low: -bound, high: bound, generator: &generator),
                            shape: [outputs, inputs])
        bias = .parameter([Float](repeating: 0, count: outputs), shape: [outputs])
    }
}
