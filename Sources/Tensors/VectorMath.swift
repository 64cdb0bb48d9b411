/// Transcendental functions for element-wise kernels over large tensors (polynomial
/// approximations in the style of Cephes). They are straight-line scalar code — arithmetic, bit
/// operations, min/max and selects, no calls or branches — so that LLVM's loop vectoriser turns a
/// plain `for i in 0..<n` loop over them into SIMD code (Swift's SIMD types lower to lane loops
/// that the SLP vectoriser often leaves scalar in large kernels). Deterministic: the same input
/// bits give the same output bits. Inputs must be finite.
enum VectorMath {
    /// eˣ with relative error ≲ 2e-7 for x in [−87.3, 88.3]; 0 below −87.3, e^88.3 above.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.3), 88.3)
        // n = round(x / ln 2) by adding 1.5·2²³: the low mantissa bits of `shifted` then hold n.
        let shifted = clamped * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = (clamped - n * 0.693_359_375) - n * -2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        p = p * (r * r) + r + 1
        let exponent = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        let scale = Float(bitPattern: UInt32(bitPattern: (exponent &+ 127) &<< 23))
        return x < -87.3 ? 0 : p * scale
    }

    /// Natural logarithm of positive normal numbers, relative error ≲ 2e-7. The mantissa is
    /// brought into [√½, √2) with integer arithmetic (as musl's logf does).
    @inline(__always)
    static func log(_ x: Float) -> Float {
        let shifted = Int32(bitPattern: x.bitPattern) &+ (0x3F80_0000 - 0x3F35_04F3)
        let exponent = Float((shifted &>> 23) &- 127)
        let f = Float(bitPattern: UInt32(bitPattern: (shifted & 0x007F_FFFF) &+ 0x3F35_04F3)) - 1
        let z = f * f
        var y: Float = 7.037_683_629_2e-2
        y = y * f - 1.151_461_031_0e-1
        y = y * f + 1.167_699_874_0e-1
        y = y * f - 1.242_014_084_6e-1
        y = y * f + 1.424_932_278_7e-1
        y = y * f - 1.666_805_766_5e-1
        y = y * f + 2.000_071_476_5e-1
        y = y * f - 2.499_999_399_3e-1
        y = y * f + 3.333_333_117_4e-1
        y = y * f * z
        y = y + exponent * -2.121_944_40e-4 - z * 0.5
        return f + y + exponent * 0.693_359_375
    }

    /// Standard normal CDF at u and at −u, and the density φ(u) = e^(−u²/2)/√(2π), with one
    /// exponential: Φ(−|u|) = ½·e^(−z²)·t·Q(t) for z = |u|/√2, t = 1/(1 + z/2), where
    /// Q(t) = erfcx(z)/t is fitted by a degree-10 polynomial (Chebyshev-weighted least squares,
    /// relative error 1.2e-8; 2e-7 evaluated in Float32). The smaller of Φ(u), Φ(−u) thus keeps
    /// full relative precision in both tails.
    @inline(__always)
    static func normalCDF(_ u: Float) -> (lower: Float, upper: Float, density: Float) {
        let z = Swift.abs(u) * 0.707_106_78
        let t = 1 / (1 + 0.5 * z)
        var q: Float = 4.319_543_314e-2
        q = q * t - 2.347_335_923e-1
        q = q * t + 4.936_949_307e-1
        q = q * t - 4.549_739_870e-1
        q = q * t + 1.321_770_437e-1
        q = q * t - 5.921_135_752e-2
        q = q * t + 9.346_243_431e-2
        q = q * t + 1.753_159_758e-1
        q = q * t + 2.468_845_747e-1
        q = q * t + 2.820_937_538e-1
        q = q * t + 2.820_947_952e-1
        let gaussian = exp(-(z * z))
        let small = 0.5 * gaussian * t * q, large = 1 - small  // Φ(−|u|) = ½ erfc(z), Φ(|u|)
        return (u < 0 ? small : large, u < 0 ? large : small, gaussian * 0.398_942_28)
    }

    /// Σ of `count` values: eight running sums (one per residue mod 8), then the tail, in a
    /// fixed order.
    @inline(__always)
    static func sum(_ pointer: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= count {
            lanes += UnsafeRawPointer(pointer + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += pointer[i]
            i += 1
        }
        return total
    }
}
