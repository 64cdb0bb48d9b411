import Models
import SeededRandom
import Tensors

/// `wide-and-deep`, the worked example of docs/how-to-model.md: a linear path and one hidden
/// LeakyReLU layer, added, so the model is at least as expressive as the linear floor:
/// logits = Linear(d → q)(x) + Linear(h → q)(Dropout(LeakyReLU(Linear(d → h)(x)))).
/// Loss: the default, mean binary cross-entropy with logits.
final class WideAndDeepModel: MultiLabelModel {
    let name = "wide-and-deep"
    let inputDimension: Int
    let labelCount: Int
    let parameters: [ModelParameter]
    let buffers: [(name: String, tensor: Tensor)] = []
    var noiseGenerator: SeededGenerator
    private let dropout: Float

    /// d features, q labels, h hidden units; every initial value comes from `seed`.
    init(inputDimension d: Int, labelCount q: Int, hiddenWidth h: Int = 64, dropout: Float = 0.2, seed: UInt64) {
        inputDimension = d
        labelCount = q
        self.dropout = dropout
        var generator = SeededGenerator(seed: seed, stream: "wide-and-deep.init")
        // PyTorch's default Linear initialisation: weight and bias uniform in ±1/√fan_in.
        func linear(_ name: String, _ inputs: Int, _ outputs: Int) -> [ModelParameter] {
            let bound = Initialization.kaimingBound(fanIn: inputs, a: 5.0.squareRoot())
            return [ModelParameter(name: "\(name).weight", tensor: .parameter(Initialization.uniform(outputs * inputs, low: -bound, high: bound,
                                                                                                    generator: &generator), shape: [outputs, inputs])),
                    ModelParameter(name: "\(name).bias", tensor: .parameter(Initialization.uniform(outputs, low: -bound, high: bound,
                                                                                                  generator: &generator), shape: [outputs]))]
        }
        parameters = linear("wide", d, q) + linear("hidden", d, h) + linear("deep", h, q)
        noiseGenerator = SeededGenerator(seed: seed, stream: "wide-and-deep.noise")
    }

    func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize: Int, training: Bool) -> ModelOutput {
        let x = graph.constant(features, shape: [batchSize, inputDimension])
        let p = parameters.map(\.tensor)
        let wide = graph.linear(x, weight: p[0], bias: p[1])
        let hidden = graph.dropout(graph.leakyRelu(graph.linear(x, weight: p[2], bias: p[3])), p: dropout, training: training,
                                   generator: &noiseGenerator)
        return ModelOutput(logits: graph.add(wide, graph.linear(hidden, weight: p[4], bias: p[5])))
    }
}
