import OptimiserChoices
import SeededRandom
import Tensors

/// A trainable tensor of a model with its PyTorch name and its learning-rate multiplier
/// (relative to the base learning rate; 1 for most parameters).
public struct ModelParameter {
    public let name: String
    public let tensor: Tensor
    public let learningRateMultiplier: Float
    public init(name: String, tensor: Tensor, learningRateMultiplier: Float = 1) {
        self.name = name
        self.tensor = tensor
        self.learningRateMultiplier = learningRateMultiplier
    }
}

/// What a forward pass produces: logits [b, q] and the model-specific terms of its loss.
public struct ModelOutput {
    /// Logits [b, q].
    public let logits: Tensor
    /// Factor on the classification loss (dela: q).
    public let classificationScale: Float
    /// Already-weighted regulariser added to the loss (clif: 1e-3·link, dela: 1e-4·KL in training).
    public let regularizer: Tensor?
    /// The complete training loss [1] of a model whose loss is not a cross-entropy on its
    /// logits (mpvae); computed by the targets-aware forward pass and used instead of `loss(…)`.
    public let loss: Tensor?
    public init(logits: Tensor, classificationScale: Float = 1, regularizer: Tensor? = nil, loss: Tensor? = nil) {
        self.logits = logits
        self.classificationScale = classificationScale
        self.regularizer = regularizer
        self.loss = loss
    }
}

/// A deep multi-label classifier: a batch of feature rows → q logits, and a scalar loss.
///
/// Any model works with any selector. Forward passes run on a caller-owned `Graph`
/// (recording for training, non-recording for evaluation without a tape).
public protocol MultiLabelModel: AnyObject {
    /// Factory name (`mlp`, `clif`, `dela`, `mpvae`).
    var name: String { get }
    var inputDimension: Int { get }
    var labelCount: Int { get }
    /// Trainable parameters with PyTorch names and shapes, in a fixed order.
    var parameters: [ModelParameter] { get }
    /// Fixed tensors saved with the parameters (not trained), e.g. clif's label embedding.
    var buffers: [(name: String, tensor: Tensor)] { get }
    /// Forward pass of `batchSize` rows of `features` (row-major [batchSize, d]); `training`
    /// turns on dropout and sampling noise.
    func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, batchSize: Int, training: Bool) -> ModelOutput
    /// Forward pass that also sees the batch's targets [batchSize · q] and optional per-element
    /// loss weights: mpvae's label encoder reads the targets in training and it returns its
    /// own loss in `ModelOutput.loss`. The default ignores both and calls the forward above.
    func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>,
                 elementWeights: UnsafeBufferPointer<Float>?, batchSize: Int, training: Bool) -> ModelOutput
    /// The generator of training-time noise (dropout masks, sampling noise). A training loop
    /// reseeds it per epoch so that a resumed run draws exactly what an uninterrupted one would.
    var noiseGenerator: SeededGenerator { get set }
}

extension MultiLabelModel {
    public func forward(_ graph: Graph, features: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>,
                        elementWeights: UnsafeBufferPointer<Float>?, batchSize: Int, training: Bool) -> ModelOutput {
        forward(graph, features: features, batchSize: batchSize, training: training)
    }

    /// Forward pass from an array of `batchSize · d` values.
    public func forward(_ graph: Graph, features: [Float], batchSize: Int, training: Bool) -> ModelOutput {
        features.withUnsafeBufferPointer { forward(graph, features: $0, batchSize: batchSize, training: training) }
    }

    /// The model's loss: scale · mean binary cross-entropy over the b·q logits (for clif and
    /// dela this equals PyTorch's MultiLabelSoftMarginLoss), with optional per-element weights
    /// [b·q], plus the model's regulariser. Shape [1].
    public func loss(_ graph: Graph, _ output: ModelOutput, targets: UnsafeBufferPointer<Float>,
                     elementWeights: UnsafeBufferPointer<Float>? = nil) -> Tensor {
        var loss = graph.bceWithLogitsMean(output.logits, targets: targets, weights: elementWeights)
        if output.classificationScale != 1 { loss = graph.scale(loss, by: output.classificationScale) }
        if let regularizer = output.regularizer { loss = graph.add(loss, regularizer) }
        return loss
    }

    /// Array form of `loss`.
    public func loss(_ graph: Graph, _ output: ModelOutput, targets: [Float], elementWeights: [Float]? = nil) -> Tensor {
        targets.withUnsafeBufferPointer { t in
            if let elementWeights {
                return elementWeights.withUnsafeBufferPointer { loss(graph, output, targets: t, elementWeights: $0) }
            }
            return loss(graph, output, targets: t, elementWeights: nil)
        }
    }

    /// Adam over the parameters, grouped by learning-rate multiplier (dela's gates learn at 0.8×);
    /// `weightDecayMode` chooses L2 (`torch.optim.Adam`) or decoupled decay (`torch.optim.AdamW`).
    public func makeOptimizer(learningRate: Float, weightDecay: Float, weightDecayMode: WeightDecayMode = .l2,
                              beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) -> Adam {
        var groups: [Adam.Group] = []
        for p in parameters {
            let rate = learningRate * p.learningRateMultiplier
            if let index = groups.firstIndex(where: { $0.learningRate == rate }) {
                groups[index].parameters.append((p.name, p.tensor))
            } else {
                groups.append(Adam.Group(parameters: [(p.name, p.tensor)], learningRate: rate))
            }
        }
        return Adam(groups: groups, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                    weightDecayMode: weightDecayMode)
    }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.tensor.count } }
}
