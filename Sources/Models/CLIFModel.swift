import Formats
import SeededRandom
import Tensors

/// `clif` (Hang & Zhang, TPAMI 2022), docs/models.md §2: a GIN over the label graph turns a fixed
/// random label embedding E0 [q, q] into label embeddings E; the feature branch h_x [b, H] and
/// the label branch h_y = label_proj(E) [q, H] meet in z = h_x ⊙ h_y [b, q, H], which one
/// MLP layer (one [b·q, H]×[H, H] GEMM) and the per-label classifier turn into logits.
/// Loss = MultiLabelSoftMargin + link_weight · mean((A + I − cos(E_i, E_j))²).
/// Options (off by default): `batch_norm` = on batch-normalises every GIN MLP layer over the q
/// label nodes (Linear → BatchNorm → LeakyReLU → Dropout, as the authors' code); `label_graph` =
/// cooccurrence uses the authors' symmetrised conditional co-occurrence of the training labels
/// as A (`cooccurrenceGraph`) instead of the identity.
public final class CLIFModel: MultiLabelModel {
    public let name = "clif"
    public let inputDimension: Int
    public let labelCount: Int
    /// Fixed label embedding E0 [q, q] ~ N(0, 1) (not trained).
    public let labelEmbedding: Tensor
    /// Label graph A [q, q] (identity or the training labels' co-occurrence; not trained).
    public let adjacency: Tensor
    let ginEpsilons: [Tensor]
    let ginBlocks: [MLPBlock]
    /// Per GIN layer, one batch normalisation per MLP layer (empty when `batch_norm` is off).
    let ginNorms: [[BatchNormLayer]]
    let feature: MLPBlock
    let labelProjection: LinearLayer
    let joint: MLPBlock
    let classifier: PerLabelClassifier
    let linkWeight: Float
    public var noiseGenerator: SeededGenerator

    /// - Parameter trainingLabels: the training part's label matrix [n, q] (row-major 0/1), needed
    ///   when `label_graph` is cooccurrence and ignored otherwise.
    public init(inputDimension d: Int, labelCount q: Int, hyperParameters h: CLIFHyperParameters = .init(), seed: UInt64,
                trainingLabels: [UInt8]? = nil) throws(ModelError) {
        guard d > 0, q > 0 else { throw .invalidDimensions(inputDimension: d, labelCount: q) }
        let normalises = h.batchNorm == .on
        if normalises && q < 2 {
            throw .tooFewLabels(model: "clif", setting: "batch_norm = on (batch normalisation over the label nodes)", minimum: 2, labelCount: q)
        }
        if h.labelGraph == .cooccurrence {
            guard let trainingLabels, !trainingLabels.isEmpty, trainingLabels.count % q == 0 else {
                throw .missingTrainingLabels(model: "clif", key: "label_graph", value: "cooccurrence")
            }
            adjacency = Tensor(Self.cooccurrenceGraph(labels: trainingLabels, labelCount: q), shape: [q, q])
        } else {
            var identity = [Float](repeating: 0, count: q * q)
            for i in 0..<q { identity[i * q + i] = 1 }
            adjacency = Tensor(identity, shape: [q, q])
        }
        let width = h.hiddenWidth, layers = h.ginLayers
        let dropout = Float(h.dropout)
        let activation = Activation.leakyRelu(slope: Float(h.leakySlope))
        var g = SeededGenerator(seed: seed, stream: "clif.init")
        inputDimension = d
        labelCount = q
        labelEmbedding = Tensor(Initialization.normal(q * q, generator: &g), shape: [q, q])
        ginEpsilons = (0..<layers).map { _ in Tensor.parameter([0], shape: [1]) }
        var blocks: [MLPBlock] = []
        for l in 0..<layers {
            blocks.append(MLPBlock(prefix: "gin.\(l).mlp", widths: [q, (q + 1) / 2, q], activation: activation,
                                   dropout: dropout, generator: &g))
        }
        ginBlocks = blocks
        ginNorms = (0..<layers).map { l in
            normalises ? blocks[l].layers.enumerated().map { BatchNormLayer(name: "gin.\(l).norm.\($0.offset)", width: $0.element.weight.shape[0]) } : []
        }
        feature = MLPBlock(prefix: "feature", widths: [d, width, width, width], activation: activation, dropout: dropout,
                           generator: &g)
        labelProjection = LinearLayer(name: "label_proj", inputs: q, outputs: width, leakySlope: nil, generator: &g)
        joint = MLPBlock(prefix: "joint", widths: [width, width], activation: activation, dropout: dropout, generator: &g)
        classifier = PerLabelClassifier(labels: q, width: width, generator: &g)
        linkWeight = Float(h.linkWeight)
        noiseGenerator = SeededGenerator(seed: seed, stream: "clif.dropout")
    }

    public var parameters: [ModelParameter] {
        var list: [ModelParameter] = []
        for (l, block) in ginBlocks.enumerated() {
            list += block.parameters + ginNorms[l].flatMap(\.parameters)
            list.append(ModelParameter(name: "gin.\(l).eps", tensor: ginEpsilons[l]))
        }
        return list + feature.parameters + labelProjection.parameters + joint.parameters + classifier.parameters
    }

    public var buffers: [(name: String, tensor: Tensor)] {
        [("label_embedding", labelEmbedding), ("adjacency", adjacency)] + ginNorms.flatMap { $0.flatMap(\.buffers) }
    }

    /// The authors' label graph from a 0/1 label matrix [n, q]: C = YᵀY, P(j | i) = C_ij / max(C_ii, 1e-6),
    /// A = (P + Pᵀ)/2 with a zero diagonal (symmetric, entries in [0, 1]). O(Σ rows' label count²).
    public static func cooccurrenceGraph(labels: [UInt8], labelCount q: Int) -> [Float] {
        var counts = [Double](repeating: 0, count: q * q)
        var present: [Int] = []
        for row in 0..<(labels.count / q) {
            present.removeAll(keepingCapacity: true)
            for j in 0..<q where labels[row * q + j] != 0 { present.append(j) }
            for i in present { for j in present { counts[i * q + j] += 1 } }
        }
        var graph = [Float](repeating: 0, count: q * q)
        for i in 0..<q {
            for j in 0..<q where i != j {
                let forward = counts[i * q + j] / max(counts[i * q + i], 1e-6), backward = counts[j * q + i] / max(counts[j * q + j], 1e-6)
                graph[i * q + j] = Float((forward + backward) / 2)
            }
        }
        return graph
    }

    /// Label embeddings E [q, q] after the GIN.
    public func labelEmbeddings(_ graph: Graph, training: Bool) -> Tensor {
        var e = labelEmbedding
        for (l, (block, epsilon)) in zip(ginBlocks, ginEpsilons).enumerated() {
            let mixed = graph.add(graph.multiply(graph.add(epsilon, scalar: 1), e), graph.matmul(adjacency, e))
            guard !ginNorms[l].isEmpty else {
                e = graph.add(block(graph, mixed, training: training, generator: &noiseGenerator), e)
                continue
            }
            var h = mixed
            for (layer, norm) in zip(block.layers, ginNorms[l]) {
                h = block.activateAndDrop(graph, norm(graph, layer(graph, h), training: training), training: training,
                                          generator: &noiseGenerator)
            }
            e = graph.add(h, e)
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
