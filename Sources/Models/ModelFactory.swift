import Formats

/// Builds the models of ``ModelKind``.
public enum ModelFactory {
    /// A model with seeded initialisation; `hyperParameters` override the model's published
    /// defaults (unknown keys are rejected, listing the valid ones; values out of range are
    /// rejected naming the key, the value and the valid range). `trainingLabels` is the training
    /// part's label matrix [n, q] (row-major 0/1): clif needs it for `label_graph` = cooccurrence;
    /// every other model and setting ignores it.
    public static func make(_ kind: ModelKind, inputDimension: Int, labelCount: Int, hyperParameters: [String: Double] = [:],
                            seed: UInt64, trainingLabels: [UInt8]? = nil) throws(ModelError) -> any MultiLabelModel {
        switch kind {
        case .mlp: try MLPModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .clif: try CLIFModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed,
                                  trainingLabels: trainingLabels)
        case .dela: try DELAModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .mpvae: try MPVAEModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .linear: try LinearModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        }
    }

    /// The published default hyper-parameters of a model.
    public static func defaults(of kind: ModelKind) -> [String: Double] {
        switch kind {
        case .mlp: MLPModel.defaults
        case .clif: CLIFModel.defaults
        case .dela: DELAModel.defaults
        case .mpvae: MPVAEModel.defaults
        case .linear: LinearModel.defaults
        }
    }

    /// Hyper-parameters whose default depends on the data, with a description of it: mpvae's
    /// `z_dim` (= q; accepted by `make` but absent from `defaults`) and dela's
    /// `latent_dimension` (its default 0 stands for ⌈d/2⌉).
    public static func derivedDefaults(of kind: ModelKind) -> [String: String] {
        switch kind {
        case .mpvae: MPVAEModel.derivedDefaults
        case .dela: DELAModel.derivedDefaults
        case .mlp, .clif, .linear: [:]
        }
    }

    /// The named values of a model's choice hyper-parameters (the number passed to `make` is
    /// the index of the name), e.g. clif `label_graph`: identity (0), cooccurrence (1).
    public static func choices(of kind: ModelKind) -> [String: [String]] {
        switch kind {
        case .clif: CLIFModel.choices
        case .mpvae: MPVAEModel.choices
        case .mlp, .dela, .linear: [:]
        }
    }

    /// The number a `key=text` value stands for: a number as written, or the index of a named
    /// choice (`eval_z=mean` → 1). Fails naming the key, the text and the valid names.
    public static func hyperParameterValue(model: ModelKind, key: String, text: String) throws(ModelError) -> Double {
        if let value = Double(text) { return value }
        let names = choices(of: model)[key] ?? []
        guard let index = names.firstIndex(of: text) else {
            throw .invalidHyperParameterText(model: model.rawValue, key: key, text: text,
                                             expected: names.isEmpty ? "a number" : "a number or one of \(names.joined(separator: ", "))")
        }
        return Double(index)
    }

    /// The hyper-parameters a train stage's parameters set: `hidden_width`, `dropout` and every
    /// `model_param` item (`key=value`, keys in snake case, named choices as their index).
    public static func hyperParameters(_ parameters: TrainParameters) throws(ModelError) -> [String: Double] {
        var result: [String: Double] = [:]
        if let hiddenWidth = parameters.hiddenWidth { result["hidden_width"] = Double(hiddenWidth) }
        if let dropout = parameters.dropout { result["dropout"] = dropout }
        for (key, text) in parameters.modelSettings {
            result[key] = try hyperParameterValue(model: parameters.model, key: key, text: text)
        }
        return result
    }
}
