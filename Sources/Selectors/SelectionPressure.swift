import Formats
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

    /// The authors' rising pressure s_t = s0 · (exp(log(1/s0)/(a − b)))^(t − b): 1 at epoch a, s0 at
    /// epoch b, not clamped (below 1 before a). Their `calculate_probabilities(U, epoch, 10, 100, 8)`
    /// in this arithmetic, with their 0-based epoch x computing the pressure of epoch x + 1 (our
    /// 1-based t = x + 2): a = 12, b = 102, s0 = 8.
    public static func risingPressure(epoch t: Int, s0: Double, from a: Int, to b: Int) -> Double {
        precondition(b > a && s0 >= 1)
        return s0 * pow(exp(log(1 / s0) / Double(a - b)), Double(t - b))
    }

    /// The pressure of epoch t under the train parameters' schedule (decay or rise).
    public static func pressure(epoch t: Int, parameters: TrainParameters) -> Double {
        switch parameters.pressureSchedule {
        case .decay:
            return pressure(epoch: t, s0: parameters.s0, warmupEpochs: parameters.warmupEpochs, epochs: parameters.epochs)
        case .rise:
            let interval = parameters.riseInterval
            return risingPressure(epoch: t, s0: parameters.s0, from: interval.from, to: interval.to)
        }
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

    /// Q(w) = ⌈(1 − w)/Δ⌉ with Δ = 1/n, in the authors' arithmetic (`(1 - U) / Delta`, float64), in [0, n].
    @inline(__always)
    public static func quantiseUp(_ w: Double, sampleCount n: Int) -> Int {
        min(max(Int(((1 - w) / (1 / Double(n))).rounded(.up)), 0), n)
    }

    /// Unnormalised Eq. 10 weights s^(−Q(w_i)/n): 1 for the most uncertain sample, 1/s for the least
    /// (the reverse when s < 1). Q rounds down (Eq. 9) or, with `.ceil`, up (the authors' code).
    public static func samplingWeights(normalisedScores w: [Double], pressure s: Double,
                                       rounding: QuantiserRounding = .floor) -> [Double] {
        let n = w.count
        let base = exp(-log(s) / Double(n))
        var result = [Double](repeating: 0, count: n)
        switch rounding {
        case .floor: for i in 0..<n { result[i] = pow(base, Double(quantise(w[i], sampleCount: n))) }
        case .ceil: for i in 0..<n { result[i] = pow(base, Double(quantiseUp(w[i], sampleCount: n))) }
        }
        return result
    }

    /// Eq. 10 normalised to sum 1: the probability that one draw picks sample i.
    public static func probabilities(normalisedScores w: [Double], pressure s: Double,
                                     rounding: QuantiserRounding = .floor) -> [Double] {
        let weights = samplingWeights(normalisedScores: w, pressure: s, rounding: rounding)
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}
