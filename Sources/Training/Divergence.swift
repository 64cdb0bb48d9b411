import Foundation

/// A training run stopped because its loss stopped being a number the optimiser can use.
public struct TrainingDiverged: Error, CustomStringConvertible, Equatable {
    /// 1-based epoch and 0-based batch of the step whose loss was rejected.
    public var epoch: Int
    public var batch: Int
    public var loss: Float
    /// The base learning rate of the run (before warm-up or schedule factors).
    public var learningRate: Float

    public init(epoch: Int, batch: Int, loss: Float, learningRate: Float) {
        self.epoch = epoch
        self.batch = batch
        self.loss = loss
        self.learningRate = learningRate
    }

    public var description: String {
        let what = loss.isFinite ? "\(loss), above the limit \(DivergenceCheck.lossLimit)" : "\(loss), not a finite number"
        return "training diverged at epoch \(epoch), batch \(batch): the loss is \(what) (learning rate \(learningRate)); "
            + "the run was stopped and its outputs removed. Lower the learning rate (--lr), e.g. to \(Self.decimal(Double(learningRate) / 10))."
    }

    /// A suggested number as a person writes it: at most 6 significant digits, so a tenth of
    /// the Float 0.001 reads `0.0001`, not `0.000100000005`; `1e-05` is written `1e-5`.
    static func decimal(_ value: Double) -> String {
        let text = String(format: "%g", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        let exponent = text[text.index(after: e)...]
        let sign = exponent.first == "-" ? "-" : ""
        let digits = exponent.drop { $0 == "-" || $0 == "+" }.drop { $0 == "0" }
        return text[..<e] + "e" + sign + (digits.isEmpty ? "0" : digits)
    }
}

/// The check a training loop runs on every batch loss (docs/stages.md, "train").
///
/// A loss is rejected when it is NaN or infinite, or when it exceeds ``lossLimit``: the models'
/// losses are (scaled) mean binary cross-entropies, about 0.7 per label at initialisation (dela
/// multiplies by q ≤ a few hundred), so a loss above 10⁶ means logits of order 10⁶ — the
/// parameters have run away, and later losses overflow. Checking only for non-finite values
/// would let such a run finish with a number like 4e21 and exit 0.
public enum DivergenceCheck {
    /// The largest accepted loss.
    public static let lossLimit: Float = 1e6

    /// Throws ``TrainingDiverged`` when `loss` is not finite or exceeds ``lossLimit``. O(1).
    public static func check(loss: Float, epoch: Int, batch: Int, learningRate: Float) throws(TrainingDiverged) {
        guard loss.isFinite, loss <= lossLimit else {
            throw TrainingDiverged(epoch: epoch, batch: batch, loss: loss, learningRate: learningRate)
        }
    }
}
