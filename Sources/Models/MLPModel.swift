import Formats
import SeededRandom
import Tensors

/// `mlp` (project default): MLP(d, q, hidden=[256, 256], LeakyReLU 0.1, dropout 0.2) without
/// the output activation; loss = mean binary cross-entropy with logits.
/// Parameters `layers.{0,1,…}.{weight,bias}`.
public final class MLPModel: MultiLabelModel {
    public let name = "mlp"
    public let inputDimension: Int
    public let labelCount: Int
    let hidden: MLPBlock
    let output: LinearLayer
    public var noiseGenerator: SeededGenerator

    /// Builds the model with seeded initialisation.
    public init(inputDimension d: Int, labelCount q: Int, hyperParameters h: MLPHyperParameters = .init(), seed: UInt64) throws(ModelError) {
        guard d > 0, q > 0 else { throw .invalidDimensions(inputDimension: d, labelCount: q) }
        let width = h.hiddenWidth, depth = h.hiddenLayers
        var initGenerator = SeededGenerator(seed: seed, stream: "mlp.init")
        inputDimension = d
        labelCount = q
        hidden = MLPBlock(prefix: "layers", widths: [d] + [Int](repeating: width, count: depth),
                          activation: .leakyRelu(slope: Float(h.leakySlope)), dropout: Float(h.dropout),
                          generator: &initGenerator)
        output = LinearLayer(name: "layers.\(depth)", inputs: width, outputs: q, leakySlope: nil, generator: &initGenerator)
        noiseGenerator = SeededGenerator(seed: seed, stream: "mlp.dropout")
    }

    public var parameters: [ModelParameter] { hidden.parameters + output.parameters }
    public var buffers: [(name: String, tensor: Tensor)] { [] }

    public func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize: Int, training: Bool) -> ModelOutput {
        let x = graph.constant(features, shape: [batchSize, inputDimension])
        let h = hidden(graph, x, training: training, generator: &noiseGenerator)
        return ModelOutput(logits: output(graph, h))
    }
}
