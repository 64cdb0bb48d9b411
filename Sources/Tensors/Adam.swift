import Foundation
import OptimiserChoices

/// `torch.optim.Adam` (bias correction on, L2 weight decay added to the gradient before the
/// moment updates) or, with ``WeightDecayMode/decoupled``, `torch.optim.AdamW` (parameters
/// shrunk by 1 − lr·decay before the moment updates), over parameter groups with their own
/// learning rate, with the same Float32 update order as PyTorch's single-tensor implementation.
public final class Adam {
    /// Parameters sharing a learning rate.
    public struct Group {
        public var parameters: [(name: String, tensor: Tensor)]
        public var learningRate: Float
        public init(parameters: [(name: String, tensor: Tensor)], learningRate: Float) {
            self.parameters = parameters
            self.learningRate = learningRate
        }
    }

    public let groups: [Group]
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public let weightDecayMode: WeightDecayMode
    /// Completed steps (PyTorch's `state["step"]`).
    public private(set) var stepCount = 0
    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]

    public init(groups: [Group], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
                weightDecayMode: WeightDecayMode = .l2) {
        self.groups = groups
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.weightDecayMode = weightDecayMode
        let all = groups.flatMap(\.parameters)
        firstMoments = all.map { [Float](repeating: 0, count: $0.tensor.count) }
        secondMoments = firstMoments
    }

    /// All parameters in group order.
    public var parameters: [(name: String, tensor: Tensor)] { groups.flatMap(\.parameters) }

    /// Zeroes every parameter gradient.
    public func zeroGrad() {
        for group in groups { for p in group.parameters { p.tensor.zeroGrad() } }
    }

    /// One update of every parameter from its accumulated gradient; each group's learning
    /// rate is multiplied by `learningRateScale` (the warm-up factor). Each gradient is cleared to
    /// zero as it is read (the next `zeroGrad()` then has nothing to do). O(parameters).
    public func step(learningRateScale: Float = 1) {
        stepCount += 1
        let t = Double(stepCount)
        let correction1 = 1 - Foundation.pow(Double(beta1), t)
        let correction2Root = Foundation.sqrt(1 - Foundation.pow(Double(beta2), t))
        let lerpWeight = Float(1 - Double(beta1)), squareWeight = Float(1 - Double(beta2))
        let b2 = beta2, decay = weightDecayMode == .l2 ? weightDecay : 0, eps = epsilon
        var index = 0
        for group in groups {
            let stepSize = Float(Double(group.learningRate * learningRateScale) / correction1)
            let root = Float(correction2Root)
            let shrink = Float(1 - Double(group.learningRate * learningRateScale) * Double(weightDecay))
            for (_, tensor) in group.parameters {
                let p = tensor.data, g = tensor.gradientForAccumulation(), n = tensor.count
                if weightDecayMode == .decoupled && weightDecay != 0 { for i in 0..<n { p[i] *= shrink } }
                firstMoments[index].withUnsafeMutableBufferPointer { m in
                    secondMoments[index].withUnsafeMutableBufferPointer { v in
                        Self.update(p, g, m.baseAddress!, v.baseAddress!, n, decay: decay, lerpWeight: lerpWeight, beta2: b2,
                                    squareWeight: squareWeight, root: root, epsilon: eps, stepSize: stepSize)
                    }
                }
                tensor.markGradientZeroed()
                index += 1
            }
        }
    }

    /// The update of one parameter, eight lanes at a time (IEEE-exact, same result as scalar); the
    /// gradient is overwritten with zeros once read.
    private static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                               _ v: UnsafeMutablePointer<Float>, _ n: Int, decay: Float, lerpWeight: Float, beta2: Float,
                               squareWeight: Float, root: Float, epsilon: Float, stepSize: Float) {
        typealias Lanes = SIMD8<Float>
        func load(_ pointer: UnsafeMutablePointer<Float>, _ i: Int) -> Lanes {
            UnsafeRawPointer(pointer + i).loadUnaligned(as: Lanes.self)
        }
        func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ i: Int) {
            UnsafeMutableRawPointer(pointer + i).storeBytes(of: value, as: Lanes.self)
        }
        var i = 0
        while i + 8 <= n {
            let parameter = load(p, i)
            let grad = decay != 0 ? load(g, i) + parameter * decay : load(g, i)
            var first = load(m, i), second = load(v, i)
            first += lerpWeight * (grad - first)
            second = second * beta2 + squareWeight * grad * grad
            // sqrtps needs -fno-math-errno (Package.swift): with errno semantics each lane is a libm call.
            let denominator = second.squareRoot() / root + epsilon
            store(parameter + -stepSize * (first / denominator), p, i)
            store(first, m, i)
            store(second, v, i)
            store(Lanes(), g, i)
            i += 8
        }
        while i < n {
            let grad = decay != 0 ? g[i] + p[i] * decay : g[i]
            m[i] += lerpWeight * (grad - m[i])
            v[i] = v[i] * beta2 + squareWeight * grad * grad
            let denominator = v[i].squareRoot() / root + epsilon
            p[i] += -stepSize * (m[i] / denominator)
            g[i] = 0
            i += 1
        }
    }

    /// The moments of every parameter, named `exp_avg/<name>` and `exp_avg_sq/<name>`
    /// (flat values), for saving a resumable state.
    public func exportState() -> (step: Int, arrays: [(name: String, values: [Float], shape: [Int])]) {
        var arrays: [(name: String, values: [Float], shape: [Int])] = []
        for (i, p) in parameters.enumerated() {
            arrays.append(("exp_avg/\(p.name)", firstMoments[i], p.tensor.shape))
            arrays.append(("exp_avg_sq/\(p.name)", secondMoments[i], p.tensor.shape))
        }
        return (stepCount, arrays)
    }

    /// Restores a state made by `exportState`; fails naming the first missing or mis-sized array.
    public func importState(step: Int, arrays: [String: [Float]]) throws(TensorError) {
        var first = firstMoments, second = secondMoments
        for (i, p) in parameters.enumerated() {
            for (key, isFirst) in [("exp_avg/\(p.name)", true), ("exp_avg_sq/\(p.name)", false)] {
                guard let values = arrays[key] else { throw .stateMismatch("optimiser state lacks \(key)") }
                guard values.count == p.tensor.count else {
                    throw .stateMismatch("optimiser state \(key) has \(values.count) values, parameter has \(p.tensor.count)")
                }
                if isFirst { first[i] = values } else { second[i] = values }
            }
        }
        firstMoments = first
        secondMoments = second
        stepCount = step
    }
}

/// Linear learning-rate warm-up: the factor rises as (step + 1) / warmupSteps and stays 1 after.
public struct LinearWarmup: Sendable {
    public let warmupSteps: Int
    public init(warmupSteps: Int) { self.warmupSteps = warmupSteps }
    /// Factor for the 0-based `step`.
    public func factor(step: Int) -> Float {
        warmupSteps <= 0 ? 1 : min(1, Float(step + 1) / Float(warmupSteps))
    }
}

/// Errors of the tensor engine.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case stateMismatch(String)
    public var description: String {
        switch self {
        case .stateMismatch(let detail): "\(detail); save and restore the optimiser with the same model configuration"
        }
    }
}
