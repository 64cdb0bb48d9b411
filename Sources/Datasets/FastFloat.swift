import Foundation

/// Decimal text to `Float`, correctly rounded (same result as C `strtof`), without allocation.
///
/// Grammar: `[+-] digits [. digits] [(e|E) [+-] digits]` or `[+-] . digits …`; no `nan`/`inf`.
/// Fast path: at most 19 significant digits and a decimal exponent within ±22 give an exact
/// `Double` operand, so `m × 10^e` (or `m / 10^-e`) is one correctly rounded `Double` operation;
/// rounding that `Double` to `Float` is then correct unless it lies exactly on a `Float`
/// rounding midpoint (or is subnormal), in which case the token goes to `strtof`. O(token length).
public enum FastFloat {
    /// Exact powers of ten representable in `Double`.
    @usableFromInline static let powers: [Double] = (0...22).map { Double(sign: .plus, exponent: 0, significand: 1) * pow(10.0, Double($0)) }

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
            let m = Double(mantissa)
            let d = exponent >= 0 ? m * powers[exponent] : m / powers[-exponent]
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
