import OptimiserChoices
import Tensors

/// One model with its Adam optimiser and a reusable graph: what a training loop calls per
/// batch (`step`) and per evaluation (`predictProbabilities`). Buffers of the graph's pool are
/// reused across steps, so a step allocates nothing proportional to the dataset.
public final class TrainingSession {
    public let model: any MultiLabelModel
    public let optimizer: Adam
    private let trainingGraph: Graph
    private let evaluationPool = BufferPool()

    /// Adam with `learningRate` (per-parameter multipliers applied) and `weightDecay`, as L2
    /// (`torch.optim.Adam`, the default) or decoupled (`torch.optim.AdamW`).
    public init(model: any MultiLabelModel, learningRate: Float, weightDecay: Float, weightDecayMode: WeightDecayMode = .l2) {
        self.model = model
        optimizer = model.makeOptimizer(learningRate: learningRate, weightDecay: weightDecay, weightDecayMode: weightDecayMode)
        trainingGraph = Graph(recordsGradients: true)
    }

    /// Bytes held by the training graph's buffer pool: constant from the second step of a
    /// given batch size on (buffers are reused, not reallocated).
    public var pooledTrainingBytes: Int { trainingGraph.pool.heldBytes }

    /// One optimiser step on a batch: forward (training mode), loss with optional per-element
    /// weights [b·q], backward, Adam with the learning rate times `learningRateScale` (warm-up).
    /// When `elementLosses` is given it receives the unweighted per-sample, per-label binary
    /// cross-entropy [b·q] of this forward pass; `probabilities`, when given, receives the
    /// training-mode sigmoid outputs [b·q] (the `history: batch` record; mpvae: p_train, the mean
    /// of E over its samples). A model that computes its own loss (mpvae) gets the targets and
    /// weights in its forward pass. Returns the loss value.
    @discardableResult
    public func step(features: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>, batchSize: Int,
                     elementWeights: UnsafeBufferPointer<Float>? = nil, learningRateScale: Float = 1,
                     elementLosses: UnsafeMutableBufferPointer<Float>? = nil,
                     probabilities: UnsafeMutableBufferPointer<Float>? = nil) -> Float {
        let graph = trainingGraph
        defer { graph.reset() }
        optimizer.zeroGrad()
        let output = model.forward(graph, features: features, targets: targets, elementWeights: elementWeights,
                                   batchSize: batchSize, training: true)
        let loss = output.loss ?? model.loss(graph, output, targets: targets, elementWeights: elementWeights)
        if let elementLosses {
            precondition(elementLosses.count == output.logits.count, "elementLosses needs \(output.logits.count) values")
            Losses.bceWithLogits(logits: output.logits.data, targets: targets.baseAddress!, weights: nil,
                                 count: output.logits.count, into: elementLosses.baseAddress!)
        }
        if let probabilities {
            precondition(probabilities.count == output.logits.count, "probabilities needs \(output.logits.count) values")
            for i in 0..<output.logits.count { probabilities[i] = stableSigmoid(output.logits.data[i]) }
        }
        graph.backward(loss)
        optimizer.step(learningRateScale: learningRateScale)
        return loss.scalar
    }

    /// Array form of `step`.
    @discardableResult
    public func step(features: [Float], targets: [Float], batchSize: Int, elementWeights: [Float]? = nil,
                     learningRateScale: Float = 1) -> Float {
        features.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { y in
                if let elementWeights {
                    return elementWeights.withUnsafeBufferPointer {
                        step(features: x, targets: y, batchSize: batchSize, elementWeights: $0, learningRateScale: learningRateScale)
                    }
                }
                return step(features: x, targets: y, batchSize: batchSize, learningRateScale: learningRateScale)
            }
        }
    }

    /// Evaluation-mode (no dropout, no noise, no tape) sigmoid probabilities of `rows` rows
    /// of `features` [rows, d] into `probabilities` [rows, q], `chunk` rows at a time.
    /// Memory is O(chunk · model width), independent of `rows`; the default chunk equals the
    /// training batch, so evaluation needs no more memory than a training step.
    public func predictProbabilities(features: UnsafeBufferPointer<Float>, rows: Int, chunk: Int = 128,
                                     into probabilities: UnsafeMutableBufferPointer<Float>) {
        let d = model.inputDimension, q = model.labelCount
        precondition(features.count >= rows * d && probabilities.count >= rows * q, "predictProbabilities: buffers too small")
        var start = 0
        while start < rows {
            let count = min(chunk, rows - start)
            let graph = Graph(recordsGradients: false, pool: evaluationPool)
            let slice = UnsafeBufferPointer(rebasing: features[(start * d)..<((start + count) * d)])
            let logits = model.forward(graph, features: slice, batchSize: count, training: false).logits
            for i in 0..<(count * q) { probabilities[start * q + i] = stableSigmoid(logits.data[i]) }
            start += count
        }
    }

    /// Array form of `predictProbabilities`.
    public func predictProbabilities(features: [Float], rows: Int, chunk: Int = 128) -> [Float] {
        var result = [Float](repeating: 0, count: rows * model.labelCount)
        features.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { predictProbabilities(features: x, rows: rows, chunk: chunk, into: $0) }
        }
        return result
    }

    /// Evaluation-mode mean loss (no tape) over `rows` rows, chunked; weights each chunk by its rows.
    public func evaluationLoss(features: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>, rows: Int,
                               chunk: Int = 128) -> Double {
        let d = model.inputDimension, q = model.labelCount
        var total = 0.0, start = 0
        while start < rows {
            let count = min(chunk, rows - start)
            let graph = Graph(recordsGradients: false, pool: evaluationPool)
            let x = UnsafeBufferPointer(rebasing: features[(start * d)..<((start + count) * d)])
            let y = UnsafeBufferPointer(rebasing: targets[(start * q)..<((start + count) * q)])
            let output = model.forward(graph, features: x, batchSize: count, training: false)
            total += Double(model.loss(graph, output, targets: y).scalar) * Double(count)
            start += count
        }
        return rows > 0 ? total / Double(rows) : 0
    }
}
