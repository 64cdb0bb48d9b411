import StageKit

/// How weight decay enters the Adam update: the train stage's `weight-decay-mode` and the
/// optimiser's (`Adam`) own setting.
public enum WeightDecayMode: String, Codable, Sendable, ChoiceParameter {
    /// decay · θ added to the gradient (`torch.optim.Adam(weight_decay=…)`, the paper's setting).
    case l2
    /// θ ← θ · (1 − lr · decay) before the Adam step (`torch.optim.AdamW`).
    case decoupled
}
