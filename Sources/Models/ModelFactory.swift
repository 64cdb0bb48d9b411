/// Builds models by name.
public enum ModelFactory {
    /// Names accepted by `make`.
    public static let names = ["mlp", "clif", "dela", "linear"]

    /// A model by name with seeded initialisation; `hyperParameters` override the model's
    /// published defaults (unknown keys are rejected, listing the valid ones).
    public static func make(name: String, inputDimension: Int, labelCount: Int,
                            hyperParameters: [String: Double] = [:], seed: UInt64) throws(ModelError) -> any MultiLabelModel {
        switch name {
        case "mlp": try MLPModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case "clif": try CLIFModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case "dela": try DELAModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case "linear": try LinearModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        default: throw .unknownModel(name, valid: names)
        }
    }

    /// The published default hyper-parameters of a model.
    public static func defaults(name: String) throws(ModelError) -> [String: Double] {
        switch name {
        case "mlp": MLPModel.defaults
        case "clif": CLIFModel.defaults
        case "dela": DELAModel.defaults
        case "linear": LinearModel.defaults
        default: throw .unknownModel(name, valid: names)
        }
    }
}
