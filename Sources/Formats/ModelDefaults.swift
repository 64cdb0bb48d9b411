import Foundation
import StageKit

/// The settings a model trains with when its pipeline or command line does not state them: a
/// learning rate, a weight decay and hyper-parameter values over the published defaults, chosen by
/// the sweeps of docs/evidence.md so that the model learns (each set declares its own, beside its
/// hyper-parameters; ``TrainParameters/withModelDefaults`` applies them).
public struct ModelDefaults: Sendable, Equatable {
    /// Adam's learning rate.
    public let lr: Float
    /// The weight decay (L2, or decoupled with `weight_decay_mode`).
    public let weightDecay: Float
    /// `model_param` items (key, value as written) applied unless the run states the key.
    public let hyperParameters: [Item]
    /// Where the choice is measured (a docs/evidence.md section).
    public let evidence: String

    /// A `model_param` item.
    public struct Item: Sendable, Equatable {
        public let key: String, value: String
        /// `key=value`, as `model_param` takes it.
        public var text: String { "\(key)=\(value)" }
    }

    init(lr: Float, weightDecay: Float, hyperParameters: KeyValuePairs<String, String> = [:], evidence: String) {
        self.lr = lr
        self.weightDecay = weightDecay
        self.hyperParameters = hyperParameters.map { Item(key: $0.key, value: $0.value) }
        self.evidence = evidence
    }
}

extension ModelKind {
    /// The settings this model trains with when a run does not state them.
    public var defaults: ModelDefaults {
        switch self {
        case .mlp: MLPHyperParameters.defaults
        case .clif: CLIFHyperParameters.defaults
        case .dela: DELAHyperParameters.defaults
        case .mpvae: MPVAEHyperParameters.defaults
        case .linear: LinearHyperParameters.defaults
        }
    }

    /// Every model's default settings as a Markdown table (`train --help`, `pipeline stages`,
    /// docs/parameters.md).
    public static var defaultsTable: String {
        var text = "#### Model defaults (train `lr`, `weight_decay` and `model_param` when a run does not state them)\n\n"
            + "| model | `lr` | `weight_decay` | `model_param` | chosen by |\n|---|---|---|---|---|\n"
        for kind in allCases {
            let defaults = kind.defaults
            let items = defaults.hyperParameters.map { "`\($0.key)=\($0.value)`" }.joined(separator: ", ")
            text += "| \(kind.rawValue) | `\(Self.text(defaults.lr))` | `\(Self.text(defaults.weightDecay))` | \(items.isEmpty ? "–" : items) "
                + "| \(defaults.evidence) |\n"
        }
        return text
    }

    /// 1e-3 rather than 0.001; 0 as 0.
    public static func text(_ value: Float) -> String {
        guard value != 0 else { return "0" }
        let parts = String(format: "%.3e", Double(value)).split(separator: "e")
        var mantissa = String(parts[0])
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        return "\(mantissa)e\(Int(parts[1])!)"
    }
}

extension TrainParameters {
    /// The learning rate the run trains with: `lr`, else the model's default.
    public var learningRate: Float { lr ?? model.defaults.lr }
    /// The weight decay the run trains with: `weight_decay`, else the model's default.
    public var decay: Float { weightDecay ?? model.defaults.weightDecay }

    /// The model's default `model_param` items whose keys the run does not state (`hidden_width`,
    /// `dropout` and `model_param` state keys).
    var unstatedHyperParameters: [ModelDefaults.Item] {
        let stated = Set(statedHyperParameterSettings.map(\.key))
        return model.defaults.hyperParameters.filter { !stated.contains($0.key) }
    }

    /// These parameters with every model default they leave unstated stated — the one place the
    /// defaults are applied, by the pipeline's plan and by the train stage — so that the canonical
    /// arguments (the cache key, `manifest.json`, `run.json`) name the values the run trains with,
    /// exactly as if the pipeline had written them.
    public var withModelDefaults: TrainParameters {
        var result = self
        result.lr = learningRate
        result.weightDecay = decay
        result.modelParam = unstatedHyperParameters.map(\.text) + modelParam
        return result
    }

    /// What ``withModelDefaults`` fills in, by pipeline key (`lr`, `weight_decay`, `model_param`),
    /// in canonical text: `run.json` records it as `model_defaults`.
    public var unstatedModelDefaults: [String: String] {
        let texts = withModelDefaults.canonicalTexts
        var applied: [String: String] = [:]
        if lr == nil { applied["lr"] = texts["lr"] }
        if weightDecay == nil { applied["weight_decay"] = texts["weight-decay"] }
        let items = unstatedHyperParameters
        if !items.isEmpty { applied["model_param"] = items.map(\.text).joined(separator: ",") }
        return applied
    }
}
