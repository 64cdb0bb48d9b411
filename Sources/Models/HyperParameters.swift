/// Named numeric hyper-parameters of a model, checked against the keys it accepts.
public struct HyperParameters: Sendable {
    public let values: [String: Double]
    let model: String

    /// Rejects keys the model does not know, listing the valid ones.
    init(_ values: [String: Double], model: String, defaults: [String: Double]) throws(ModelError) {
        for key in values.keys.sorted() where defaults[key] == nil {
            throw .unknownHyperParameter(model: model, key: key, valid: defaults.keys.sorted())
        }
        self.values = defaults.merging(values) { _, new in new }
        self.model = model
    }

    func double(_ key: String) -> Double { values[key]! }
    func float(_ key: String) -> Float { Float(values[key]!) }

    /// A positive whole number; fails naming the key otherwise.
    func count(_ key: String) throws(ModelError) -> Int {
        let value = values[key]!
        guard value >= 1, value == value.rounded() else {
            throw .invalidHyperParameter(model: model, key: key, value: value, expected: "a whole number ≥ 1")
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
    case invalidDimensions(inputDimension: Int, labelCount: Int)
    case parameterFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownHyperParameter(let model, let key, let valid):
            "model \(model) has no hyper-parameter '\(key)'; valid keys: \(valid.joined(separator: ", "))"
        case .invalidHyperParameter(let model, let key, let value, let expected):
            "model \(model): hyper-parameter \(key) = \(value) must be \(expected)"
        case .invalidDimensions(let d, let q):
            "a model needs at least one feature and one label (got d = \(d), q = \(q)); check the dataset"
        case .parameterFile(let path, let reason):
            "\(path): \(reason); load parameters saved by a model of the same name, dimensions and hyper-parameters"
        }
    }
}
