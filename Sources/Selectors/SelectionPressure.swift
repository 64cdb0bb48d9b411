import Foundation

/// The quantised exponential selection of docs/method.md, Eq. 8–11, shared by every non-random selector.
public enum SelectionPressure {
    /// s_t = s0 · (exp(log(1/s0)/(E − γ)))^(t − γ) (Eq. 11): s0 at t = γ, 1 at t = E.
    /// `epoch` t is 1-based and clamped to [γ, E].
    public static func pressure(epoch: Int, s0: Double, warmupEpochs: Int, epochs: Int) -> Double {
        precondition(epochs > warmupEpochs && s0 >= 1)
        let elapsed = Double(min(max(epoch, warmupEpochs), epochs) - warmupEpochs)
        return s0 * pow(exp(log(1 / s0) / Double(epochs - warmupEpochs)), elapsed)
    }

    /// Min–max normalises scores to [0, 1] in place (Eq. 8); all equal (or empty) → all 1.
    public static func normalise(_ scores: inout [Double]) {
        guard let low = scores.min(), let high = scores.max(), high > low else {
            for i in scores.indices { scores[i] = 1 }
            return
        }
        let span = high - low
        for i in scores.indices { scores[i] = (scores[i] - low) / span }
    }

    /// Q(w) = ⌊(1 − w)/Δ⌋ with Δ = 1/n (Eq. 9), with a 1e-9 guard against rounding, in [0, n].
    @inline(__always)
    public static func quantise(_ w: Double, sampleCount n: Int) -> Int {
        min(max(Int(((1 - w) * Double(n) + 1e-9).rounded(.down)), 0), n)
    }

    /// Unnormalised Eq. 10 weights s^(−Q(w_i)/n): 1 for the most uncertain sample, 1/s for the least.
    public static func samplingWeights(normalisedScores w: [Double], pressure s: Double) -> [Double] {
        let n = w.count
        let base = exp(-log(s) / Double(n))
        var result = [Double](repeating: 0, count: n)
        for i in 0..<n { result[i] = pow(base, Double(quantise(w[i], sampleCount: n))) }
        return result
    }

    /// Eq. 10 normalised to sum 1: the probability that one draw picks sample i.
    public static func probabilities(normalisedScores w: [Double], pressure s: Double) -> [Double] {
        let weights = samplingWeights(normalisedScores: w, pressure: s)
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}
