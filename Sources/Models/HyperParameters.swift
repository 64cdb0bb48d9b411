import Formats

/// A model's hyper-parameter values: the given ones over the declared defaults
/// (``ModelKind/hyperParameters``), every value checked against its declaration on creation.
public struct HyperParameters: Sendable {
    public let values: [String: Double]

    /// Rejects keys the model does not know, listing the valid ones, and values its declaration
    /// does not accept, naming the key, the value and the valid range.
    init(_ given: [String: Double], model: ModelKind) throws(ModelError) {
        let declarations = model.hyperParameters
        var values: [String: Double] = [:]
        for declaration in declarations { values[declaration.key] = declaration.defaultValue }
        for key in given.keys.sorted() {
            guard let declaration = model.hyperParameter(key) else {
                throw .unknownHyperParameter(model: model.rawValue, key: key, valid: declarations.map(\.key).sorted())
            }
            guard declaration.accepts(given[key]!) else {
                throw .invalidHyperParameter(model: model.rawValue, key: key, value: given[key]!, expected: declaration.expected)
            }
            values[key] = given[key]
        }
        self.values = values
    }

    func double(_ key: String) -> Double { values[key]! }
    func float(_ key: String) -> Float { Float(values[key]!) }
    /// A count, or `derived` (the data-dependent default) when the key has no value.
    func count(_ key: String, default derived: Int? = nil) -> Int { Int(values[key] ?? Double(derived!)) }
    /// The index of a named choice.
    func choice(_ key: String) -> Int { Int(values[key]!) }
}

/// Errors of model construction and parameter files.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownHyperParameter(model: String, key: String, valid: [String])
    case invalidHyperParameter(model: String, key: String, value: Double, expected: String)
    case invalidDimensions(inputDimension: Int, labelCount: Int)
    case parameterFile(path: String, reason: String)
    case missingTrainingLabels(model: String, key: String, value: String)
    /// The model cannot train in this machine's memory (``ModelKind/tooLargeReason(parameters:bytes:memory:atLeast:)``).
    case tooLarge(reason: String)

    public var description: String {
        switch self {
        case .unknownHyperParameter(let model, let key, let valid):
            "model \(model) has no hyper-parameter '\(key)'; valid keys: \(valid.joined(separator: ", "))"
        case .invalidHyperParameter(let model, let key, let value, let expected):
            "model \(model): hyper-parameter \(key) = \(value) must be \(expected)"
        case .invalidDimensions(let d, let q):
            "a model needs at least one feature and one label (got d = \(d), q = \(q)); check the dataset"
        case .missingTrainingLabels(let model, let key, let value):
            "model \(model): \(key) = \(value) is computed from the training labels, but none were given; "
                + "pass the training part's label matrix (ModelFactory.make trainingLabels:) or use the default"
        case .tooLarge(let reason):
            reason
        case .parameterFile(let path, let reason):
            "\(path): \(reason); load parameters saved by a model of the same name, dimensions and hyper-parameters"
        }
    }
}
