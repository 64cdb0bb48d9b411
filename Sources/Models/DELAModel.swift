import Formats
import SeededRandom
import Tensors

/// Sampling noise of one `dela` training forward pass (drawn from the model's generator
/// unless given, e.g. by a parity test).
public struct DelaNoise {
    /// Uniforms in (0, 1) for the binary-Concrete gates, [q, D].
    public var uniforms: [Float]
    /// Standard normals for the reparameterisation, [b, q, D].
    public var normals: [Float]
    public init(uniforms: [Float], normals: [Float]) {
        self.uniforms = uniforms
        self.normals = normals
    }
}

/// `dela` (Hang & Zhang, ICML 2022), docs/models.md §3: a ReLU encoder gives μ, log σ² [b, D];
/// learnable gate logits G [q, D] (through the `scale` layer) give hard binary-Concrete gates
/// s (straight-through) that choose, per label, which latent dimensions receive noise:
/// z_k = μ + s_k ⊙ σ ⊙ ε [b, q, D]; a ReLU decoder on concat(x, z_k) and the per-label
/// classifier give the logits. The decoder's first Linear runs on the x-columns once per
/// sample and on the z-columns per label, so the [b, q, d + D] concatenation is never built. Loss = q · MultiLabelSoftMargin + kl_weight · KL (training).
/// The gate logits and the scale layer learn at `gate_lr_multiplier` × the base rate.
public final class DELAModel: MultiLabelModel {
    public let name = "dela"
    public let inputDimension: Int
    public let labelCount: Int
    public let latentDimension: Int
    let encoder: MLPBlock
    let mean: LinearLayer
    let logVariance: LinearLayer
    let gateLogits: Tensor
    let gateScale: LinearLayer
    let decoder: MLPBlock
    let classifier: PerLabelClassifier
    let temperature: Float, klWeight: Float, gateMultiplier: Float
    public var noiseGenerator: SeededGenerator

    public init(inputDimension d: Int, labelCount q: Int, hyperParameters h: DELAHyperParameters = .init(), seed: UInt64) throws(ModelError) {
        guard d > 0, q > 0 else { throw .invalidDimensions(inputDimension: d, labelCount: q) }
        let latent = h.latentDimension == 0 ? (d + 1) / 2 : h.latentDimension
        let e1 = h.encoderHidden1, e2 = h.encoderHidden2, e3 = h.encoderOutput
        let d1 = h.decoderHidden, d2 = h.decoderOutput
        var g = SeededGenerator(seed: seed, stream: "dela.init")
        inputDimension = d
        labelCount = q
        latentDimension = latent
        encoder = MLPBlock(prefix: "encoder", widths: [d, e1, e2, e3], activation: .relu, dropout: Float(h.dropout),
                           generator: &g)
        mean = LinearLayer(name: "fc_mu", inputs: e3, outputs: latent, leakySlope: nil, generator: &g)
        logVariance = LinearLayer(name: "fc_logvar", inputs: e3, outputs: latent, leakySlope: nil, generator: &g)
        let bound = Float(h.gateInit)
        gateLogits = .parameter(Initialization.uniform(q * latent, low: -bound, high: bound, generator: &g), shape: [q, latent])
        gateScale = LinearLayer(name: "scale", inputs: latent, outputs: latent, leakySlope: nil, generator: &g)
        gateScale.bias.assign([Float](repeating: 2, count: latent))
        decoder = MLPBlock(prefix: "decoder", widths: [d + latent, d1, d2], activation: .relu, dropout: 0, generator: &g)
        classifier = PerLabelClassifier(labels: q, width: d2, generator: &g)
        temperature = Float(h.temperature)
        klWeight = Float(h.klWeight)
        gateMultiplier = Float(h.gateLrMultiplier)
        noiseGenerator = SeededGenerator(seed: seed, stream: "dela.noise")
    }

    public var parameters: [ModelParameter] {
        encoder.parameters + mean.parameters + logVariance.parameters
            + [ModelParameter(name: "gate_logits", tensor: gateLogits, learningRateMultiplier: gateMultiplier)]
            + gateScale.parameters.map { ModelParameter(name: $0.name, tensor: $0.tensor, learningRateMultiplier: gateMultiplier) }
            + decoder.parameters + classifier.parameters
    }

    public var buffers: [(name: String, tensor: Tensor)] { [] }

    public func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize: Int, training: Bool) -> ModelOutput {
        forward(graph, features: features, batchSize: batchSize, training: training, noise: nil)
    }

    /// Fresh noise from the model's generator: uniforms in (0, 1) and standard normals.
    func drawNoise(batchSize b: Int) -> DelaNoise {
        let q = labelCount, latent = latentDimension
        var uniforms = [Float](repeating: 0, count: q * latent)
        for i in 0..<uniforms.count { uniforms[i] = (Float(noiseGenerator.next() >> 40) + 0.5) / 16_777_216 }
        var normals = [Float](repeating: 0, count: b * q * latent)
        for i in 0..<normals.count { normals[i] = Float(noiseGenerator.nextGaussian()) }
        return DelaNoise(uniforms: uniforms, normals: normals)
    }

    /// Forward pass; in training `noise` (or fresh noise when nil) drives gates and sampling.
    public func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize b: Int, training: Bool,
                        noise: DelaNoise?) -> ModelOutput {
        let q = labelCount, latent = latentDimension, d = inputDimension
        let x = graph.constant(features, shape: [b, d])
        let h = encoder(graph, x, training: training, generator: &noiseGenerator)
        let mu = mean(graph, h), logVar = logVariance(graph, h)
        let muRows = graph.reshape(mu, [b, 1, latent])
        let z: Tensor
        var regularizer: Tensor?
        if training {
            let noise = noise ?? drawNoise(batchSize: b)
            var logistic = noise.uniforms
            for i in 0..<logistic.count { logistic[i] = logf(logistic[i]) - log1pf(-logistic[i]) }
            let logits = gateScale(graph, gateLogits)
            let soft = graph.sigmoid(graph.scale(graph.add(graph.constant(logistic, shape: [q, latent]), logits), by: 1 / temperature))
            let gates = graph.straightThroughThreshold(soft)
            let gateRows = graph.reshape(gates, [1, q, latent])
            let std = graph.reshape(graph.exp(graph.scale(logVar, by: 0.5)), [b, 1, latent])
            let spread = graph.multiply(graph.multiply(gateRows, std), graph.constant(noise.normals, shape: [b, q, latent]))
            z = graph.add(muRows, spread)
            // K_bjk = −log σ²_bk − 2 log(s_jk + 1e-6) − 1 + σ²_bk s_jk² + μ_bk²; KL = mean_(b,j) ½ Σ_k K_bjk.
            let logVarRows = graph.reshape(logVar, [b, 1, latent])
            let logGates = graph.scale(graph.log(graph.add(gateRows, scalar: 1e-6)), by: -2)
            var k = graph.add(graph.subtract(logGates, logVarRows), graph.multiply(graph.exp(logVarRows), graph.square(gateRows)))
            k = graph.add(graph.add(k, graph.square(muRows)), scalar: -1)
            regularizer = graph.scale(graph.sumAll(k), by: 0.5 * klWeight / Float(b * q))
        } else {
            z = graph.expand(muRows, to: [b, q, latent])
        }
        // decoder.0 on concat(x broadcast over labels, z) = (x-part once per sample) + (z-part per label).
        let first = decoder.layers[0]
        let fromX = graph.linear(x, weight: first.weight, columns: 0..<d, bias: first.bias)
        let fromZ = graph.linear(z, weight: first.weight, columns: d..<(d + latent), bias: nil)
        let summed = graph.add(graph.reshape(fromX, [b, 1, fromX.shape[1]]), fromZ)
        let decoded = decoder.continuing(graph, firstLinearOutput: summed, training: training, generator: &noiseGenerator)
        return ModelOutput(logits: classifier(graph, decoded), classificationScale: Float(q), regularizer: regularizer)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
