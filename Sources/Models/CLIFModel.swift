import SeededRandom
import Tensors

/// `clif` (Hang & Zhang, TPAMI 2022), models.md §2: a GIN over the label graph turns a fixed
/// random label embedding E0 [q, q] into label embeddings E; the feature branch h_x [b, H] and
/// the label branch h_y = label_proj(E) [q, H] meet in z = h_x ⊙ h_y [b, q, H], which one
/// MLP layer (one [b·q, H]×[H, H] GEMM) and the per-label classifier turn into logits.
/// Loss = MultiLabelSoftMargin + link_weight · mean((A + I − cos(E_i, E_j))²).
public final class CLIFModel: MultiLabelModel {
    public static let defaults: [String: Double] = [
        "hidden_width": 768, "dropout": 0.2, "leaky_slope": 0.1, "gin_layers": 2, "link_weight": 1e-3,
    ]
    public let name = "clif"
    public let inputDimension: Int
    public let labelCount: Int
    /// Fixed label embedding E0 [q, q] ~ N(0, 1) (not trained).
    public let labelEmbedding: Tensor
    /// Label graph A [q, q] (identity by default; not trained).
    public let adjacency: Tensor
    let ginEpsilons: [Tensor]
    let ginBlocks: [MLPBlock]
    let feature: MLPBlock
    let labelProjection: LinearLayer
    let joint: MLPBlock
    let classifier: PerLabelClassifier
    let linkWeight: Float
    public var noiseGenerator: SeededGenerator

    public init(inputDimension d: Int, labelCount q: Int, hyperParameters: [String: Double] = [:], seed: UInt64) throws(ModelError) {
        guard d > 0, q > 0 else { throw .invalidDimensions(inputDimension: d, labelCount: q) }
        let h = try HyperParameters(hyperParameters, model: "clif", defaults: Self.defaults)
        let width = try h.count("hidden_width"), layers = try h.count("gin_layers")
        let dropout = try h.probability("dropout")
        let activation = Activation.leakyRelu(slope: h.float("leaky_slope"))
        var g = SeededGenerator(seed: seed, stream: "clif.init")
        inputDimension = d
        labelCount = q
        labelEmbedding = Tensor(Initialization.normal(q * q, generator: &g), shape: [q, q])
        var identity = [Float](repeating: 0, count: q * q)
        for i in 0..<q { identity[i * q + i] = 1 }
        adjacency = Tensor(identity, shape: [q, q])
        ginEpsilons = (0..<layers).map { _ in Tensor.parameter([0], shape: [1]) }
        var blocks: [MLPBlock] = []
        for l in 0..<layers {
            blocks.append(MLPBlock(prefix: "gin.\(l).mlp", widths: [q, (q + 1) / 2, q], activation: activation,
                                   dropout: dropout, generator: &g))
        }
        ginBlocks = blocks
        feature = MLPBlock(prefix: "feature", widths: [d, width, width, width], activation: activation, dropout: dropout,
                           generator: &g)
        labelProjection = LinearLayer(name: "label_proj", inputs: q, outputs: width, leakySlope: nil, generator: &g)
        joint = MLPBlock(prefix: "joint", widths: [width, width], activation: activation, dropout: dropout, generator: &g)
        classifier = PerLabelClassifier(labels: q, width: width, generator: &g)
        linkWeight = h.float("link_weight")
        noiseGenerator = SeededGenerator(seed: seed, stream: "clif.dropout")
    }

    public var parameters: [ModelParameter] {
        var list: [ModelParameter] = []
        for (l, block) in ginBlocks.enumerated() {
            list += block.parameters
            list.append(ModelParameter(name: "gin.\(l).eps", tensor: ginEpsilons[l]))
        }
        return list + feature.parameters + labelProjection.parameters + joint.parameters + classifier.parameters
    }

    public var buffers: [(name: String, tensor: Tensor)] { [("label_embedding", labelEmbedding), ("adjacency", adjacency)] }

    /// Label embeddings E [q, q] after the GIN.
    public func labelEmbeddings(_ graph: Graph, training: Bool) -> Tensor {
        var e = labelEmbedding
        for (block, epsilon) in zip(ginBlocks, ginEpsilons) {
            let mixed = graph.add(graph.multiply(graph.add(epsilon, scalar: 1), e), graph.matmul(adjacency, e))
            e = graph.add(block(graph, mixed, training: training, generator: &noiseGenerator), e)
        }
        return e
    }

    public func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize b: Int, training: Bool) -> ModelOutput {
        let q = labelCount
        let x = graph.constant(features, shape: [b, inputDimension])
        let e = labelEmbeddings(graph, training: training)
        let hx = feature(graph, x, training: training, generator: &noiseGenerator)
        let hy = labelProjection(graph, e)
        let width = hy.shape[1]
        let z = graph.multiply(graph.reshape(hx, [b, 1, width]), graph.reshape(hy, [1, q, width]))
        let logits = classifier(graph, joint(graph, z, training: training, generator: &noiseGenerator))
        let target = graph.add(adjacency, graph.constant(identityValues, shape: [q, q]))
        let residual = graph.subtract(target, graph.cosineSimilarity(e))
        let link = graph.meanAll(graph.square(residual))
        return ModelOutput(logits: logits, regularizer: graph.scale(link, by: linkWeight))
    }

    private var identityValues: [Float] {
        var values = [Float](repeating: 0, count: labelCount * labelCount)
        for i in 0..<labelCount { values[i * labelCount + i] = 1 }
        return values
    }
}
