/// IEEE 754 binary16 ⇄ binary32 conversion by bit manipulation.
///
/// Portable and fast on any x86-64 (no F16C needed): the default x86-64 target lowers Swift's
/// `Float16` conversions to library calls (≈ 4 ns/element), these loops run at memory speed.
public enum Float16Bits {
    /// Rounds a Float to the nearest binary16 (ties to even); overflow gives ±∞, NaN stays NaN.
    @inlinable public static func encode(_ value: Float) -> UInt16 {
        let x = value.bitPattern
        let sign = UInt16((x >> 16) & 0x8000)
        let exponent = Int((x >> 23) & 0xFF)
        var mantissa = x & 0x7F_FFFF
        if exponent == 0xFF {
            return sign | 0x7C00 | (mantissa != 0 ? 0x200 | UInt16(mantissa >> 13) : 0)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            if halfExponent < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - halfExponent)
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(halfExponent) << 10 | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// The exact Float value of a binary16 bit pattern.
    @inlinable public static func decode(_ half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = UInt32(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1.0p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }

    /// Encodes a buffer; `output.count` must be at least `input.count`.
    public static func encode(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<UInt16>) {
        for i in 0..<input.count { output[i] = encode(input[i]) }
    }

    /// Decodes a buffer; `output.count` elements are written.
    public static func decode(_ input: UnsafeBufferPointer<UInt16>, into output: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<output.count { output[i] = decode(input[i]) }
    }
}
