import Foundation

/// Distribution functions needed by the rank tests and the paired comparisons, built on
/// Foundation's `erfc` and `lgamma`.
///
/// Accuracy: about 1e-14 relative in the body of each distribution (series and continued
/// fractions iterate to machine precision), enough to reproduce SciPy's p-values.
public enum SpecialFunctions {
    /// Upper tail of the standard normal, P(Z > z).
    public static func normalSurvival(_ z: Double) -> Double {
        0.5 * erfc(z / 2.0.squareRoot())
    }

    /// Upper tail of the chi-square distribution with `degreesOfFreedom`, P(X > x).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom: Double) -> Double {
        if x <= 0 { return 1 }
        return regularizedUpperGamma(degreesOfFreedom / 2, x / 2)
    }

    /// Upper tail of the F distribution, P(F > f), with `d1` and `d2` degrees of freedom.
    public static func fSurvival(_ f: Double, d1: Double, d2: Double) -> Double {
        if f <= 0 { return 1 }
        return regularizedIncompleteBeta(d2 / (d2 + d1 * f), a: d2 / 2, b: d1 / 2)
    }

    /// Upper tail of Student's t with `degreesOfFreedom` ν, P(T > t) = I_{ν/(ν+t²)}(ν/2, 1/2) / 2
    /// for t ≥ 0, and 1 minus that of −t below 0.
    public static func studentTSurvival(_ t: Double, degreesOfFreedom: Double) -> Double {
        if t.isNaN { return .nan }
        let tail = 0.5 * regularizedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), a: degreesOfFreedom / 2, b: 0.5)
        return t >= 0 ? tail : 1 - tail
    }

    /// The `probability`-quantile of Student's t with `degreesOfFreedom` (0 < probability < 1):
    /// bisection on ``studentTSurvival(_:degreesOfFreedom:)`` down to adjacent doubles, so the
    /// result is deterministic. Quantiles below 1/2 follow from the symmetry t_p = −t_{1−p}.
    public static func studentTQuantile(_ probability: Double, degreesOfFreedom: Double) -> Double {
        precondition(probability > 0 && probability < 1, "probability must lie in (0, 1)")
        if probability < 0.5 { return -studentTQuantile(1 - probability, degreesOfFreedom: degreesOfFreedom) }
        let tail = 1 - probability
        var lower = 0.0, upper = 1.0
        while studentTSurvival(upper, degreesOfFreedom: degreesOfFreedom) > tail { lower = upper; upper *= 2 }
        while true {
            let middle = lower + (upper - lower) / 2
            if middle <= lower || middle >= upper { return middle }
            if studentTSurvival(middle, degreesOfFreedom: degreesOfFreedom) > tail { lower = middle } else { upper = middle }
        }
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): series for x < a + 1, Lentz continued fraction otherwise.
    public static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0, "shape must be positive")
        if x <= 0 { return 1 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var denominator = a
            for _ in 0..<10_000 {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(logPrefix) * h
    }

    /// I_x(a, b), the regularised incomplete beta function (continued fraction, with the
    /// symmetry I_x(a, b) = 1 − I_{1−x}(b, a) for fast convergence).
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logBeta + logPowers
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1..<10_000 {
            let m = Double(m)
            let twoM: Double = 2 * m
            let even: Double = m * (b - m) * x / ((a + twoM - 1) * (a + twoM))
            d = 1 + even * d
            if abs(d) < tiny { d = tiny }
            c = 1 + even / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            let odd: Double = -(a + m) * (a + b + m) * x / ((a + twoM) * (a + twoM + 1))
            d = 1 + odd * d
            if abs(d) < tiny { d = tiny }
            c = 1 + odd / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
