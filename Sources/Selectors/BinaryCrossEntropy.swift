import Foundation

/// hard-imbalance's loss of one row, Σ_j BCE(p̂_j, y_j), with one `log` per row instead of one
/// per label.
public enum BinaryCrossEntropy {
    /// Σ_j −ln x_j with x_j = p̂_j if y_j ≠ 0 else 1 − p̂_j, p̂_j clamped to [floor, 1 − floor]
    /// (`Uncertainty.probabilityFloor`), computed as −ln Π_j x_j: the factors are multiplied in
    /// Double in four interleaved partial products whose binary exponents are taken out every 16
    /// factors (each factor is at least 10⁻⁷, so nothing underflows), then
    /// −(ln m + e · ln 2) with ln 2 in two parts (e · ln2_hi exact).
    ///
    /// Numerical by design: not the bits of summing q libm logs. Both are within a few 10⁻¹⁴
    /// of the exact sum for q in the hundreds (the product's relative error is at most about
    /// q · 2⁻⁵³; the sum's absolute error grows with q · max |ln x|).
    @inline(__always)
    public static func rowLoss(probabilities p: UnsafePointer<Float>, labels y: UnsafePointer<UInt8>, count q: Int) -> Double {
        let floor = Double(Uncertainty.probabilityFloor)
        let low = SIMD4<Double>(repeating: floor), high = SIMD4<Double>(repeating: 1 - floor)
        var products = SIMD4<Double>(repeating: 1)
        var exponent = 0
        var run = 0
        var j = 0
        while j + 4 <= q {
            var probability = SIMD4<Double>(Double(p[j]), Double(p[j + 1]), Double(p[j + 2]), Double(p[j + 3]))
            // min(max(x, low), high) as two selects (`clamped` is an out-of-line call per block).
            probability.replace(with: low, where: probability .< low)
            probability.replace(with: high, where: probability .> high)
            let positive = SIMD4<Int64>(Int64(y[j]), Int64(y[j + 1]), Int64(y[j + 2]), Int64(y[j + 3])) .!= 0
            products *= (1 - probability).replacing(with: probability, where: positive)
            j += 4
            run += 1
            if run == 16 {
                renormalise(&products, &exponent)
                run = 0
            }
        }
        var tail = 1.0
        while j < q {
            let probability = min(max(Double(p[j]), floor), 1 - floor)
            tail *= y[j] != 0 ? probability : 1 - probability
            j += 1
        }
        products[0] *= tail   // at most three factors: no underflow
        renormalise(&products, &exponent)
        let mantissa = (products[0] * products[1]) * (products[2] * products[3])   // in [1, 16)
        let scaled = Double(exponent)
        return -(scaled * ln2High + (scaled * ln2Low + log(mantissa)))
    }

    /// ln 2 = ln2High + ln2Low, ln2High with 32 significant bits (fdlibm's split).
    static let ln2High = 6.93147180369123816490e-01
    static let ln2Low = 1.90821492927058770002e-10

    /// Moves the binary exponents of four positive normal values into `exponent`, leaving
    /// significands in [1, 2).
    @inline(__always)
    static func renormalise(_ values: inout SIMD4<Double>, _ exponent: inout Int) {
        let bits = unsafeBitCast(values, to: SIMD4<UInt64>.self)
        let exponents = (bits &>> 52) & 0x7FF
        exponent += Int(exponents.wrappedSum()) - 4 * 1023
        values = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: SIMD4<Double>.self)
    }
}
