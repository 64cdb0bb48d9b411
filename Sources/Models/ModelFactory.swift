/// Builds models by name.
public enum ModelFactory {
    /// Names accepted by `make`.
    public static let names = ["mlp", "clif", "dela", "mpvae"]

    /// A model by name with seeded initialisation; `hyperParameters` override the model's
    /// published defaults (unknown keys are rejected, listing the valid ones; values out of range
    /// are rejected naming the key, the value and the valid range). `trainingLabels` is the
    /// training part's label matrix [n, q] (row-major 0/1): clif needs it for
    /// `label_graph` = cooccurrence; every other model and setting ignores it.
    public static func make(name: String, inputDimension: Int, labelCount: Int, hyperParameters: [String: Double] = [:],
                            seed: UInt64, trainingLabels: [UInt8]? = nil) throws(ModelError) -> any MultiLabelModel {
        switch name {
        case "mlp": try MLPModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case "clif": try CLIFModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed,
                                   trainingLabels: trainingLabels)
        case "dela": try DELAModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case "mpvae": try MPVAEModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        default: throw .unknownModel(name, valid: names)
        }
    }

    /// The published default hyper-parameters of a model.
    public static func defaults(name: String) throws(ModelError) -> [String: Double] {
        switch name {
        case "mlp": MLPModel.defaults
        case "clif": CLIFModel.defaults
        case "dela": DELAModel.defaults
        case "mpvae": MPVAEModel.defaults
        default: throw .unknownModel(name, valid: names)
        }
    }

    /// Hyper-parameters whose default depends on the data, with a description of it (mpvae:
    /// `z_dim` = q); they are accepted by `make` but absent from `defaults`.
    public static func derivedDefaults(name: String) throws(ModelError) -> [String: String] {
        switch name {
        case "mpvae": MPVAEModel.derivedDefaults
        case "mlp", "clif", "dela": [:]
        default: throw .unknownModel(name, valid: names)
        }
    }

    /// The named values of a model's choice hyper-parameters (the number passed to `make` is
    /// the index of the name), e.g. clif `label_graph`: identity (0), cooccurrence (1).
    public static func choices(name: String) throws(ModelError) -> [String: [String]] {
        switch name {
        case "clif": CLIFModel.choices
        case "mpvae": MPVAEModel.choices
        case "mlp", "dela": [:]
        default: throw .unknownModel(name, valid: names)
        }
    }

    /// The number a `key=text` command-line value stands for: a number as written, or the index
    /// of a named choice (`eval_z=mean` → 1). Fails naming the key, the text and the valid names.
    public static func hyperParameterValue(model: String, key: String, text: String) throws(ModelError) -> Double {
        if let value = Double(text) { return value }
        let names = try choices(name: model)[key] ?? []
        guard let index = names.firstIndex(of: text) else {
            throw .invalidHyperParameterText(model: model, key: key, text: text,
                                             expected: names.isEmpty ? "a number" : "a number or one of \(names.joined(separator: ", "))")
        }
        return Double(index)
    }
}
