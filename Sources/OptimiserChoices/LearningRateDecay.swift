import StageKit

/// The learning rate after the warm-up: the train stage's `lr-schedule` and the decay of
/// `LearningRateSchedule`.
public enum LearningRateDecay: String, Codable, Sendable, ChoiceParameter {
    /// The base rate (the paper's protocol).
    case constant
    /// Multiplied by `lr_step_factor` every `lr_step_every` epochs.
    case step
    /// Cosine annealing to `lr_floor` × the base rate at the last step.
    case cosine
}
