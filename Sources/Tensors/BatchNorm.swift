extension Graph {
    /// PyTorch `BatchNorm1d` on x [n, k]: every column is normalised over the n rows and then
    /// scaled by `weight` [k] and shifted by `bias` [k]. In training the batch mean and biased
    /// variance are used and the running statistics [k] are updated in place
    /// (r ← (1 − momentum)·r + momentum·batch value, the variance unbiased, n ≥ 2); otherwise the
    /// running statistics are used. Gradients flow into x, weight and bias. O(n·k).
    public func batchNorm(_ x: Tensor, weight: Tensor, bias: Tensor, runningMean: Tensor, runningVariance: Tensor,
                          training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
        precondition(x.shape.count == 2, "batchNorm of \(x.shape): 2-D [n, k] only")
        let n = x.shape[0], k = x.shape[1]
        precondition([weight, bias, runningMean, runningVariance].allSatisfy { $0.count == k },
                     "batchNorm: parameters and running statistics need \(k) values")
        precondition(!training || n >= 2, "batchNorm in training needs at least 2 rows (got \(n))")
        var mean = [Float](repeating: 0, count: k), inverseDeviation = [Float](repeating: 0, count: k)
        let px = x.data
        for c in 0..<k {
            if training {
                var total = 0.0
                for r in 0..<n { total += Double(px[r * k + c]) }
                let average = total / Double(n)
                var squares = 0.0
                for r in 0..<n {
                    let centred = Double(px[r * k + c]) - average
                    squares += centred * centred
                }
                let variance = squares / Double(n)
                mean[c] = Float(average)
                inverseDeviation[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
                runningMean.data[c] = (1 - momentum) * runningMean.data[c] + momentum * Float(average)
                runningVariance.data[c] = (1 - momentum) * runningVariance.data[c] + momentum * Float(squares / Double(n - 1))
            } else {
                mean[c] = runningMean.data[c]
                inverseDeviation[c] = 1 / (runningVariance.data[c] + epsilon).squareRoot()
            }
        }
        let y = output(x.shape, inputs: [x, weight, bias])
        for r in 0..<n {
            for c in 0..<k {
                y.data[r * k + c] = (px[r * k + c] - mean[c]) * inverseDeviation[c] * weight.data[c] + bias.data[c]
            }
        }
        record(y) { y in
            let gy = y.gradient!
            var sumGradient = [Float](repeating: 0, count: k), sumProduct = [Float](repeating: 0, count: k)
            for r in 0..<n {
                for c in 0..<k {
                    sumGradient[c] += gy[r * k + c]
                    sumProduct[c] += gy[r * k + c] * (px[r * k + c] - mean[c]) * inverseDeviation[c]
                }
            }
            if weight.requiresGrad {
                let gw = weight.gradientForAccumulation()
                for c in 0..<k { gw[c] += sumProduct[c] }
            }
            if bias.requiresGrad {
                let gb = bias.gradientForAccumulation()
                for c in 0..<k { gb[c] += sumGradient[c] }
            }
            guard x.requiresGrad else { return }
            let gx = x.gradientForAccumulation(), count = Float(n)
            for r in 0..<n {
                for c in 0..<k {
                    let scale = weight.data[c] * inverseDeviation[c], g = gy[r * k + c]
                    if training {
                        let normalised = (px[r * k + c] - mean[c]) * inverseDeviation[c]
                        gx[r * k + c] += scale * (g - sumGradient[c] / count - normalised * sumProduct[c] / count)
                    } else {
                        gx[r * k + c] += scale * g
                    }
                }
            }
        }
        return y
    }
}
