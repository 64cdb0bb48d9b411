/// What is wrong with a text cell that is no float32 value, for messages about CSV, TSV and XMLC files.
enum NumberText {
    /// The range of finite float32 values, as messages state it.
    static let float32Range = "float32's range (±3.4e38)"

    /// The token's text for a message (at most 40 characters).
    static func text(_ token: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: token, as: UTF8.self)
        return text.count > 40 ? text.prefix(37) + "…" : text
    }

    /// Whether `text`, which ``FastFloat/parse(_:_:_:)`` refused, is a well-formed decimal beyond
    /// float32's range (1e39, 1e400): decimal characters only, and a value Double reads (infinite
    /// beyond Double's range, never NaN). The one test for CSV, TSV, XMLC and ARFF files.
    static func isDecimalBeyondFloat32(_ text: String) -> Bool {
        text.allSatisfy { "0123456789+-.eE".contains($0) } && Double(text).map { !$0.isNaN } == true
    }

    /// Why `token`, which ``FastFloat/parse(_:_:_:)`` refused, is not a feature value: it is
    /// empty, outside float32's range, not a number, or not finite.
    static func problem(_ token: UnsafeBufferPointer<UInt8>) -> String {
        let text = text(token), whole = String(decoding: token, as: UTF8.self)
        if token.isEmpty { return "is empty" }
        if isDecimalBeyondFloat32(whole) { return "holds '\(text)', which is outside \(float32Range)" }
        guard let value = Double(whole) else { return "holds '\(text)', which is not a number" }
        if !value.isFinite { return "holds '\(text)', which is not finite" }
        return "holds '\(text)', which is not a decimal number"
    }

    /// The 0/1 value of a label token, or nil.
    @inline(__always)
    static func label(_ token: UnsafeBufferPointer<UInt8>) -> UInt8? {
        guard let base = token.baseAddress, let value = FastFloat.parse(base, 0, token.count), value == 0 || value == 1 else { return nil }
        return UInt8(value)
    }

    /// The feature value of a token, or nil.
    @inline(__always)
    static func feature(_ token: UnsafeBufferPointer<UInt8>) -> Float? {
        guard let base = token.baseAddress else { return nil }
        return FastFloat.parse(base, 0, token.count)
    }
}
