import Foundation

/// Which epochs a train run's history arrays keep, and what they take on disk
/// (docs/artifacts.md, "The prediction history: encoding and size").
///
/// The history arrays are `predictions.npy` (n·q values per kept epoch), `correlation.npy` (q²
/// Float32 per epoch, uncertainty with mi or nmi only) and `weights.npy`, `selected.npy`,
/// `order.npy` (4 bytes per row per epoch). A run that keeps every epoch (`history_every` 1) and
/// would exceed `history_budget` (default ``HistoryBudget/standard``) keeps every k-th epoch,
/// counted back from the last, in `predictions.npy` and `correlation.npy` alike, with the smallest
/// k that fits (the last epoch alone when none does). An explicit `history_every` above 1 wins: it
/// thins `predictions.npy` alone, as asked, whatever the size.
public struct HistoryPlan: Sendable, Equatable {
    public let epochs: Int
    /// Predictions of every k-th epoch (counted back from the last) are kept.
    public let every: Int
    /// Whether `history_budget` chose `every`; then `correlation.npy` keeps the same epochs.
    public let thinnedByBudget: Bool
    public let budget: HistoryBudget
    /// Bytes of the history arrays without the budget (with `history_every` as given).
    public let fullBytes: Int64
    /// Bytes of the history arrays as kept.
    public let keptBytes: Int64
    /// The parameters' `history_every`.
    private let askedEvery: Int

    /// The plan of a run with these parameters on `n` training rows and `q` labels.
    public init(parameters: TrainParameters, trainCount n: Int, labelCount q: Int) {
        let epochs = parameters.epochs
        let predictionBytes = Int64(n) * Int64(q) * Int64(parameters.historyDtype.elementBytes)
        let correlationBytes = parameters.recordsCorrelation ? Int64(q) * Int64(q) * 4 : 0
        let perEpochBytes = Int64(4) * (2 * Int64(n) + Int64(parameters.drawsPerEpoch(trainCount: n)))
        func bytes(predictionEvery: Int, correlationEvery: Int) -> Int64 {
            Int64(epochs) * perEpochBytes + Int64(Self.keptEpochs(epochs: epochs, every: predictionEvery).count) * predictionBytes
                + Int64(Self.keptEpochs(epochs: epochs, every: correlationEvery).count) * correlationBytes
        }
        self.epochs = epochs
        askedEvery = parameters.historyEvery
        budget = parameters.historyBudget ?? .standard
        fullBytes = bytes(predictionEvery: parameters.historyEvery, correlationEvery: 1)
        var every = parameters.historyEvery
        if case .bytes(let limit) = budget, parameters.historyEvery == 1, fullBytes > limit {
            every = (2...max(2, epochs)).first { bytes(predictionEvery: $0, correlationEvery: $0) <= limit } ?? max(epochs, 1)
        }
        self.every = every
        thinnedByBudget = every != parameters.historyEvery
        keptBytes = thinnedByBudget ? bytes(predictionEvery: every, correlationEvery: every) : fullBytes
    }

    /// Epochs (1-based) kept when keeping every `every`-th: those congruent to the last modulo `every`.
    public static func keptEpochs(epochs: Int, every: Int) -> [Int] {
        (1...max(epochs, 1)).filter { (epochs - $0) % every == 0 }
    }

    /// The epochs `predictions.npy` holds (`prediction-epochs.npy`).
    public var predictionEpochs: [Int] { Self.keptEpochs(epochs: epochs, every: every) }

    /// The epochs `correlation.npy` holds: the prediction epochs when the budget thinned the
    /// history, else every epoch.
    public var correlationEpochs: [Int] { Self.keptEpochs(epochs: epochs, every: thinnedByBudget ? every : 1) }

    /// What `run.json` records (`history_thinning`): nil unless the budget thinned the history.
    public var thinning: HistoryThinning? {
        thinnedByBudget ? HistoryThinning(every: every, budget: budget.parameterText, fullBytes: fullBytes, keptBytes: keptBytes) : nil
    }

    /// The line the train stage logs when the budget thins the history, or when the history
    /// exceeds the budget; nil otherwise.
    public var notice: String? {
        guard case .bytes(let limit) = budget, fullBytes > limit else { return nil }
        let full = Self.text(bytes: fullBytes), kept = Self.text(bytes: keptBytes)
        guard thinnedByBudget else {
            return "train: the history arrays take \(full), above history_budget \(budget.parameterText); history_every \(askedEvery) "
                + "keeps them as asked (the budget thins only runs that keep every epoch)"
        }
        let count = predictionEpochs.count
        let which = count == 1 ? "the last epoch only" : "one epoch in \(every) (\(count) of \(epochs), the last included)"
        return "train: history_budget \(budget.parameterText): predictions.npy and correlation.npy keep \(which), "
            + "\(kept) instead of \(full)\(keptBytes > limit ? ", still above the budget" : ""); "
            + "history_budget unlimited keeps every epoch"
    }

    /// Bytes in decimal units: `1.93 GB`, `412.5 MB`, `980 KB`.
    static func text(bytes: Int64) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        return String(format: "%.0f KB", (value / 1e3).rounded(.up))
    }
}

/// `run.json`'s `history_thinning`: how the history budget thinned a run's history
/// (``HistoryPlan``); absent when the run kept what `history_every` asked for.
public struct HistoryThinning: Codable, Equatable, Sendable {
    /// `predictions.npy` and `correlation.npy` keep every k-th epoch, counted back from the last
    /// (`prediction-epochs.npy` names them).
    public var every: Int
    /// The budget's canonical text (`2GB`).
    public var budget: String
    /// Bytes of the history arrays had every epoch been kept, and as kept.
    public var fullBytes: Int64
    public var keptBytes: Int64

    public init(every: Int, budget: String, fullBytes: Int64, keptBytes: Int64) {
        self.every = every
        self.budget = budget
        self.fullBytes = fullBytes
        self.keptBytes = keptBytes
    }
}
