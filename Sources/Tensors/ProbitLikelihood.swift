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
        for i in 0..<count {
            let cdf = VectorMath.normalCDF(t[i])
            probability[i] = cdf.lower * keep + half
            complement[i] = cdf.upper * keep + half
        }
    }

    /// log p − log c of `count` pairs (p and c = 1 − p as `probabilities` gives them). O(n).
    public static func logits(_ probability: UnsafePointer<Float>, _ complement: UnsafePointer<Float>, count: Int,
                              into logits: UnsafeMutablePointer<Float>) {
        for i in 0..<count { logits[i] = VectorMath.log(probability[i]) - VectorMath.log(complement[i]) }
    }
}

extension Graph {
    /// The Monte-Carlo terms of a multivariate probit output (mpvae, docs/models.md §4): for
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
        // Per sample: w log E⁽ʸ⁾, y e^(−κE) and (1 − y) e^(κE) of every element, summed per row below;
        // the weights (1 when none are given); the slopes' destination when not recording.
        let scratch = pool.acquire(6 * width)
        let likelihoodTerms = scratch, positiveTerms = scratch + width, negativeTerms = scratch + 2 * width
        let weight = scratch + 3 * width, unsaved = scratch + 4 * width
        if let weights { weight.update(from: weights.baseAddress!, count: width) } else { weight.update(repeating: 1, count: width) }
        let keep = 1 - floor, half = floor / 2
        let pn = noise.data, pm = means.data, py = y.data, ps = sums.data
        for s in 0..<samples {
            let base = s * width, noiseRow = pn + base
            let slope1 = likelihoodSlope.map { $0 + base } ?? unsaved, slope2 = rankingSlope.map { $0 + base } ?? unsaved + width
            // One branch-free loop over the b·q values of sample s, vectorised by the compiler.
            for i in 0..<width {
                let label = py[i], sign = 2 * label - 1
                let cdf = VectorMath.normalCDF(sign * (noiseRow[i] + pm[i]))
                let observed = cdf.lower * keep + half, other = cdf.upper * keep + half
                let e = label * observed + (1 - label) * other
                let rank = VectorMath.exp(-sharpness * sign * e)
                let slope = cdf.density * keep
                likelihoodTerms[i] = weight[i] * VectorMath.log(observed)
                positiveTerms[i] = label * rank
                negativeTerms[i] = rank - label * rank
                slope1[i] = weight[i] * sign * slope / observed
                slope2[i] = -sharpness * sign * rank * slope
                probability[i] += e
                complement[i] += label * other + (1 - label) * observed
            }
            for n in 0..<b {
                for part in 0..<3 { ps[(part * samples + s) * b + n] = VectorMath.sum(scratch + part * width + n * q, count: q) }
            }
        }
        Probit.logits(probability, complement, count: width, into: meanLogits.data)
        pool.release(probability, count: width)
        pool.release(complement, count: width)
        pool.release(scratch, count: 6 * width)
        guard let likelihoodSlope, let rankingSlope else { return ProbitSampleSums(sums: sums, meanLogits: meanLogits) }
        let slopes = (MaskHolder(mask: likelihoodSlope, count: samples * width, pool: pool),
                      MaskHolder(mask: rankingSlope, count: samples * width, pool: pool))
        let pool = self.pool
        record(sums) { sums in
            let g = sums.gradient!, py = y.data
            let gn = noise.requiresGrad ? noise.gradientForAccumulation() : nil
            let gm = means.requiresGrad ? means.gradientForAccumulation() : nil
            let c1 = slopes.0.mask, c2 = slopes.1.mask
            // Per sample: the row gradients of ℓ and of A or B (by the label) spread over the row's elements.
            let rowGradients = pool.acquire(2 * width)
            defer { pool.release(rowGradients, count: 2 * width) }
            for s in 0..<samples {
                for n in 0..<b {
                    let gl = g[s * b + n], ga = g[(samples + s) * b + n], gb = g[(2 * samples + s) * b + n]
                    for j in (n * q)..<((n + 1) * q) {
                        rowGradients[j] = gl
                        rowGradients[width + j] = py[j] == 1 ? ga : gb
                    }
                }
                let base = s * width
                let gl = rowGradients, gr = rowGradients + width, c1s = c1 + base, c2s = c2 + base
                if let gn {
                    let gns = gn + base
                    for i in 0..<width { gns[i] += gl[i] * c1s[i] + gr[i] * c2s[i] }
                }
                if let gm {
                    for i in 0..<width { gm[i] += gl[i] * c1s[i] + gr[i] * c2s[i] }
                }
            }
        }
        return ProbitSampleSums(sums: sums, meanLogits: meanLogits)
    }
}
