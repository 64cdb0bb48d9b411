import Tensors

/// A PyTorch `BatchNorm1d(width)`: trained `weight` (init 1) and `bias` (init 0), running
/// statistics `running_mean` (init 0) and `running_var` (init 1) saved with the model as buffers.
struct BatchNormLayer {
    let name: String
    let weight: Tensor
    let bias: Tensor
    let runningMean: Tensor
    let runningVariance: Tensor

    init(name: String, width: Int) {
        self.name = name
        weight = .parameter([Float](repeating: 1, count: width), shape: [width])
        bias = .parameter([Float](repeating: 0, count: width), shape: [width])
        runningMean = Tensor([Float](repeating: 0, count: width), shape: [width])
        runningVariance = Tensor([Float](repeating: 1, count: width), shape: [width])
    }

    /// Normalises every column of x [n, width] over its n rows (batch statistics in training,
    /// which also update the running statistics; running statistics otherwise).
    func callAsFunction(_ graph: Graph, _ x: Tensor, training: Bool) -> Tensor {
        graph.batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                        training: training)
    }

    var parameters: [ModelParameter] {
        [ModelParameter(name: "\(name).weight", tensor: weight), ModelParameter(name: "\(name).bias", tensor: bias)]
    }

    var buffers: [(name: String, tensor: Tensor)] {
        [("\(name).running_mean", runningMean), ("\(name).running_var", runningVariance)]
    }
}
