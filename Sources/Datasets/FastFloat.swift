import Foundation

/// Decimal text to `Float`, correctly rounded (same result as C `strtof`), without allocation.
///
/// Grammar: `[+-] digits [. digits] [(e|E) [+-] digits]` or `[+-] . digits …`; no `nan`/`inf`.
/// Fast path: at most 19 significant digits and a decimal exponent within ±22 give an exact
/// `Double` operand, so `m × 10^e` (or `m / 10^-e`) is one correctly rounded `Double` operation;
/// rounding that `Double` to `Float` is then correct unless it lies exactly on a `Float`
/// rounding midpoint (or is subnormal), in which case the token goes to `strtof`. O(token length).
public enum FastFloat {
    /// 10^k for 0 ≤ k ≤ 22 (exact in `Double`); a switch compiles to a constant table, no lazy global.
    @inlinable @inline(__always)
    static func power(_ k: Int) -> Double {
        switch k {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// Parses the token `bytes[start..<end]`; nil if it is not a number (or overflows `Float`).
    @inlinable
    public static func parse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Float? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var digits = 0
        var exact = true
        while i < end, bytes[i] &- 48 < 10 {
            let digit = UInt64(bytes[i] &- 48)
            if significant < 19 {
                mantissa = mantissa &* 10 &+ digit
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                if digit != 0 { exact = false }
            }
            digits += 1
            i += 1
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, bytes[i] &- 48 < 10 {
                let digit = UInt64(bytes[i] &- 48)
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else if digit != 0 {
                    exact = false
                }
                digits += 1
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var negativeExponent = false
            if i < end, bytes[i] == UInt8(ascii: "-") { negativeExponent = true; i += 1 } else if i < end, bytes[i] == UInt8(ascii: "+") { i += 1 }
            var value = 0
            var exponentDigits = 0
            while i < end, bytes[i] &- 48 < 10 {
                if value < 100_000 { value = value * 10 + Int(bytes[i] &- 48) }
                exponentDigits += 1
                i += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += negativeExponent ? -value : value
        }
        guard i == end else { return nil }
        if mantissa == 0 && exact { return negative ? -0.0 : 0.0 }
        if exact && mantissa <= (UInt64(1) << 53) && exponent >= -22 && exponent <= 22 {
            let m = Double(Int64(mantissa))
            let d = exponent >= 0 ? m * power(exponent) : m / power(-exponent)
            let low29 = d.bitPattern & ((UInt64(1) << 29) - 1)
            if low29 != (UInt64(1) << 28) && d >= Double(Float.leastNormalMagnitude) && d <= Double(Float.greatestFiniteMagnitude) {
                let f = Float(d)
                return negative ? -f : f
            }
        }
        return slowPath(bytes, start, end)
    }

    /// `strtof` on a NUL-terminated copy of the token.
    @usableFromInline
    static func slowPath(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Float? {
        let length = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> Float? in
            for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
            buffer[length] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtof(buffer.baseAddress!, &stop)
            guard let stop, stop - buffer.baseAddress! == length, value.isFinite else { return nil }
            return value
        }
    }
}
