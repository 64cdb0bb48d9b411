/// Named numeric hyper-parameters of a model, checked against the keys it accepts.
public struct HyperParameters: Sendable {
    public let values: [String: Double]
    let model: String

    /// Rejects keys the model does not know, listing the valid ones. `derived` keys have no
    /// fixed default (it depends on the data, e.g. mpvae's z_dim = q) and are read with `count(_:default:)`.
    init(_ values: [String: Double], model: String, defaults: [String: Double], derived: [String] = []) throws(ModelError) {
        for key in values.keys.sorted() where defaults[key] == nil && !derived.contains(key) {
            throw .unknownHyperParameter(model: model, key: key, valid: (Array(defaults.keys) + derived).sorted())
        }
        self.values = defaults.merging(values) { _, new in new }
        self.model = model
    }

    func double(_ key: String) -> Double { values[key]! }
    func float(_ key: String) -> Float { Float(values[key]!) }

    /// A whole number ≥ `minimum` (the data-dependent `default` when a derived key is not given);
    /// fails naming the key, the value and the range otherwise.
    func count(_ key: String, minimum: Int = 1, default derived: Int? = nil) throws(ModelError) -> Int {
        guard let value = values[key] ?? derived.map(Double.init) else { preconditionFailure("no value for \(key)") }
        guard value >= Double(minimum), value <= 1e9, value == value.rounded() else {
            throw .invalidHyperParameter(model: model, key: key, value: value, expected: "a whole number ≥ \(minimum)")
        }
        return Int(value)
    }

    /// A finite number ≥ 0 (a loss coefficient).
    func nonNegative(_ key: String) throws(ModelError) -> Float {
        let value = values[key]!
        guard value >= 0, value.isFinite else {
            throw .invalidHyperParameter(model: model, key: key, value: value, expected: "a finite number ≥ 0")
        }
        return Float(value)
    }

    /// The index of a named choice: the value must be 0..<names.count (`ModelFactory.hyperParameterValue`
    /// turns a name into its index).
    func choice(_ key: String, _ names: [String]) throws(ModelError) -> Int {
        let value = values[key]!
        guard value >= 0, value < Double(names.count), value == value.rounded() else {
            let listed = names.enumerated().map { "\($0.element) (\($0.offset))" }.joined(separator: ", ")
            throw .invalidHyperParameter(model: model, key: key, value: value, expected: "one of \(listed)")
        }
        return Int(value)
    }

    /// A probability in [0, 1).
    func probability(_ key: String) throws(ModelError) -> Float {
        let value = values[key]!
        guard value >= 0, value < 1 else {
            throw .invalidHyperParameter(model: model, key: key, value: value, expected: "a value in [0, 1)")
        }
        return Float(value)
    }
}

/// Errors of model construction and parameter files.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownHyperParameter(model: String, key: String, valid: [String])
    case invalidHyperParameter(model: String, key: String, value: Double, expected: String)
    case invalidHyperParameterText(model: String, key: String, text: String, expected: String)
    case invalidDimensions(inputDimension: Int, labelCount: Int)
    case parameterFile(path: String, reason: String)
    case missingTrainingLabels(model: String, key: String, value: String)

    public var description: String {
        switch self {
        case .unknownHyperParameter(let model, let key, let valid):
            "model \(model) has no hyper-parameter '\(key)'; valid keys: \(valid.joined(separator: ", "))"
        case .invalidHyperParameter(let model, let key, let value, let expected):
            "model \(model): hyper-parameter \(key) = \(value) must be \(expected)"
        case .invalidHyperParameterText(let model, let key, let text, let expected):
            "model \(model): hyper-parameter \(key) = '\(text)' must be \(expected)"
        case .invalidDimensions(let d, let q):
            "a model needs at least one feature and one label (got d = \(d), q = \(q)); check the dataset"
        case .missingTrainingLabels(let model, let key, let value):
            "model \(model): \(key) = \(value) is computed from the training labels, but none were given; "
                + "pass the training part's label matrix (ModelFactory.make trainingLabels:) or use the default"
        case .parameterFile(let path, let reason):
            "\(path): \(reason); load parameters saved by a model of the same name, dimensions and hyper-parameters"
        }
    }
}
