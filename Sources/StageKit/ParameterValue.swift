/// A value a single command-line word or YAML scalar can hold: numbers, strings, booleans and
/// the cases of an enumeration.
///
/// `text` is the canonical form: it is what manifests record and what the pipeline's cache key
/// hashes, so `1e-4` and `0.0001` are the same value.
public protocol ScalarParameterValue: Codable, Sendable, Equatable {
    /// What a valid value looks like, for help texts and errors ("an integer", "a number").
    static var valueDescription: String { get }
    /// The valid values of an enumeration; nil for open types.
    static var choices: [String]? { get }
    /// Parses one word; nil when it is not a valid value of the type.
    init?(parameterText: String)
    /// The canonical text of the value.
    var parameterText: String { get }
    /// The value as a number, for range checks (nil for non-numeric types).
    var numericValue: Double? { get }
}

extension ScalarParameterValue {
    public static var choices: [String]? { nil }
    public var numericValue: Double? { nil }
}

/// An enumeration whose raw values are its parameter texts; its cases are the valid choices.
public protocol ChoiceParameter: ScalarParameterValue, ParameterValue, CaseIterable, RawRepresentable where RawValue == String {}

extension ChoiceParameter {
    public static var valueDescription: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
    public static var choices: [String]? { allCases.map(\.rawValue) }
    public init?(parameterText: String) { self.init(rawValue: parameterText) }
    public var parameterText: String { rawValue }
}

extension Int: ScalarParameterValue {
    public static var valueDescription: String { "an integer" }
    public init?(parameterText: String) { self.init(parameterText) }
    public var parameterText: String { String(self) }
    public var numericValue: Double? { Double(self) }
}

extension Int64: ScalarParameterValue {
    public static var valueDescription: String { "an integer" }
    public init?(parameterText: String) { self.init(parameterText) }
    public var parameterText: String { String(self) }
    public var numericValue: Double? { Double(self) }
}

extension UInt64: ScalarParameterValue {
    public static var valueDescription: String { "a non-negative integer" }
    public init?(parameterText: String) { self.init(parameterText) }
    public var parameterText: String { String(self) }
    public var numericValue: Double? { Double(self) }
}

extension Double: ScalarParameterValue {
    public static var valueDescription: String { "a number" }
    public init?(parameterText: String) {
        guard let value = Double(parameterText), value.isFinite else { return nil }
        self = value
    }
    public var parameterText: String { "\(self)" }
    public var numericValue: Double? { self }
}

extension Float: ScalarParameterValue {
    public static var valueDescription: String { "a number" }
    public init?(parameterText: String) {
        guard let value = Float(parameterText), value.isFinite else { return nil }
        self = value
    }
    public var parameterText: String { "\(self)" }
    public var numericValue: Double? { Double(self) }
}

extension String: ScalarParameterValue {
    public static var valueDescription: String { "a string" }
    public init?(parameterText: String) { self = parameterText }
    public var parameterText: String { self }
}

extension Bool: ScalarParameterValue {
    public static var valueDescription: String { "true or false" }
    public static var choices: [String]? { ["true", "false"] }
    public init?(parameterText: String) { self.init(parameterText) }
    public var parameterText: String { self ? "true" : "false" }
}

/// A value a parameter can hold: a scalar, an optional scalar (absent unless given) or a list
/// of scalars.
public protocol ParameterValue: Codable, Sendable, Equatable {
    /// What a valid value looks like.
    static var valueDescription: String { get }
    static var choices: [String]? { get }
    /// Whether the value is a list (several words, or one comma-separated word).
    static var isList: Bool { get }
    /// Builds the value from its words (one for a scalar); nil when a word is invalid.
    init?(words: [String])
    /// The canonical words of the value (empty for an absent optional).
    var words: [String] { get }
    /// The numbers to check against a valid range.
    var numericValues: [Double] { get }
}

extension ParameterValue where Self: ScalarParameterValue {
    public static var isList: Bool { false }
    public init?(words: [String]) {
        guard words.count == 1 else { return nil }
        self.init(parameterText: words[0])
    }
    public var words: [String] { [parameterText] }
    public var numericValues: [Double] { numericValue.map { [$0] } ?? [] }
}

extension Int: ParameterValue {}
extension Int64: ParameterValue {}
extension UInt64: ParameterValue {}
extension Double: ParameterValue {}
extension Float: ParameterValue {}
extension String: ParameterValue {}
extension Bool: ParameterValue {}

extension Optional: ParameterValue where Wrapped: ScalarParameterValue {
    public static var valueDescription: String { Wrapped.valueDescription }
    public static var choices: [String]? { Wrapped.choices }
    public static var isList: Bool { false }
    public init?(words: [String]) {
        switch words.count {
        case 0: self = .none
        case 1: guard let value = Wrapped(parameterText: words[0]) else { return nil }
            self = .some(value)
        default: return nil
        }
    }
    public var words: [String] { map { [$0.parameterText] } ?? [] }
    public var numericValues: [Double] { flatMap(\.numericValue).map { [$0] } ?? [] }
}

extension Array: ParameterValue where Element: ScalarParameterValue {
    public static var valueDescription: String {
        let element = Element.valueDescription
        return "a list of " + (element.hasPrefix("an ") ? String(element.dropFirst(3)) + "s"
                               : element.hasPrefix("a ") ? String(element.dropFirst(2)) + "s" : "(\(element))")
    }
    public static var choices: [String]? { Element.choices }
    public static var isList: Bool { true }
    public init?(words: [String]) {
        var values: [Element] = []
        for word in words {
            guard let value = Element(parameterText: word) else { return nil }
            values.append(value)
        }
        self = values
    }
    public var words: [String] { map(\.parameterText) }
    public var numericValues: [Double] { compactMap(\.numericValue) }
}
