import Datasets
import Foundation
import Testing

@Suite struct FastFloatTests {
    private func parse(_ text: String) -> Float? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { FastFloat.parse(UnsafePointer($0.baseAddress!), 0, $0.count) }
    }

    @Test func handWrittenValues() {
        #expect(parse("0") == 0)
        #expect(parse("1") == 1)
        #expect(parse("-73.302422") == Float(-73.302422))
        #expect(parse("0.646467") == Float(0.646467))
        #expect(parse(".5") == 0.5)
        #expect(parse("5.") == 5)
        #expect(parse("+2.5e3") == 2500)
        #expect(parse("1E-2") == Float(0.01))
        #expect(parse("-0")?.sign == .minus)
        #expect(parse("3.4e38") == Float(3.4e38))
    }

    @Test func rejectsNonNumbers() {
        for text in ["", "-", ".", "e5", "1e", "1e+", "abc", "1.2.3", "nan", "inf", "1,5", "1 ", "0x10", "4e39"] {
            #expect(parse(text) == nil, "accepted '\(text)'")
        }
    }

    /// Random decimal strings of many shapes must parse to exactly what strtof returns.
    @Test func agreesWithStrtof() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        for _ in 0..<200_000 {
            var text = next() % 4 == 0 ? "-" : ""
            let integerDigits = Int(next() % 12)
            for _ in 0..<integerDigits { text += String(next() % 10) }
            if integerDigits == 0 || next() % 2 == 0 {
                text += "."
                for _ in 0..<(1 + Int(next() % 22)) { text += String(next() % 10) }
            }
            if next() % 3 == 0 { text += "e" + (next() % 2 == 0 ? "-" : "") + String(next() % 45) }
            let expected = strtof(text, nil)
            guard expected.isFinite else { continue }
            let parsed = parse(text)
            #expect(parsed?.bitPattern == expected.bitPattern, "'\(text)': \(String(describing: parsed)) vs strtof \(expected)")
            if parsed?.bitPattern != expected.bitPattern { return }
        }
    }

    /// Float rounding midpoints (where a double rounding would go wrong) still match strtof.
    @Test func midpointsMatchStrtof() {
        for text in ["1.00000005960464477539062", "16777217", "33554435", "0.500000029802322387695312", "1.5e-40", "7.0064923e-45"] {
            #expect(parse(text)?.bitPattern == strtof(text, nil).bitPattern, "'\(text)'")
        }
    }
}
