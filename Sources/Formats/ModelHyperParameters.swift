import Foundation
import StageKit

/// One hyper-parameter of a model (train `model_param: [key=value]`, docs/models.md): its key,
/// its default and the values it accepts. Each model's list below is the one declaration the
/// pipeline's plan check, the train stage, the model and the parameter reference all read.
public struct ModelHyperParameter: Sendable {
    /// The values a hyper-parameter accepts.
    public enum Kind: Sendable, Equatable {
        /// A whole number ≥ the minimum (widths, layer and sample counts).
        case count(minimum: Int)
        /// A dropout probability in [0, 1).
        case probability
        /// A finite number ≥ 0 (loss coefficients).
        case nonNegative
        /// A finite number > 0.
        case positive
        /// Any finite number.
        case number
        /// One of these names; the stored number is the index of the name.
        case choice([String])
    }

    public let key: String
    /// The default, or nil when it depends on the data (then `derived` describes it).
    public let defaultValue: Double?
    public let kind: Kind
    /// How a data-dependent default is found (mpvae `z_dim`: the label count q).
    public let derived: String?

    init(_ key: String, _ defaultValue: Double?, _ kind: Kind, derived: String? = nil) {
        self.key = key
        self.defaultValue = defaultValue
        self.kind = kind
        self.derived = derived
    }

    /// What the accepted values are, for error messages.
    public var expected: String {
        switch kind {
        case .count(let minimum): "a whole number ≥ \(minimum)"
        case .probability: "a value in [0, 1)"
        case .nonNegative: "a finite number ≥ 0"
        case .positive: "a finite number > 0"
        case .number: "a finite number"
        case .choice(let names): "one of \(names.enumerated().map { "\($0.element) (\($0.offset))" }.joined(separator: ", "))"
        }
    }

    /// Whether `value` is one this hyper-parameter accepts.
    public func accepts(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        switch kind {
        case .count(let minimum): return value >= Double(minimum) && value <= 1e9 && value == value.rounded()
        case .probability: return value >= 0 && value < 1
        case .nonNegative: return value >= 0
        case .positive: return value > 0
        case .number: return true
        case .choice(let names): return value >= 0 && value < Double(names.count) && value == value.rounded()
        }
    }

    /// The number `text` stands for: a number as written, or the index of a named choice
    /// (`eval_z=mean` → 1); nil when it is neither.
    public func value(of text: String) -> Double? {
        if let number = Double(text) { return number }
        guard case .choice(let names) = kind else { return nil }
        return names.firstIndex(of: text).map(Double.init)
    }
}

extension ModelKind {
    /// The model's hyper-parameters with the published defaults (docs/models.md).
    public var hyperParameters: [ModelHyperParameter] {
        switch self {
        case .mlp:
            [.init("hidden_width", 256, .count(minimum: 1)), .init("hidden_layers", 2, .count(minimum: 1)),
             .init("dropout", 0.2, .probability), .init("leaky_slope", 0.1, .number)]
        case .clif:
            [.init("hidden_width", 768, .count(minimum: 1)), .init("dropout", 0.2, .probability),
             .init("leaky_slope", 0.1, .number), .init("gin_layers", 2, .count(minimum: 1)),
             .init("link_weight", 1e-3, .nonNegative), .init("batch_norm", 0, .choice(["off", "on"])),
             .init("label_graph", 0, .choice(["identity", "cooccurrence"]))]
        case .dela:
            [.init("encoder_hidden_1", 256, .count(minimum: 1)), .init("encoder_hidden_2", 512, .count(minimum: 1)),
             .init("encoder_output", 256, .count(minimum: 1)), .init("decoder_hidden", 256, .count(minimum: 1)),
             .init("decoder_output", 512, .count(minimum: 1)),
             .init("latent_dimension", 0, .count(minimum: 0), derived: "0 means ⌈d/2⌉, d the feature count"),
             .init("dropout", 0.2, .probability), .init("temperature", 2.0 / 3.0, .positive),
             .init("kl_weight", 1e-4, .nonNegative), .init("gate_init", 10, .number),
             .init("gate_lr_multiplier", 0.8, .nonNegative)]
        case .mpvae:
            // config.py's defaults; dropout = 1 − keep_prob; hidden_large/hidden_small are the
            // 512/256 widths of the encoders and the decoder.
            [.init("latent_dim", 50, .count(minimum: 1)), .init("z_dim", nil, .count(minimum: 1), derived: "the label count q"),
             .init("train_samples", 100, .count(minimum: 1)), .init("eval_samples", 0, .count(minimum: 0)),
             .init("eval_z", 0, .choice(["sample", "mean"])), .init("dropout", 0.5, .probability),
             .init("nll_coeff", 0.1, .nonNegative), .init("c_coeff", 200, .nonNegative), .init("beta", 1.1, .nonNegative),
             .init("l2_coeff", 1, .nonNegative), .init("l2_decay", 1e-5, .nonNegative),
             .init("hidden_large", 512, .count(minimum: 1)), .init("hidden_small", 256, .count(minimum: 1))]
        case .linear:
            []
        }
    }

    /// The trained parameters (weights and biases) of this model for `d` features and `q` labels,
    /// `hyperParameters` over the declared defaults (ModelsTests checks it against the models).
    /// A Double, so that any accepted width gives a number, not an overflow.
    public func parameterCount(_ hyperParameters: [String: Double], features d: Int, labels q: Int) -> Double {
        func value(_ key: String) -> Double { hyperParameters[key] ?? hyperParameter(key)!.defaultValue! }
        func linear(_ inputs: Double, _ outputs: Double) -> Double { inputs * outputs + outputs }
        let d = Double(d), q = Double(q)
        switch self {
        case .linear:
            return linear(d, q)
        case .mlp:
            let width = value("hidden_width")
            return linear(d, width) + (value("hidden_layers") - 1) * linear(width, width) + linear(width, q)
        case .clif:
            let width = value("hidden_width"), half = ((q + 1) / 2).rounded(.down)
            let ginLayer = linear(q, half) + linear(half, q) + 1 + (value("batch_norm") == 1 ? 2 * (half + q) : 0)
            return value("gin_layers") * ginLayer + linear(d, width) + 3 * linear(width, width) + linear(q, width) + q * width + q
        case .dela:
            let latent = value("latent_dimension") == 0 ? ((d + 1) / 2).rounded(.down) : value("latent_dimension")
            let e1 = value("encoder_hidden_1"), e2 = value("encoder_hidden_2"), e3 = value("encoder_output")
            let d1 = value("decoder_hidden"), d2 = value("decoder_output")
            return linear(d, e1) + linear(e1, e2) + linear(e2, e3) + 2 * linear(e3, latent) + q * latent + linear(latent, latent)
                + linear(d + latent, d1) + linear(d1, d2) + q * d2 + q
        case .mpvae:
            let latent = value("latent_dim"), rank = hyperParameters["z_dim"] ?? q
            let large = value("hidden_large"), small = value("hidden_small")
            return linear(d + q, large) + linear(large, small) + 2 * linear(small, latent)
                + linear(d, small) + linear(small, large) + linear(large, small) + 2 * linear(small, latent)
                + linear(d + latent, small) + linear(small, large) + 2 * linear(large, q) + q * rank
        }
    }

    /// The bytes training needs at least: 4 for each parameter, its gradient and Adam's two
    /// moments (activations and the data come on top).
    public func trainingBytes(_ hyperParameters: [String: Double], features d: Int, labels q: Int) -> Double {
        16 * parameterCount(hyperParameters, features: d, labels: q)
    }

    /// Why this model cannot train in `memory` bytes, and the fix; `atLeast` when the data's
    /// dimensions are not known yet (one feature and one label were counted).
    public func tooLargeReason(parameters: Double, bytes: Double, memory: Double, atLeast: Bool) -> String {
        func number(_ value: Double) -> String { String(format: "%.3g", value) }
        let bound = atLeast ? "at least " : ""
        return "model \(rawValue) has \(bound)\(number(parameters)) parameters with these hyper-parameters and needs \(bound)"
            + "\(number(bytes / 1e9)) GB to train (4 bytes for each weight, its gradient and Adam's two moments), more than "
            + "this machine's \(number(memory / 1e9)) GB of memory; choose smaller widths"
    }

    /// The hyper-parameter named `key`, if the model has one.
    public func hyperParameter(_ key: String) -> ModelHyperParameter? {
        hyperParameters.first { $0.key == key }
    }

    /// Every model's hyper-parameters with their defaults, as a Markdown table (shown by
    /// `pipeline stages`, `train --help` and docs/parameters.md).
    public static var hyperParameterTable: String {
        var text = "#### Model hyper-parameters (train `model_param: [key=value, …]`)\n\n| model | key | default |\n|---|---|---|\n"
        for kind in allCases {
            for parameter in kind.hyperParameters.sorted(by: { $0.key < $1.key }) {
                let value: String
                switch (parameter.defaultValue, parameter.kind) {
                case (let number?, .choice(let names)):
                    value = "`\(names[Int(number)])` (one of \(names.joined(separator: ", ")))"
                case (let number?, _):
                    value = "`\(number == number.rounded() && abs(number) < 1e9 ? String(Int(number)) : "\(number)")`"
                        + (parameter.derived.map { " (\($0))" } ?? "")
                case (nil, _):
                    value = parameter.derived ?? "–"
                }
                text += "| \(kind.rawValue) | `\(parameter.key)` | \(value) |\n"
            }
        }
        return text
    }
}

extension TrainParameters {
    /// The model hyper-parameters these parameters set — `hidden_width`, `dropout` and every
    /// `model_param` item, named choices as their index — each checked against the model's
    /// declaration (``ModelKind/hyperParameters``). Fails naming the key, the value and what
    /// the model accepts.
    public func modelHyperParameters() throws(ParameterError) -> [String: Double] {
        var given: [(key: String, text: String, flag: String)] = []
        if let hiddenWidth { given.append(("hidden_width", String(hiddenWidth), "hidden-width")) }
        if let dropout { given.append(("dropout", "\(dropout)", "dropout")) }
        given += modelSettings.map { ($0.key, $0.value, "model-param") }
        var result: [String: Double] = [:]
        for (key, text, flag) in given {
            guard let declaration = model.hyperParameter(key) else {
                let valid = model.hyperParameters.map(\.key).sorted()
                throw .conflict(flag, reason: "model \(model.rawValue) has no hyper-parameter '\(key)'; "
                                + (valid.isEmpty ? "it takes none" : "valid keys: \(valid.joined(separator: ", "))"))
            }
            guard let value = declaration.value(of: text), declaration.accepts(value) else {
                throw .conflict(flag, reason: "model \(model.rawValue): hyper-parameter \(key) = '\(text)' must be \(declaration.expected)")
            }
            result[key] = value
        }
        return result
    }
}
