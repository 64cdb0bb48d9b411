/// Base-2 logarithm of eight Float32 values at once, for the binary entropies of U: libm's scalar
/// `log2f`, called twice for every (sample, label) each epoch, was most of the uncertainty
/// selector's bookkeeping.
public enum VectorLogarithm {
    /// log₂ x for positive normal x (other inputs give unspecified values): x = 2^k · m with
    /// m ∈ [√½, √2) from the bit pattern, f = m − 1 (exact), and ln(1 + f) = f − (f²/2 − s·(f²/2 + R))
    /// with s = f/(2 + f), |s| < 0.1716, R = Σ_{i=1…4} 2s^(2i)/(2i + 1) (the series of 2·atanh s, whose
    /// truncation is below 10⁻⁸ of the small correction). Exact for powers of two; within 1.71 ulp of
    /// log₂ on every Float32 in [10⁻⁷, 1] (checked exhaustively; `VectorLogarithmTests` samples it).
    /// Not the same bits as libm's `log2f` (which differs from the correctly rounded value on 0.07 %
    /// of those inputs) on about 3 % of them.
    @inline(__always)
    public static func log2(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        // Subtracting the bit pattern of √½ puts the exponent that brings m into [√½, √2) in the top bits.
        let k = (bits &- 0x3F35_04F3) &>> 23
        let m = unsafeBitCast(bits &- (k &<< 23), to: SIMD8<Float>.self)
        let f = m - 1
        let s = f / (f + 2)
        let z = s * s
        var r: SIMD8<Float> = z * SIMD8(repeating: 2.0 / 9) + 2.0 / 7
        r = r * z + 2.0 / 5
        r = r * z + 2.0 / 3
        r *= z
        let halfSquare: SIMD8<Float> = 0.5 * f * f
        let naturalLog: SIMD8<Float> = f - (halfSquare - s * (halfSquare + r))
        let inverseLn2: Float = 1.4426950408889634
        return SIMD8<Float>(k) + naturalLog * inverseLn2
    }
}
