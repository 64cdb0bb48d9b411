/// Everything known about one parameter of a stage, read from its ``Parameter`` declaration.
public struct ParameterDeclaration: Sendable {
    /// The Swift property (`batchSize`).
    public let property: String
    /// The flag name without dashes (`batch-size`).
    public let name: String
    public let help: String
    public let range: ValidRange?
    public let repeated: Bool
    public let required: Bool
    /// Whether the values are paths (resolved against a pipeline file's folder).
    public let path: Bool
    /// Whether the items are `key=value` pairs a pipeline file may also give as a mapping.
    public let keyValue: Bool
    /// The default value (the property's initial value).
    public let defaultValue: any ParameterValue
    /// What a valid value looks like (type and choices).
    public let valueDescription: String
    public let choices: [String]?
    public let isList: Bool
    private let parseWords: @Sendable ([String]) -> (any ParameterValue)?

    init<Value: ParameterValue>(property: String, help: String, range: ValidRange?, repeated: Bool, required: Bool, path: Bool,
                                keyValue: Bool, defaultValue: Value) {
        self.property = property
        self.name = Self.kebabCase(property)
        self.help = help
        self.range = range
        self.repeated = repeated
        self.required = required
        self.path = path
        self.keyValue = keyValue
        self.defaultValue = defaultValue
        valueDescription = Value.valueDescription
        choices = Value.choices
        isList = Value.isList
        parseWords = { Value(words: $0) }
    }

    /// The YAML key (`batch_size`).
    public var yamlKey: String { name.replacingOccurrences(of: "-", with: "_") }

    /// What the parameter accepts, e.g. `an integer ≥ 1`, `one of mi, nmi, none`.
    public var expectation: String {
        range.map { valueDescription + " " + $0.description } ?? valueDescription
    }

    /// The default as help text shows it (nil for required parameters and absent optionals).
    public var defaultText: String? {
        guard !required else { return nil }
        let words = defaultValue.words
        return words.isEmpty ? nil : words.joined(separator: ",")
    }

    /// Parses the words given for this parameter (comma-separated items of a non-repeated list
    /// are split) and checks the range. Throws naming the parameter, the value and what is valid.
    public func parse(_ words: [String]) throws(ParameterError) -> any ParameterValue {
        let items = isList && !repeated ? words.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                                        : words
        let trimmed = items.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let value = parseWords(trimmed) else {
            throw .invalid(name, value: words.joined(separator: ","), expected: expectation)
        }
        let numbers = value.numericValues
        if let range, let bad = numbers.firstIndex(where: { !range.contains($0) }) {
            let word = numbers.count == trimmed.count ? trimmed[bad] : "\(numbers[bad])"
            throw .invalid(name, value: trimmed.count > 1 ? "\(word) (in \(trimmed.joined(separator: ",")))" : word, expected: expectation)
        }
        return value
    }

    static func kebabCase(_ property: String) -> String {
        var result = ""
        for character in property {
            if character.isUppercase {
                result += "-" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

import Foundation
