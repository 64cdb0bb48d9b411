/// What is wrong with a text cell that is no float32 value, for messages about CSV, TSV and XMLC files.
enum NumberText {
    /// The range of finite float32 values, as messages state it.
    static let float32Range = "float32's range (±3.4e38)"

    /// The token's text for a message (at most 40 characters).
    static func text(_ token: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: token, as: UTF8.self)
        return text.count > 40 ? text.prefix(37) + "…" : text
    }

    /// Why `token`, which ``FastFloat/parse(_:_:_:)`` refused, is not a feature value: it is
    /// empty, not a number, not finite, or outside float32's range.
    static func problem(_ token: UnsafeBufferPointer<UInt8>) -> String {
        let text = text(token)
        if token.isEmpty { return "is empty" }
        guard let value = Double(String(decoding: token, as: UTF8.self)) else { return "holds '\(text)', which is not a number" }
        if !value.isFinite { return "holds '\(text)', which is not finite" }
        if value.magnitude > Double(Float.greatestFiniteMagnitude) { return "holds '\(text)', which is outside \(float32Range)" }
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
