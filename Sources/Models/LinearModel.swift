import Formats
import SeededRandom
import Tensors

/// `linear`: one `Linear(d, q)` layer, i.e. per-label logistic regression trained through the
/// same engine, selectors and protocol as the deep models; loss = mean binary cross-entropy with
/// logits (as `mlp`). PyTorch's default initialisation (weight and bias uniform in ±1/√d).
/// Parameters `linear.weight` [q, d], `linear.bias` [q]. The floor every model must beat.
public final class LinearModel: MultiLabelModel {
    public let name = "linear"
    public let inputDimension: Int
    public let labelCount: Int
    let layer: LinearLayer
    /// Unused (the model has no training-time noise); kept for the protocol's per-epoch reseeding.
    public var noiseGenerator: SeededGenerator

    /// Builds the model with seeded initialisation (it takes no hyper-parameters).
    public init(inputDimension d: Int, labelCount q: Int, seed: UInt64) throws(ModelError) {
        guard d > 0, q > 0 else { throw .invalidDimensions(inputDimension: d, labelCount: q) }
        var initGenerator = SeededGenerator(seed: seed, stream: "linear.init")
        inputDimension = d
        labelCount = q
        layer = LinearLayer(name: "linear", inputs: d, outputs: q, leakySlope: nil, generator: &initGenerator)
        noiseGenerator = SeededGenerator(seed: seed, stream: "linear.noise")
    }

    public var parameters: [ModelParameter] { layer.parameters }
    public var buffers: [(name: String, tensor: Tensor)] { [] }

    public func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize: Int, training: Bool) -> ModelOutput {
        ModelOutput(logits: layer(graph, graph.constant(features, shape: [batchSize, inputDimension])))
    }
}
