import Formats

/// Builds the models of ``ModelKind``.
public enum ModelFactory {
    /// A model with seeded initialisation; `hyperParameters` override the model's published
    /// defaults (unknown keys are rejected, listing the valid ones).
    public static func make(_ kind: ModelKind, inputDimension: Int, labelCount: Int,
                            hyperParameters: [String: Double] = [:], seed: UInt64) throws(ModelError) -> any MultiLabelModel {
        switch kind {
        case .mlp: try MLPModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .clif: try CLIFModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .dela: try DELAModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .linear: try LinearModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        }
    }

    /// The published default hyper-parameters of a model.
    public static func defaults(of kind: ModelKind) -> [String: Double] {
        switch kind {
        case .mlp: MLPModel.defaults
        case .clif: CLIFModel.defaults
        case .dela: DELAModel.defaults
        case .linear: LinearModel.defaults
        }
    }
}
