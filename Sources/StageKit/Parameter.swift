/// Declares one parameter of a stage: its value (the default is the property's initial value),
/// help text, valid range and command-line style. The name is the property's name in kebab case
/// (`batchSize` → `--batch-size`, YAML `batch_size`).
///
/// A stage's parameters are the `@Parameter` properties of one ``StageParameters`` struct, in
/// declaration order; the command line, the pipeline's checks, the help tables and the cache key
/// are all derived from it.
@propertyWrapper
public struct Parameter<Value: ParameterValue>: Sendable {
    public var wrappedValue: Value
    /// One sentence for help texts.
    public let help: String
    /// The numbers accepted (each element of a list); nil: any.
    public let range: ValidRange?
    /// For lists: each item is its own `--name value` pair (paths, which may hold commas)
    /// instead of one comma-separated word.
    public let repeated: Bool
    /// Whether the parameter must be given (its initial value is then only a placeholder).
    public let required: Bool
    /// Whether the values are file-system paths (or URLs): a pipeline file's relative paths are
    /// resolved against the folder holding that file.
    public let path: Bool
    /// For repeated lists of `key=value` items: a pipeline file may also give them as a mapping
    /// (`model_param: { gin_layers: 3 }` is `model_param: [gin_layers=3]`).
    public let keyValue: Bool

    public init(wrappedValue: Value, help: String, range: ValidRange? = nil, repeated: Bool = false, required: Bool = false,
                path: Bool = false, keyValue: Bool = false) {
        self.wrappedValue = wrappedValue
        self.help = help
        self.range = range
        self.repeated = repeated
        self.required = required
        self.path = path
        self.keyValue = keyValue
    }
}

extension Parameter: Equatable {
    /// Parameters are equal when their values are (the declaration is the same by construction).
    public static func == (a: Self, b: Self) -> Bool { a.wrappedValue == b.wrappedValue }
}

extension Parameter: Codable {
    /// Decodes the value alone; the declaration (help, range) comes from the type's default instance.
    public init(from decoder: Decoder) throws {
        self.init(wrappedValue: try decoder.singleValueContainer().decode(Value.self), help: "")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

/// Type-erased view of a ``Parameter`` found by reflection.
protocol ParameterReflection {
    func declaration(property: String) -> ParameterDeclaration
    var anyValue: any ParameterValue { get }
}

extension Parameter: ParameterReflection {
    func declaration(property: String) -> ParameterDeclaration {
        ParameterDeclaration(property: property, help: help, range: range, repeated: repeated, required: required, path: path,
                             keyValue: keyValue, defaultValue: wrappedValue)
    }

    var anyValue: any ParameterValue { wrappedValue }
}
