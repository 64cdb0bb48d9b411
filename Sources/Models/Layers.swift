import SeededRandom
import Tensors

/// Activation of an MLP block.
public enum Activation: Sendable {
    case relu
    case leakyRelu(slope: Float)
}

/// A PyTorch `Linear(in, out)` layer: `weight` [out, in], `bias` [out].
struct LinearLayer {
    let name: String
    let weight: Tensor
    let bias: Tensor

    /// Initialised for a layer followed by LeakyReLU (Kaiming-uniform with a = slope, bias
    /// uniform(0, 0.1), the authors' choice) or with PyTorch's default (`leakySlope` nil).
    init(name: String, inputs: Int, outputs: Int, leakySlope: Float?, generator: inout SeededGenerator) {
        self.name = name
        let bound = Initialization.kaimingBound(fanIn: inputs, a: leakySlope.map(Double.init) ?? 5.0.squareRoot())
        weight = .parameter(Initialization.uniform(inputs * outputs, low: -bound, high: bound, generator: &generator),
                            shape: [outputs, inputs])
        let biasValues = leakySlope == nil
            ? Initialization.uniform(outputs, low: -1 / Float(inputs).squareRoot(), high: 1 / Float(inputs).squareRoot(), generator: &generator)
            : Initialization.uniform(outputs, low: 0, high: 0.1, generator: &generator)
        bias = .parameter(biasValues, shape: [outputs])
    }

    func callAsFunction(_ graph: Graph, _ x: Tensor) -> Tensor { graph.linear(x, weight: weight, bias: bias) }

    var parameters: [ModelParameter] {
        [ModelParameter(name: "\(name).weight", tensor: weight), ModelParameter(name: "\(name).bias", tensor: bias)]
    }
}

/// "MLP(in, out, hidden)" of docs/models.md ("Building blocks"): Linear → activation → Dropout after every layer,
/// the last included. Layers are named `<prefix>.<i>`.
struct MLPBlock {
    let layers: [LinearLayer]
    let activation: Activation
    let dropout: Float

    init(prefix: String, widths: [Int], activation: Activation, dropout: Float, generator: inout SeededGenerator) {
        var layers: [LinearLayer] = []
        let slope: Float? = if case .leakyRelu(let s) = activation { s } else { nil }
        for i in 0..<(widths.count - 1) {
            layers.append(LinearLayer(name: "\(prefix).\(i)", inputs: widths[i], outputs: widths[i + 1], leakySlope: slope,
                                      generator: &generator))
        }
        self.layers = layers
        self.activation = activation
        self.dropout = dropout
    }

    func callAsFunction(_ graph: Graph, _ x: Tensor, training: Bool, generator: inout SeededGenerator) -> Tensor {
        var h = x
        for layer in layers {
            h = activateAndDrop(graph, layer(graph, h), training: training, generator: &generator)
        }
        return h
    }

    /// The block after its first Linear, given that Linear's output (pre-activation).
    func continuing(_ graph: Graph, firstLinearOutput: Tensor, training: Bool, generator: inout SeededGenerator) -> Tensor {
        var h = activateAndDrop(graph, firstLinearOutput, training: training, generator: &generator)
        for layer in layers.dropFirst() {
            h = activateAndDrop(graph, layer(graph, h), training: training, generator: &generator)
        }
        return h
    }

    func activateAndDrop(_ graph: Graph, _ x: Tensor, training: Bool, generator: inout SeededGenerator) -> Tensor {
        let op: UnaryOp = switch activation {
        case .relu: .relu
        case .leakyRelu(let slope): .leakyRelu(slope: slope)
        }
        return graph.activateAndDrop(x, op, p: dropout, training: training, generator: &generator)
    }

    var parameters: [ModelParameter] { layers.flatMap(\.parameters) }
}

/// Grouped per-label classifier: `weight` [q, k], `bias` [q]; logit_bj = Σ_k z_bjk W_jk + c_j
/// (PyTorch Conv1d(q, q, k, groups=q) weight [q, 1, k] squeezed; default init ±1/√k).
struct PerLabelClassifier {
    let weight: Tensor
    let bias: Tensor

    init(labels: Int, width: Int, generator: inout SeededGenerator) {
        let bound = 1 / Float(width).squareRoot()
        weight = .parameter(Initialization.uniform(labels * width, low: -bound, high: bound, generator: &generator),
                            shape: [labels, width])
        bias = .parameter(Initialization.uniform(labels, low: -bound, high: bound, generator: &generator), shape: [labels])
    }

    func callAsFunction(_ graph: Graph, _ z: Tensor) -> Tensor { graph.groupedLinear(z, weight: weight, bias: bias) }

    var parameters: [ModelParameter] {
        [ModelParameter(name: "classifier.weight", tensor: weight), ModelParameter(name: "classifier.bias", tensor: bias)]
    }
}
