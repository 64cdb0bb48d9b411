import Foundation

/// The parameters of one stage: a struct whose stored properties are all ``Parameter``s.
///
/// Conformers state each parameter once (name, type, default, range or choices, help); parsing
/// from a command line or a pipeline file, validation, help tables, canonical texts for the
/// manifest and the cache key, and JSON encoding are derived from that declaration.
public protocol StageParameters: Codable, Sendable, Equatable {
    /// All defaults.
    init()
    /// Checks combinations of values (single values are checked against their declarations
    /// before this is called). The error names the parameter to change.
    func validate() throws(ParameterError)
}

extension StageParameters {
    public func validate() throws(ParameterError) {}

    /// A copy with `change` applied, e.g. `TrainParameters().with { $0.window = 3 }`.
    public func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }

    /// The declarations, in declaration order: read by reflection once per type, then cached
    /// (a plan resolves every instance's parameters, so this is called once per setting).
    public static var declarations: [ParameterDeclaration] {
        DeclarationCache.shared.declarations(of: Self.self) {
            Mirror(reflecting: Self()).children.map { child in
                guard let label = child.label, let parameter = child.value as? ParameterReflection else {
                    fatalError("\(Self.self).\(child.label ?? "?") is not a @Parameter: every stored property of stage parameters must be one")
                }
                return parameter.declaration(property: label.hasPrefix("_") ? String(label.dropFirst()) : label)
            }
        }
    }

    /// The declaration named `name` (kebab case), if any.
    public static func declaration(named name: String) -> ParameterDeclaration? {
        declarations.first { $0.name == name }
    }

    /// Builds parameters from words per name (`["lr": ["1e-4"]]`, lists as several words or one
    /// comma-separated word); the others keep their defaults. Checks names, types, choices,
    /// ranges, required parameters, then ``validate()``.
    public static func resolve(_ given: [String: [String]]) throws(ParameterError) -> Self {
        try resolved(given).parameters
    }

    /// ``resolve(_:)`` with the result's ``canonicalTexts``, read from the parsed values rather
    /// than by reflection (a plan resolves the parameters of every instance).
    public static func resolveWithTexts(_ given: [String: [String]]) throws(ParameterError) -> (parameters: Self, canonicalTexts: [String: String]) {
        let (parameters, values) = try resolved(given)
        var texts: [String: String] = [:]
        for declaration in declarations {
            if let text = canonicalText(values[declaration.property]!) { texts[declaration.name] = text }
        }
        return (parameters, texts)
    }

    /// ``resolve(_:)`` with the parsed value of every property.
    private static func resolved(_ given: [String: [String]]) throws(ParameterError) -> (parameters: Self, values: [String: any ParameterValue]) {
        let declarations = declarations
        for name in given.keys.sorted() where !declarations.contains(where: { $0.name == name }) {
            throw .unknown(name, valid: declarations.map(\.name))
        }
        var values: [String: any ParameterValue] = [:]
        for declaration in declarations {
            if let words = given[declaration.name] {
                values[declaration.property] = try declaration.parse(words)
            } else if declaration.required {
                throw .missing(declaration.name)
            } else {
                values[declaration.property] = declaration.defaultValue
            }
        }
        let result: Self
        do {
            result = try Self(from: ParameterValuesDecoder(values: values))
        } catch {
            fatalError("\(Self.self) could not be built from its own declarations: \(error)")
        }
        try result.validate()
        return (result, values)
    }

    /// A value's canonical text (list items comma-joined); nil for an absent optional.
    static func canonicalText(_ value: any ParameterValue) -> String? {
        let words = value.words
        return words.isEmpty && !(value is any Collection) ? nil : words.joined(separator: ",")
    }

    /// The words of each parameter given as `--name value` / `--name=value` flags, by name
    /// (`["lr": ["1e-3"]]`), unchecked: ``resolve(_:)`` checks them. A parameter that is not a list
    /// may be given once.
    public static func givenValues(flags words: [String]) throws(ParameterError) -> [String: [String]] {
        var given: [String: [String]] = [:]
        for (name, value) in try flagValues(words, folders: []) {
            if declaration(named: name)?.isList == false, given[name] != nil { throw .repeated("--\(name)") }
            given[name, default: []].append(value)
        }
        return given
    }

    /// The (name, value) pairs of `--name value` / `--name=value` words, in order; `folders` are
    /// names accepted besides the parameters. Each word after a non-boolean flag is its value, so
    /// negative numbers need no `=`.
    static func flagValues(_ words: [String], folders: [String]) throws(ParameterError) -> [(name: String, value: String)] {
        let declarations = declarations
        let valid = folders.map { "--\($0)" } + declarations.map { "--\($0.name)" }
        var result: [(name: String, value: String)] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else { throw .unknown(word, valid: valid) }
            var name = String(word.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            let declaration = declarations.first { $0.name == name }
            guard declaration != nil || folders.contains(name) else { throw .unknown("--\(name)", valid: valid) }
            let isBoolean = declaration?.choices == ["true", "false"] && declaration?.isList == false
            if value == nil {
                if isBoolean, index >= words.count || !["true", "false"].contains(words[index]) {
                    value = "true"
                } else {
                    guard index < words.count else { throw .invalid("--\(name)", value: "", expected: "a value after --\(name)") }
                    value = words[index]
                    index += 1
                }
            }
            result.append((name, value!))
        }
        return result
    }

    /// Each parameter's canonical text (lists comma-joined), absent optionals left out: what
    /// manifests record and the pipeline's cache key hashes.
    public var canonicalTexts: [String: String] {
        var result: [String: String] = [:]
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let parameter = child.value as? ParameterReflection,
                  let text = Self.canonicalText(parameter.anyValue) else { continue }
            result[ParameterDeclaration.kebabCase(label.hasPrefix("_") ? String(label.dropFirst()) : label)] = text
        }
        return result
    }

    /// The command-line words that reproduce these values from the defaults (`--name=value`,
    /// repeated lists as one pair per item); parameters at their default are left out.
    public var commandLineWords: [String] {
        let defaults = Self().canonicalTexts
        let declarations = Self.declarations
        var result: [String] = []
        for (name, text) in canonicalTexts.sorted(by: { $0.key < $1.key }) where defaults[name] != text {
            guard let declaration = declarations.first(where: { $0.name == name }) else { continue }
            if declaration.repeated {
                result += text.split(separator: ",").map { "--\(name)=\($0)" }
            } else {
                result.append("--\(name)=\(text)")
            }
        }
        return result
    }
}

/// The declarations of each ``StageParameters`` type, read once (a generic type cannot hold a
/// static stored property of its own).
final class DeclarationCache: @unchecked Sendable {
    static let shared = DeclarationCache()
    private let lock = NSLock()
    private var table: [ObjectIdentifier: [ParameterDeclaration]] = [:]

    func declarations(of type: Any.Type, read: () -> [ParameterDeclaration]) -> [ParameterDeclaration] {
        if let cached = lock.withLock({ table[ObjectIdentifier(type)] }) { return cached }
        let declarations = read()
        lock.withLock { table[ObjectIdentifier(type)] = declarations }
        return declarations
    }
}

/// Decodes a ``StageParameters`` struct from already-parsed values keyed by property name,
/// so no value makes a round trip through text.
struct ParameterValuesDecoder: Decoder {
    let values: [String: any ParameterValue]
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(values: values))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "stage parameters are keyed"))
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "stage parameters are keyed"))
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let values: [String: any ParameterValue]
        var codingPath: [CodingKey] { [] }
        var allKeys: [Key] { values.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let value = values[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "no value"))
            }
            return try T(from: Single(value: value, codingPath: [key]))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "parameters are not nested"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "parameters are not nested"))
        }

        func superDecoder() throws -> Decoder { ParameterValuesDecoder(values: values) }
        func superDecoder(forKey key: Key) throws -> Decoder { ParameterValuesDecoder(values: values) }
    }

    /// Hands one parsed value to ``Parameter/init(from:)``.
    struct Single: Decoder, SingleValueDecodingContainer {
        let value: any ParameterValue
        let codingPath: [CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "a parameter value is not keyed"))
        }

        func unkeyedContainer() throws -> UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a parameter value is one value"))
        }

        func singleValueContainer() throws -> SingleValueDecodingContainer { self }
        func decodeNil() -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            guard let typed = value as? T else {
                throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "declared as \(Swift.type(of: value))"))
            }
            return typed
        }
    }
}
