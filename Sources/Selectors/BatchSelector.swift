import Formats

/// The batches of one epoch and what the train stage saves about them.
public struct EpochPlan: Sendable {
    /// The 1-based epoch.
    public let epoch: Int
    /// Training-row indices of every batch, back to back.
    public let indices: [Int32]
    /// Batch k is `indices[offsets[k] ..< offsets[k + 1]]`; `offsets.count == batchCount + 1`.
    public let offsets: [Int]
    /// The normalised criterion w [n] ∈ [0, 1] (Eq. 8) that drove the draw; all 1 for shuffles.
    public let weights: [Float]
    /// How many times each training row appears in this epoch's batches [n].
    public let selectionCounts: [Int32]
    /// The label correlation C [q, q] used this epoch; the identity for shuffles and other criteria.
    public let correlation: [Float]
    /// The selection pressure s_t of Eq. 11; 1 for shuffles and stored order.
    public let pressure: Double
    /// The unnormalised Eq. 10 weight of each row [n] that the draws followed; empty for shuffles and stored order.
    public var samplingWeights: [Double] = []

    public init(epoch: Int, indices: [Int32], offsets: [Int], weights: [Float], selectionCounts: [Int32], correlation: [Float],
                pressure: Double, samplingWeights: [Double] = []) {
        self.epoch = epoch
        self.indices = indices
        self.offsets = offsets
        self.weights = weights
        self.selectionCounts = selectionCounts
        self.correlation = correlation
        self.pressure = pressure
        self.samplingWeights = samplingWeights
    }

    public var batchCount: Int { offsets.count - 1 }

    /// The rows of batch `k` (0-based).
    public func batch(_ k: Int) -> ArraySlice<Int32> { indices[offsets[k]..<offsets[k + 1]] }
}

/// A batch selector: observes predictions and plans the next epoch's batches.
///
/// Calling sequence for epoch t = 1, 2, …, E:
/// `plan(epoch: t)` → train on its batches (for `balance`, weight the loss with
/// `lossWeights(rows:)`; with `history: batch`, call `observe(rows:probabilities:)` per batch) →
/// eval-mode pass over all n training rows → `observe(epoch: t, probabilities:)`.
/// The selector reads its options (window, λ1, bins, pressure schedule, …) from the train
/// contract's parameters.
/// Each `observe` variant does nothing unless it matches `parameters.history`, so a train loop may
/// call both unconditionally. Batches depend only on (seed, epoch, observed history), so resuming
/// needs just ``checkpoint()`` / ``restore(_:)``.
public protocol BatchSelector: AnyObject {
    var parameters: TrainParameters { get }
    /// n: the number of training rows.
    var sampleCount: Int { get }
    /// q: the number of labels.
    var labelCount: Int { get }
    /// The batches of `epoch` (1-based): a shuffle (or, with `warmup-order: stored`, the stored
    /// order) split into ⌈n/b⌉ consecutive batches in epochs 1…γ, a shuffle every epoch for
    /// `random`/`balance` and the stored order for `sequential`; afterwards ⌈n/b⌉ batches of min(b, n) distinct rows drawn by
    /// Eq. 10 (each O(b log n)). Criterion work (U, C, w) is done here, once per epoch.
    func plan(epoch: Int) -> EpochPlan
    /// Records the eval-mode probabilities [n, q] after `epoch` (`history: epoch`).
    func observe(epoch: Int, probabilities: [Float])
    /// Records the train-mode probabilities [rows.count, q] of one batch (`history: batch`).
    func observe(rows: ArraySlice<Int32>, probabilities: [Float])
    /// Per-(sample, label) loss weights [rows.count, q] for a batch, or nil when the loss is
    /// unweighted (every selector but `balance`).
    func lossWeights(rows: ArraySlice<Int32>) -> [Float]?
    /// The mutable state (history window, running moments) for a resumable checkpoint.
    func checkpoint() -> SelectorCheckpoint
    /// Restores a state saved by ``checkpoint()`` of a selector created with the same arguments.
    func restore(_ checkpoint: SelectorCheckpoint) throws(SelectorCheckpointError)
}

/// The mutable state of a selector; unused fields are empty. Store each array as-is (e.g. in an npz).
public struct SelectorCheckpoint: Sendable, Equatable {
    /// The prediction window [T, n, q] (see ``PredictionWindow``).
    public var window: [Float] = []
    public var windowNextSlot: [Int32] = []
    public var windowFilled: [Int32] = []
    /// Rows written into each window slot [T] (see ``PredictionWindow/slotRevisions``).
    public var windowSlotRevisions: [Int64] = []
    /// Running moments of `active-bias` (see ``RunningMoments``).
    public var momentCount: [Int32] = []
    public var momentMean: [Double] = []
    public var momentM2: [Double] = []

    public init(window: [Float] = [], windowNextSlot: [Int32] = [], windowFilled: [Int32] = [],
                windowSlotRevisions: [Int64] = [], momentCount: [Int32] = [], momentMean: [Double] = [],
                momentM2: [Double] = []) {
        self.window = window
        self.windowNextSlot = windowNextSlot
        self.windowFilled = windowFilled
        self.windowSlotRevisions = windowSlotRevisions
        self.momentCount = momentCount
        self.momentMean = momentMean
        self.momentM2 = momentM2
    }
}

/// A checkpoint whose arrays do not fit the selector it is restored into.
public enum SelectorCheckpointError: Error, CustomStringConvertible, Equatable {
    case sizeMismatch(selector: String, field: String)

    public var description: String {
        switch self {
        case let .sizeMismatch(selector, field):
            return "selector checkpoint does not fit \(selector): field \(field) has the wrong size; "
                + "resume with the same dataset, fold and selector options, or delete the checkpoint to restart"
        }
    }
}
