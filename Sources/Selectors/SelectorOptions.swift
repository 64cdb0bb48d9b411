import Formats

/// Every option of a batch selector. The train stage's contract (`TrainParameters`) declares
/// their defaults (docs/method.md) and valid ranges.
public struct SelectorOptions: Sendable, Equatable {
    public var selector: SelectorKind
    /// Window size T (≥ 1): the last T recorded predictions per sample.
    public var window: Int
    /// Trade-off λ1 ∈ [0, 1] between window fluctuation and current entropy (Eq. 5).
    public var lambda1: Double
    /// Number of equal-width bins τ (≥ 2) used to discretise uncertainties (Eq. 6).
    public var bins: Int
    /// Initial selection pressure s0 ∈ [1, 1e6] (Eq. 10–11).
    public var s0: Double
    /// Warm-up epochs γ (0 ≤ γ < epochs): plain shuffles in epochs 1…γ.
    public var warmupEpochs: Int
    /// Total epochs E (≥ 1); the pressure reaches 1 at epoch E.
    public var epochs: Int
    /// Batch size b (≥ 1).
    public var batchSize: Int
    public var correlation: CorrelationMode
    public var history: HistoryMode

    /// Options with the train stage's defaults for every argument not given.
    public init(selector: SelectorKind = TrainParameters().selector, window: Int = TrainParameters().window,
                lambda1: Double = TrainParameters().lambda1, bins: Int = TrainParameters().bins, s0: Double = TrainParameters().s0,
                warmupEpochs: Int = TrainParameters().warmupEpochs, epochs: Int = TrainParameters().epochs,
                batchSize: Int = TrainParameters().batchSize, correlation: CorrelationMode = TrainParameters().correlation,
                history: HistoryMode = TrainParameters().history) {
        self.selector = selector
        self.window = window
        self.lambda1 = lambda1
        self.bins = bins
        self.s0 = s0
        self.warmupEpochs = warmupEpochs
        self.epochs = epochs
        self.batchSize = batchSize
        self.correlation = correlation
        self.history = history
    }
}
