import Artifacts
import Foundation
import Models
import NumpyIO
import Selectors

/// Everything that determines a training run besides its inputs (method.md's protocol defaults).
public struct TrainingConfiguration: Sendable {
    public var model: String = "mlp"
    /// Model hyper-parameters overriding the model's published defaults.
    public var modelParameters: [String: Double] = [:]
    /// Selector, its options, epochs, batch size and warm-up epochs.
    public var selector = SelectorOptions()
    public var learningRate: Float = 1e-4
    public var weightDecay: Float = 1e-4
    public var seed: UInt64 = 42
    /// Element type of `predictions.npy` (float16 or float32).
    public var historyType: NpyDType = .float16
    /// Keep the predictions of every k-th epoch (always including the last).
    public var historyEvery: Int = 1
    /// Fraction of features kept by column-sum feature selection (1 = all).
    public var featureFraction: Double = 1
    /// Labels with fewer positive training rows are dropped (0 = keep all).
    public var minLabelCount: Int = 0

    public init() {}

    /// Checks the options that are not the selector's or the model's; messages name the flag.
    public func validate() throws(TrainingConfigurationError) {
        if !(learningRate > 0 && learningRate.isFinite) { throw .invalid("--lr", "\(learningRate)", "a positive number") }
        if !(weightDecay >= 0 && weightDecay.isFinite) { throw .invalid("--weight-decay", "\(weightDecay)", "a number ≥ 0") }
        if historyType != .float16 && historyType != .float32 { throw .invalid("--history-dtype", historyType.rawValue, "float16 or float32") }
        if historyEvery < 1 { throw .invalid("--history-every", "\(historyEvery)", "an integer ≥ 1") }
        if !(featureFraction > 0 && featureFraction <= 1) { throw .invalid("--feature-fraction", "\(featureFraction)", "a number in (0, 1]") }
        if minLabelCount < 0 { throw .invalid("--min-label-count", "\(minLabelCount)", "an integer ≥ 0") }
        do { _ = try ModelFactory.defaults(name: model) } catch { throw .invalid("--model", model, "one of \(ModelFactory.names.joined(separator: ", "))") }
    }

    /// The resolved options as strings (for `run.json`, the manifest and the resume fingerprint).
    public var parameters: [String: String] {
        var result: [String: String] = [
            "model": model, "selector": selector.selector.rawValue, "epochs": "\(selector.epochs)",
            "batch-size": "\(selector.batchSize)", "warmup-epochs": "\(selector.warmupEpochs)",
            "window": "\(selector.window)", "lambda1": "\(selector.lambda1)", "bins": "\(selector.bins)",
            "s0": "\(selector.s0)", "correlation": selector.correlation.rawValue, "history": selector.history.rawValue,
            "lr": "\(learningRate)", "weight-decay": "\(weightDecay)", "seed": "\(seed)",
            "history-dtype": historyType == .float16 ? "float16" : "float32", "history-every": "\(historyEvery)",
            "feature-fraction": "\(featureFraction)", "min-label-count": "\(minLabelCount)",
        ]
        for (key, value) in modelParameters { result["model-\(key)"] = "\(value)" }
        return result
    }
}

/// A rejected training option.
public enum TrainingConfigurationError: Error, CustomStringConvertible {
    case invalid(String, String, String)

    public var description: String {
        switch self {
        case let .invalid(flag, value, expected): return "\(flag) \(value) is invalid: expected \(expected)"
        }
    }
}
