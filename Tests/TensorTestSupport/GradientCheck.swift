import Foundation
import SeededRandom
import Testing
import Tensors

/// Finite-difference gradient check: compares the backward pass of Σ r ⊙ f(inputs) (r fixed
/// random) with central differences of the same sum accumulated in Double.
public func checkGradients(_ inputs: [Tensor], step: Float = 1e-2, relativeTolerance: Double = 1e-2,
                    absoluteTolerance: Double = 2e-3, sourceLocation: SourceLocation = #_sourceLocation,
                    _ function: (Graph) -> Tensor) {
    var generator = SeededGenerator(seed: 11, stream: "gradient-check")
    let graph = Graph()
    for input in inputs { input.zeroGrad() }
    let output = function(graph)
    let weights = Initialization.uniform(output.count, low: -1, high: 1, generator: &generator)
    graph.backward(output, seed: weights)
    let analytic = inputs.map(\.gradientValues)

    func objective() -> Double {
        let evaluation = Graph(recordsGradients: false)
        let out = function(evaluation)
        var total = 0.0
        for i in 0..<out.count { total += Double(out.data[i]) * Double(weights[i]) }
        return total
    }
    var worst = 0.0
    for (t, input) in inputs.enumerated() {
        for i in 0..<input.count {
            let original = input.data[i]
            input.data[i] = original + step
            let plus = objective()
            input.data[i] = original - step
            let minus = objective()
            input.data[i] = original
            let numeric = (plus - minus) / (2 * Double(step))
            let exact = Double(analytic[t][i])
            let error = abs(numeric - exact) - relativeTolerance * (abs(numeric) + abs(exact))
            worst = max(worst, error)
            #expect(error <= absoluteTolerance, "input \(t) element \(i): analytic \(exact), numeric \(numeric)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// A trainable tensor of random values in ±[0.2, 1.2] (away from the kinks of ReLU-like ops).
public func randomParameter(_ shape: [Int], seed: Int, positive: Bool = false) -> Tensor {
    var generator = SeededGenerator(seed: 5, stream: "parameter", index: seed)
    let count = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: count)
    for i in 0..<count {
        let magnitude = 0.2 + generator.nextFloat()
        values[i] = positive || generator.nextFloat() < 0.5 ? magnitude : -magnitude
    }
    return .parameter(values, shape: shape)
}

/// The standard normal CDF Φ(u) in Double (a reference for the probit kernels).
public func normalCDF(_ u: Double) -> Double { 0.5 * erfc(-u / 2.0.squareRoot()) }
