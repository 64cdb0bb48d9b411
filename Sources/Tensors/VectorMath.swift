/// Eight Float32 lanes: the unit of the vectorised element-wise kernels.
public typealias FloatLanes = SIMD8<Float>

/// Vectorised transcendental functions on eight lanes (polynomial approximations in the
/// style of Cephes; branch-free, so loops over [S, b, q] tensors vectorise). Each is
/// deterministic: the same input bits give the same output bits on every run.
public enum VectorMath {
    typealias Bits = SIMD8<Int32>

    /// eˣ with relative error ≲ 2e-7 for x in [−87.3, 88.3]; 0 below −87.3, e^88.3 above.
    @inline(__always)
    public static func exp(_ x: FloatLanes) -> FloatLanes {
        let clamped = pointwiseMin(pointwiseMax(x, FloatLanes(repeating: -87.3)), FloatLanes(repeating: 88.3))
        // n = round(x / ln 2) by adding 1.5·2²³: the low mantissa bits of `shifted` then hold n.
        let magic = FloatLanes(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = (clamped - n * 0.693_359_375) - n * -2.121_944_4e-4
        var p = FloatLanes(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        p = p * (r * r) + r + 1
        let exponent = unsafeBitCast(shifted, to: Bits.self) &- unsafeBitCast(magic, to: Bits.self)
        let scale = unsafeBitCast((exponent &+ 127) &<< 23, to: FloatLanes.self)
        return (p * scale).replacing(with: 0, where: x .< -87.3)
    }

    /// Natural logarithm of positive normal numbers, relative error ≲ 2e-7.
    @inline(__always)
    public static func log(_ x: FloatLanes) -> FloatLanes {
        let bits = unsafeBitCast(x, to: Bits.self)
        var exponent = FloatLanes((bits &>> 23) &- 127)
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: FloatLanes.self)  // [1, 2)
        let high = m .> 1.414_213_56
        m = m.replacing(with: m * 0.5, where: high)
        exponent = exponent.replacing(with: exponent + 1, where: high)
        let f = m - 1, z = f * f
        var y = FloatLanes(repeating: 7.037_683_629_2e-2)
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

    /// Standard normal CDF at u and at −u, and the density φ(u) = e^(−u²/2)/√(2π).
    /// Φ comes from erfc by Numerical Recipes' Chebyshev fit (relative error < 1.2e-7 for the
    /// smaller of Φ(u), Φ(−u), so both tails keep full relative precision).
    @inline(__always)
    public static func normalCDF(_ u: FloatLanes) -> (lower: FloatLanes, upper: FloatLanes, density: FloatLanes) {
        let z = unsafeBitCast(unsafeBitCast(u, to: Bits.self) & 0x7FFF_FFFF, to: FloatLanes.self) * 0.707_106_78
        let t = 1 / (1 + 0.5 * z)
        var p = FloatLanes(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        let gaussian = exp(-(z * z))
        let tail = 0.5 * t * gaussian * exp(p)  // Φ(−|u|)
        let negative = u .< 0
        let lower = tail.replacing(with: 1 - tail, where: .!negative)
        let upper = (1 - tail).replacing(with: tail, where: .!negative)
        return (lower, upper, gaussian * 0.398_942_28)
    }

    /// Loads `count` ≤ 8 values (the rest 0).
    @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>, count: Int = 8) -> FloatLanes {
        if count == 8 { return UnsafeRawPointer(pointer).loadUnaligned(as: FloatLanes.self) }
        var lanes = FloatLanes()
        for i in 0..<count { lanes[i] = pointer[i] }
        return lanes
    }

    /// Stores the first `count` ≤ 8 lanes.
    @inline(__always)
    public static func store(_ lanes: FloatLanes, _ pointer: UnsafeMutablePointer<Float>, count: Int = 8) {
        if count == 8 {
            UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: FloatLanes.self)
            return
        }
        for i in 0..<count { pointer[i] = lanes[i] }
    }
}
