/// Errors of model construction and parameter files.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidDimensions(inputDimension: Int, labelCount: Int)
    case parameterFile(path: String, reason: String)
    case missingTrainingLabels(model: String, key: String, value: String)
    /// A hyper-parameter setting the data's label count does not allow.
    case tooFewLabels(model: String, setting: String, minimum: Int, labelCount: Int)
    /// The model cannot train in this machine's memory (``ModelKind/tooLargeReason(parameters:bytes:memory:atLeast:)``).
    case tooLarge(reason: String)

    public var description: String {
        switch self {
        case .invalidDimensions(let d, let q):
            "a model needs at least one feature and one label (got d = \(d), q = \(q)); check the dataset"
        case .missingTrainingLabels(let model, let key, let value):
            "model \(model): \(key) = \(value) is computed from the training labels, but none were given; "
                + "pass the training part's label matrix (ModelFactory.make trainingLabels:) or use the default"
        case .tooFewLabels(let model, let setting, let minimum, let labelCount):
            "model \(model): \(setting) needs q ≥ \(minimum) labels, but the data has q = \(labelCount); leave it off for this dataset"
        case .tooLarge(let reason):
            reason
        case .parameterFile(let path, let reason):
            "\(path): \(reason); load parameters saved by a model of the same name, dimensions and hyper-parameters"
        }
    }
}
