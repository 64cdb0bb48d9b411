import Foundation
import StageKit

/// One hyper-parameter of a model (train `model_param: [key=value]`, docs/models.md): its key,
/// its default and the values it accepts, as its ``HyperParameterField`` declares it.
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

/// A hyper-parameter of the set `Values`: its declaration and the property a checked value is
/// stored in. The default is the property's initial value.
public struct HyperParameterField<Values: ModelHyperParameterSet>: Sendable {
    public let declaration: ModelHyperParameter
    let store: @Sendable (inout Values, Double) -> Void

    /// A whole number ≥ `minimum`; `derived` says what a value means beyond itself.
    static func count(_ key: String, _ property: WritableKeyPath<Values, Int> & Sendable, minimum: Int, derived: String? = nil) -> Self {
        Self(declaration: ModelHyperParameter(key, Double(Values()[keyPath: property]), .count(minimum: minimum), derived: derived)) {
            $0[keyPath: property] = Int($1)
        }
    }

    /// A whole number ≥ `minimum` whose default (nil) depends on the data, as `derived` says.
    static func count(_ key: String, _ property: WritableKeyPath<Values, Int?> & Sendable, minimum: Int, derived: String) -> Self {
        Self(declaration: ModelHyperParameter(key, Values()[keyPath: property].map(Double.init), .count(minimum: minimum), derived: derived)) {
            $0[keyPath: property] = Int($1)
        }
    }

    /// A number of `kind`.
    static func number(_ key: String, _ property: WritableKeyPath<Values, Double> & Sendable, _ kind: ModelHyperParameter.Kind) -> Self {
        Self(declaration: ModelHyperParameter(key, Values()[keyPath: property], kind)) { $0[keyPath: property] = $1 }
    }

    /// One of `Choice`'s cases, named by its raw value (or given by its index).
    static func choice<Choice: CaseIterable & RawRepresentable & Equatable & Sendable>(
        _ key: String, _ property: WritableKeyPath<Values, Choice> & Sendable
    ) -> Self where Choice.RawValue == String {
        let cases = Array(Choice.allCases)
        let index = cases.firstIndex(of: Values()[keyPath: property])!
        return Self(declaration: ModelHyperParameter(key, Double(index), .choice(cases.map(\.rawValue)))) {
            $0[keyPath: property] = cases[Int($1)]
        }
    }
}

/// One model's hyper-parameters, typed: each is a property whose initial value is the published
/// default (docs/models.md), declared once in ``fields`` with its key and the values it accepts.
/// Other modules read the properties; values other than the defaults come only through the one
/// check (``init(_:)``, ``ModelHyperParameters/init(_:_:)``, ``TrainParameters/modelHyperParameters()``).
public protocol ModelHyperParameterSet: Sendable, Equatable {
    /// The model these are the hyper-parameters of.
    static var model: ModelKind { get }
    /// The defaults.
    init()
    /// Every hyper-parameter, in declaration order.
    static var fields: [HyperParameterField<Self>] { get }
    /// The settings the model trains with when a run does not state them.
    static var defaults: ModelDefaults { get }
}

/// One hyper-parameter as given: its key, its value as written and the train flag that gave it.
struct ModelHyperParameterSetting {
    let key: String, text: String, flag: String

    /// `model_param` items, key → value as written, in key order.
    static func items(_ given: [String: String]) -> [Self] {
        given.sorted { $0.key < $1.key }.map { Self(key: $0.key, text: $0.value, flag: "model-param") }
    }
}

extension ModelHyperParameterSet {
    /// The defaults with `given` (key → value as written; a choice by its name or index), each
    /// checked against its declaration. Fails naming the key, the value and what is accepted.
    public init(_ given: [String: String]) throws(ParameterError) {
        try self.init(given: ModelHyperParameterSetting.items(given))
    }

    /// The defaults with `given` applied in order, each checked against its declaration. Fails
    /// naming the flag, the key, the value and what the model accepts.
    init(given: [ModelHyperParameterSetting]) throws(ParameterError) {
        let model = Self.model
        self.init()
        for setting in given {
            guard let field = Self.fields.first(where: { $0.declaration.key == setting.key }) else {
                let valid = Self.fields.map(\.declaration.key).sorted()
                throw .conflict(setting.flag, reason: "model \(model.rawValue) has no hyper-parameter '\(setting.key)'; "
                                + (valid.isEmpty ? "it takes none" : "valid keys: \(valid.joined(separator: ", "))"))
            }
            let declaration = field.declaration
            guard let value = declaration.value(of: setting.text), declaration.accepts(value) else {
                throw .conflict(setting.flag, reason: "model \(model.rawValue): hyper-parameter \(setting.key) = '\(setting.text)' "
                                + "must be \(declaration.expected)")
            }
            field.store(&self, value)
        }
    }
}

/// A model's checked hyper-parameters: the model is the case, its typed values the payload. Made
/// by the one check (``init(_:_:)``, ``TrainParameters/modelHyperParameters()``) or as the defaults.
public enum ModelHyperParameters: Sendable, Equatable {
    case mlp(MLPHyperParameters)
    case clif(CLIFHyperParameters)
    case dela(DELAHyperParameters)
    case mpvae(MPVAEHyperParameters)
    case linear(LinearHyperParameters)

    /// `model`'s published defaults.
    public init(defaultsOf model: ModelKind) {
        switch model {
        case .mlp: self = .mlp(.init())
        case .clif: self = .clif(.init())
        case .dela: self = .dela(.init())
        case .mpvae: self = .mpvae(.init())
        case .linear: self = .linear(.init())
        }
    }

    /// `model`'s hyper-parameters with `given` (key → value as written; a choice by its name or
    /// index) over the defaults. Fails naming the key, the value and what the model accepts.
    public init(_ model: ModelKind, _ given: [String: String]) throws(ParameterError) {
        try self.init(model, given: ModelHyperParameterSetting.items(given))
    }

    init(_ model: ModelKind, given: [ModelHyperParameterSetting]) throws(ParameterError) {
        switch model {
        case .mlp: self = .mlp(try .init(given: given))
        case .clif: self = .clif(try .init(given: given))
        case .dela: self = .dela(try .init(given: given))
        case .mpvae: self = .mpvae(try .init(given: given))
        case .linear: self = .linear(try .init(given: given))
        }
    }

    /// The model these hyper-parameters are for.
    public var model: ModelKind {
        switch self {
        case .mlp: .mlp
        case .clif: .clif
        case .dela: .dela
        case .mpvae: .mpvae
        case .linear: .linear
        }
    }

    /// The declarations of the model's hyper-parameters, in declaration order.
    public var declarations: [ModelHyperParameter] {
        switch self {
        case .mlp: MLPHyperParameters.fields.map(\.declaration)
        case .clif: CLIFHyperParameters.fields.map(\.declaration)
        case .dela: DELAHyperParameters.fields.map(\.declaration)
        case .mpvae: MPVAEHyperParameters.fields.map(\.declaration)
        case .linear: LinearHyperParameters.fields.map(\.declaration)
        }
    }

    /// The trained parameters (weights and biases) of the model with these hyper-parameters for
    /// `d` features and `q` labels (ModelsTests checks it against the models). A Double, so that
    /// any accepted width gives a number, not an overflow.
    public func parameterCount(features d: Int, labels q: Int) -> Double {
        func linear(_ inputs: Double, _ outputs: Double) -> Double { inputs * outputs + outputs }
        let d = Double(d), q = Double(q)
        switch self {
        case .linear:
            return linear(d, q)
        case .mlp(let h):
            let width = Double(h.hiddenWidth)
            return linear(d, width) + (Double(h.hiddenLayers) - 1) * linear(width, width) + linear(width, q)
        case .clif(let h):
            let width = Double(h.hiddenWidth), half = ((q + 1) / 2).rounded(.down)
            let ginLayer = linear(q, half) + linear(half, q) + 1 + (h.batchNorm == .on ? 2 * (half + q) : 0)
            return Double(h.ginLayers) * ginLayer + linear(d, width) + 3 * linear(width, width) + linear(q, width) + q * width + q
        case .dela(let h):
            let latent = h.latentDimension == 0 ? ((d + 1) / 2).rounded(.down) : Double(h.latentDimension)
            let e1 = Double(h.encoderHidden1), e2 = Double(h.encoderHidden2), e3 = Double(h.encoderOutput)
            let d1 = Double(h.decoderHidden), d2 = Double(h.decoderOutput)
            return linear(d, e1) + linear(e1, e2) + linear(e2, e3) + 2 * linear(e3, latent) + q * latent + linear(latent, latent)
                + linear(d + latent, d1) + linear(d1, d2) + q * d2 + q
        case .mpvae(let h):
            let latent = Double(h.latentDim), rank = h.zDim.map(Double.init) ?? q
            let large = Double(h.hiddenLarge), small = Double(h.hiddenSmall)
            return linear(d + q, large) + linear(large, small) + 2 * linear(small, latent)
                + linear(d, small) + linear(small, large) + linear(large, small) + 2 * linear(small, latent)
                + linear(d + latent, small) + linear(small, large) + 2 * linear(large, q) + q * rank
        }
    }

    /// The bytes training needs at least: 4 for each parameter, its gradient and Adam's two
    /// moments (activations and the data come on top).
    public func trainingBytes(features d: Int, labels q: Int) -> Double {
        16 * parameterCount(features: d, labels: q)
    }
}

extension ModelKind {
    /// The model's hyper-parameters with the published defaults (docs/models.md).
    public var hyperParameters: [ModelHyperParameter] { ModelHyperParameters(defaultsOf: self).declarations }

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
    /// `model_param` item (applied in that order) — over the model's defaults, each checked
    /// against its declaration (``ModelKind/hyperParameters``): the one check, made when the plan
    /// is built and when train starts. Fails naming the key, the value and what the model accepts.
    public func modelHyperParameters() throws(ParameterError) -> ModelHyperParameters {
        try ModelHyperParameters(model, given: modelHyperParameterSettings)
    }

    /// The hyper-parameters given, each with the flag that gave it, after the model's default
    /// items the run does not state (``ModelDefaults/hyperParameters``).
    var modelHyperParameterSettings: [ModelHyperParameterSetting] {
        unstatedHyperParameters.map { .init(key: $0.key, text: $0.value, flag: "model-param") } + statedHyperParameterSettings
    }

    /// The hyper-parameters the run states, each with the flag that gave it.
    var statedHyperParameterSettings: [ModelHyperParameterSetting] {
        var given: [ModelHyperParameterSetting] = []
        if let hiddenWidth { given.append(.init(key: "hidden_width", text: String(hiddenWidth), flag: "hidden-width")) }
        if let dropout { given.append(.init(key: "dropout", text: "\(dropout)", flag: "dropout")) }
        return given + modelSettings.map { .init(key: $0.key, text: $0.value, flag: "model-param") }
    }
}
