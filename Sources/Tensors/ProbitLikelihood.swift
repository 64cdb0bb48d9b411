/// What `probitSampleSums` returns: the differentiable per-sample, per-row sums and the
/// Monte-Carlo mean prediction.
public struct ProbitSampleSums {
    /// [3, S, b]: ℓ[s, n] = Σⱼ wₙⱼ log E⁽ʸ⁾ₛₙⱼ (the log-likelihood of the observed labels),
    /// A[s, n] = Σⱼ yₙⱼ e^(−κ Eₛₙⱼ) and B[s, n] = Σⱼ (1 − yₙⱼ) e^(κ Eₛₙⱼ).
    public let sums: Tensor
    /// log p̄ − log(1 − p̄) [b, q] of the mean over the samples p̄ = (1/S) Σₛ E (no gradient).
    public let meanLogits: Tensor
}

/// Element-wise kernels of the multivariate probit output E = Φ(t)(1 − ε) + ε/2.
public enum Probit {
    /// E = Φ(t)(1 − floor) + floor/2 and 1 − E = Φ(−t)(1 − floor) + floor/2 of `count`
    /// values, each with full relative precision (1 − E is not computed as 1 − E). O(n).
    public static func probabilities(_ t: UnsafePointer<Float>, count: Int, floor: Float,
                                     into probability: UnsafeMutablePointer<Float>, complement: UnsafeMutablePointer<Float>) {
        let keep = 1 - floor, half = floor / 2
        var i = 0
        while i < count {
            let lanes = min(8, count - i)
            let cdf = VectorMath.normalCDF(VectorMath.load(t + i, count: lanes))
            VectorMath.store(cdf.lower * keep + half, probability + i, count: lanes)
            VectorMath.store(cdf.upper * keep + half, complement + i, count: lanes)
            i += 8
        }
    }

    /// log p − log c of `count` pairs (p and c = 1 − p as `probabilities` gives them). O(n).
    public static func logits(_ probability: UnsafePointer<Float>, _ complement: UnsafePointer<Float>, count: Int,
                              into logits: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < count {
            let lanes = min(8, count - i)
            let p = VectorMath.load(probability + i, count: lanes), c = VectorMath.load(complement + i, count: lanes)
            // Padding lanes hold 0: log(0) is not finite, so pad with 1 (their values are not stored).
            let valid = Self.laneMask(lanes)
            let difference = VectorMath.log(p.replacing(with: 1, where: .!valid)) - VectorMath.log(c.replacing(with: 1, where: .!valid))
            VectorMath.store(difference, logits + i, count: lanes)
            i += 8
        }
    }

    /// Lanes 0..<count set.
    @inline(__always)
    static func laneMask(_ count: Int) -> SIMDMask<SIMD8<Int32>> {
        SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< SIMD8<Int32>(repeating: Int32(count))
    }
}

extension Graph {
    /// The Monte-Carlo terms of a multivariate probit output (mpvae, README "Models"): for
    /// t = noise + means (noise [S·b, q] or [S, b, q], means [b, q] broadcast over the S samples)
    /// and E = Φ(t)(1 − floor) + floor/2, with binary targets y [b·q], optional weights w
    /// [b·q] and s = 2y − 1, one vectorised pass over the S·b·q elements gives per sample and row
    /// ℓ = Σⱼ w log(Φ(s t)(1 − floor) + floor/2) (log E for y = 1 and log(1 − E) for y = 0,
    /// each with one Φ and one log), A = Σⱼ y e^(−κE) and B = Σⱼ (1 − y) e^(κE) (the factors of
    /// the factorised ranking loss; κ = `sharpness`), and the mean prediction over the samples.
    /// The backward pass reuses two per-element coefficients saved by the forward pass
    /// (∂ℓ/∂t and ∂(A or B)/∂t) and adds ∂/∂t into both inputs (summed over S for `means`).
    /// O(S·b·q) time, 2·S·b·q floats saved when recording.
    public func probitSampleSums(noise: Tensor, means: Tensor, targets: UnsafeBufferPointer<Float>,
                                 weights: UnsafeBufferPointer<Float>? = nil, floor: Float, sharpness: Float) -> ProbitSampleSums {
        precondition(means.shape.count == 2, "probitSampleSums: means must be [b, q], not \(means.shape)")
        let b = means.shape[0], q = means.shape[1], width = b * q
        let samples = width > 0 ? noise.count / width : 0
        precondition(samples > 0 && noise.count == samples * width && noise.shape.last == q,
                     "probitSampleSums: noise \(noise.shape) is not [S·b, q] for means \(means.shape)")
        precondition(targets.count == width && (weights?.count ?? width) == width,
                     "probitSampleSums: \(targets.count) targets, \(weights?.count ?? width) weights for \(width) values")
        precondition(targets.allSatisfy { $0 == 0 || $0 == 1 }, "probitSampleSums: targets must be 0 or 1")
        let y = constant(targets, shape: [b, q])
        let sums = output([3, samples, b], inputs: [noise, means])
        let meanLogits = output([b, q], inputs: [])
        let saves = sums.requiresGrad
        let likelihoodSlope = saves ? pool.acquire(samples * width) : nil
        let rankingSlope = saves ? pool.acquire(samples * width) : nil
        let probability = pool.acquireZeroed(width), complement = pool.acquireZeroed(width)
        let keep = 1 - floor, half = floor / 2
        let pn = noise.data, pm = means.data, py = y.data, ps = sums.data, pw = weights?.baseAddress
        for s in 0..<samples {
            for n in 0..<b {
                var logSum = FloatLanes(), positiveSum = FloatLanes(), negativeSum = FloatLanes()
                let row = (s * b + n) * q
                var j = 0
                while j < q {
                    let lanes = min(8, q - j), valid = Probit.laneMask(lanes)
                    let label = VectorMath.load(py + n * q + j, count: lanes)
                    let sign = 2 * label - 1
                    let t = VectorMath.load(pn + row + j, count: lanes) + VectorMath.load(pm + n * q + j, count: lanes)
                    let weight = pw.map { VectorMath.load($0 + n * q + j, count: lanes) }
                        ?? FloatLanes(repeating: 1).replacing(with: 0, where: .!valid)
                    let cdf = VectorMath.normalCDF(sign * t)
                    let observed = cdf.lower * keep + half, other = cdf.upper * keep + half
                    let e = label * observed + (1 - label) * other
                    let rank = VectorMath.exp(-sharpness * sign * e)
                    logSum += weight * VectorMath.log(observed)
                    positiveSum += label * rank
                    negativeSum += (1 - label) * rank.replacing(with: 0, where: .!valid)
                    if let likelihoodSlope, let rankingSlope {
                        let slope = cdf.density * keep
                        VectorMath.store(weight * sign * slope / observed, likelihoodSlope + row + j, count: lanes)
                        VectorMath.store(-sharpness * sign * rank * slope, rankingSlope + row + j, count: lanes)
                    }
                    let mean = probability + n * q + j, rest = complement + n * q + j
                    VectorMath.store(VectorMath.load(mean, count: lanes) + e, mean, count: lanes)
                    VectorMath.store(VectorMath.load(rest, count: lanes) + label * other + (1 - label) * observed, rest, count: lanes)
                    j += 8
                }
                ps[s * b + n] = logSum.sum()
                ps[(samples + s) * b + n] = positiveSum.sum()
                ps[(2 * samples + s) * b + n] = negativeSum.sum()
            }
        }
        Probit.logits(probability, complement, count: width, into: meanLogits.data)
        pool.release(probability, count: width)
        pool.release(complement, count: width)
        guard let likelihoodSlope, let rankingSlope else { return ProbitSampleSums(sums: sums, meanLogits: meanLogits) }
        let slopes = (MaskHolder(mask: likelihoodSlope, count: samples * width, pool: pool),
                      MaskHolder(mask: rankingSlope, count: samples * width, pool: pool))
        record(sums) { sums in
            let g = sums.gradient!, py = y.data
            let gn = noise.requiresGrad ? noise.gradientForAccumulation() : nil
            let gm = means.requiresGrad ? means.gradientForAccumulation() : nil
            let c1 = slopes.0.mask, c2 = slopes.1.mask
            for s in 0..<samples {
                for n in 0..<b {
                    let gl = g[s * b + n], ga = g[(samples + s) * b + n], gb = g[(2 * samples + s) * b + n]
                    let row = (s * b + n) * q
                    var j = 0
                    while j < q {
                        let lanes = min(8, q - j)
                        let label = VectorMath.load(py + n * q + j, count: lanes)
                        let gt = gl * VectorMath.load(c1 + row + j, count: lanes)
                            + (label * ga + (1 - label) * gb) * VectorMath.load(c2 + row + j, count: lanes)
                        if let gn { VectorMath.store(VectorMath.load(gn + row + j, count: lanes) + gt, gn + row + j, count: lanes) }
                        if let gm {
                            VectorMath.store(VectorMath.load(gm + n * q + j, count: lanes) + gt, gm + n * q + j, count: lanes)
                        }
                        j += 8
                    }
                }
            }
        }
        return ProbitSampleSums(sums: sums, meanLogits: meanLogits)
    }
}
