import Foundation
import OptimiserChoices

/// The learning-rate factor of every optimiser step (multiplies the base learning rate; passed
/// to ``Adam/step(learningRateScale:)``): a linear warm-up over the first `warmupEpochs` epochs,
/// then one of three decays.
///
/// Steps are counted from 1 over the whole run (`(epoch − 1) · stepsPerEpoch + batch + 1` for a
/// 1-based epoch and a 0-based batch), so a resumed run gets the same factors.
/// - Warm-up: step s ≤ W = warmupEpochs · stepsPerEpoch gets s / W.
/// - ``LearningRateDecay/constant``: 1 after the warm-up (the paper's protocol).
/// - ``LearningRateDecay/step``: γ^⌊(e − w) / k⌋ for the 0-based epoch e ≥ w of the step, γ the
///   `stepFactor` and k `stepEvery` (constant within an epoch, like
///   `torch.optim.lr_scheduler.StepLR` started after warm-up).
/// - ``LearningRateDecay/cosine``: per step, floor + (1 − floor) · ½ (1 + cos(π · t)) with
///   t = (s − W − 1) / (S − W − 1) ∈ [0, 1] over the remaining steps (S = epochs · stepsPerEpoch):
///   1 at the first step after warm-up, `floor` at the last step.
public struct LearningRateSchedule: Sendable, Equatable {
    public let decay: LearningRateDecay
    /// With ``LearningRateDecay/step``: the factor γ ∈ (0, 1] applied every `stepEvery` ≥ 1 epochs.
    public let stepFactor: Float
    public let stepEvery: Int
    /// With ``LearningRateDecay/cosine``: the final rate as a fraction ∈ [0, 1] of the base rate.
    public let floor: Float
    public let warmupEpochs: Int
    public let stepsPerEpoch: Int
    public let epochs: Int

    public var warmupSteps: Int { warmupEpochs * stepsPerEpoch }
    public var totalSteps: Int { epochs * stepsPerEpoch }

    /// Checks the ranges (`stepFactor` and `stepEvery` only with a step decay, `floor` only with a
    /// cosine decay); errors name the option and the valid range.
    public init(decay: LearningRateDecay = .constant, stepFactor: Float = 1, stepEvery: Int = 1, floor: Float = 0,
                warmupEpochs: Int, stepsPerEpoch: Int, epochs: Int) throws(LearningRateScheduleError) {
        guard warmupEpochs >= 0 else { throw .outOfRange(option: "warm-up epochs", value: "\(warmupEpochs)", valid: "an integer ≥ 0") }
        guard stepsPerEpoch >= 1 else { throw .outOfRange(option: "steps per epoch", value: "\(stepsPerEpoch)", valid: "an integer ≥ 1") }
        guard epochs >= 1 else { throw .outOfRange(option: "epochs", value: "\(epochs)", valid: "an integer ≥ 1") }
        switch decay {
        case .constant: break
        case .step:
            guard stepFactor > 0, stepFactor <= 1 else {
                throw .outOfRange(option: "step factor", value: "\(stepFactor)", valid: "a number in (0, 1]")
            }
            guard stepEvery >= 1 else { throw .outOfRange(option: "step every", value: "\(stepEvery)", valid: "an integer ≥ 1 (epochs)") }
        case .cosine:
            guard floor >= 0, floor <= 1 else { throw .outOfRange(option: "cosine floor", value: "\(floor)", valid: "a number in [0, 1]") }
        }
        self.decay = decay
        self.stepFactor = stepFactor
        self.stepEvery = stepEvery
        self.floor = floor
        self.warmupEpochs = warmupEpochs
        self.stepsPerEpoch = stepsPerEpoch
        self.epochs = epochs
    }

    /// The factor of the 1-based `step` of the run.
    public func factor(step: Int) -> Float {
        let warmup = warmupSteps
        if warmup > 0 && step <= warmup { return Float(step) / Float(warmup) }
        switch decay {
        case .constant:
            return 1
        case .step:
            let epoch = (step - 1) / stepsPerEpoch
            return Float(Foundation.pow(Double(stepFactor), Double((epoch - warmupEpochs) / stepEvery)))
        case .cosine:
            let remaining = totalSteps - warmup - 1
            guard remaining > 0 else { return 1 }
            let t = min(1, Double(step - warmup - 1) / Double(remaining))
            return floor + (1 - floor) * Float(0.5 * (1 + Foundation.cos(Double.pi * t)))
        }
    }
}

/// An invalid learning-rate schedule option.
public enum LearningRateScheduleError: Error, CustomStringConvertible, Equatable {
    case outOfRange(option: String, value: String, valid: String)

    public var description: String {
        switch self {
        case let .outOfRange(option, value, valid): "learning-rate schedule: \(option) \(value) is invalid; expected \(valid)"
        }
    }
}
