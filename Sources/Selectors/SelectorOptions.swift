/// The batch selection criteria of method.md ("Competing selectors" and the paper's method).
public enum SelectorKind: String, CaseIterable, Sendable, Equatable {
    /// A fresh shuffle each epoch, every sample once.
    case random
    /// Random batches with per-(sample, label) loss weights (Hand et al. 2018).
    case balance
    /// Σ_j std of the whole prediction history (Chang et al. 2017).
    case activeBias = "active-bias"
    /// Σ_j binary entropy of the window's fraction of predictions > 0.5 (Song et al. 2020).
    case recencyBias = "recency-bias"
    /// Imbalance weight × current BCE loss (Zhou et al. 2024).
    case hardImbalance = "hard-imbalance"
    /// The paper's uncertainty × label-correlation criterion (Eq. 1–8).
    case uncertainty

    /// Whether the selector draws batches with the quantised exponential sampler (Eq. 9–11).
    public var usesSampler: Bool { self != .random && self != .balance }
}

/// How label correlation enters the uncertainty criterion (Eq. 6–7).
public enum CorrelationMode: String, CaseIterable, Sendable, Equatable {
    /// Natural-log mutual information of the binned uncertainties, diagonal 1.
    case mi
    /// Mutual information divided by √(H_a H_b) (0 if either entropy is 0), diagonal 1.
    case nmi
    /// C = I (ablation).
    case none
}

/// Which predictions form the history the criteria read.
public enum HistoryMode: String, CaseIterable, Sendable, Equatable {
    /// An eval-mode pass over the whole training part after every epoch (the default).
    case epoch
    /// The train-mode outputs of each sample when it appears in a batch (the authors' code).
    case batch
}

/// Every option of a batch selector, with method.md's defaults.
public struct SelectorOptions: Sendable, Equatable {
    public var selector: SelectorKind = .uncertainty
    /// Window size T (≥ 1): the last T recorded predictions per sample.
    public var window: Int = 5
    /// Trade-off λ1 ∈ [0, 1] between window fluctuation and current entropy (Eq. 5).
    public var lambda1: Double = 0.5
    /// Number of equal-width bins τ (≥ 2) used to discretise uncertainties (Eq. 6).
    public var bins: Int = 5
    /// Initial selection pressure s0 ∈ [1, 1e6] (Eq. 10–11).
    public var s0: Double = 100
    /// Warm-up epochs γ (0 ≤ γ < epochs): plain shuffles in epochs 1…γ.
    public var warmupEpochs: Int = 5
    /// Total epochs E (≥ 1); the pressure reaches 1 at epoch E.
    public var epochs: Int = 100
    /// Batch size b (≥ 1).
    public var batchSize: Int = 128
    public var correlation: CorrelationMode = .mi
    public var history: HistoryMode = .epoch

    public init(selector: SelectorKind = .uncertainty, window: Int = 5, lambda1: Double = 0.5, bins: Int = 5,
                s0: Double = 100, warmupEpochs: Int = 5, epochs: Int = 100, batchSize: Int = 128,
                correlation: CorrelationMode = .mi, history: HistoryMode = .epoch) {
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

    /// The keys accepted by ``init(parsing:)`` (kebab-case; `_` is accepted for `-`).
    public static let keys = ["selector", "window", "lambda1", "bins", "s0", "warmup-epochs", "epochs",
                              "batch-size", "correlation", "history"]

    /// Parses string key/values (CLI flags without `--`, or pipeline `with:` keys) over the defaults,
    /// then validates. Unknown keys, unknown names and out-of-range values throw, listing valid values.
    public init(parsing values: [String: String]) throws(SelectorOptionError) {
        self.init()
        for key in values.keys.sorted() {
            let value = values[key]!.trimmingWhitespace
            switch key.replacingUnderscores {
            case "selector": selector = try Self.choice(key, value, SelectorKind.self)
            case "window": window = try Self.integer(key, value, "an integer ≥ 1")
            case "lambda1": lambda1 = try Self.real(key, value, "a number in [0, 1]")
            case "bins": bins = try Self.integer(key, value, "an integer ≥ 2")
            case "s0": s0 = try Self.real(key, value, "a number in [1, 1e6]")
            case "warmup-epochs": warmupEpochs = try Self.integer(key, value, "an integer in [0, epochs)")
            case "epochs": epochs = try Self.integer(key, value, "an integer ≥ 1")
            case "batch-size": batchSize = try Self.integer(key, value, "an integer ≥ 1")
            case "correlation": correlation = try Self.choice(key, value, CorrelationMode.self)
            case "history": history = try Self.choice(key, value, HistoryMode.self)
            default: throw .unknownKey(key, valid: Self.keys)
            }
        }
        try validate()
    }

    /// Checks every range; the error names the option, the bad value and what is allowed.
    public func validate() throws(SelectorOptionError) {
        func check(_ ok: Bool, _ key: String, _ value: String, _ expected: String) throws(SelectorOptionError) {
            if !ok { throw .outOfRange(key, value: value, expected: expected) }
        }
        try check(window >= 1, "window", "\(window)", "an integer ≥ 1")
        try check((0...1).contains(lambda1), "lambda1", "\(lambda1)", "a number in [0, 1]")
        try check(bins >= 2, "bins", "\(bins)", "an integer ≥ 2")
        try check((1...1e6).contains(s0), "s0", "\(s0)", "a number in [1, 1e6]")
        try check(epochs >= 1, "epochs", "\(epochs)", "an integer ≥ 1")
        try check(warmupEpochs >= 0 && warmupEpochs < epochs, "warmup-epochs", "\(warmupEpochs)",
                  "an integer in [0, \(epochs)) (below epochs)")
        try check(batchSize >= 1, "batch-size", "\(batchSize)", "an integer ≥ 1")
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ value: String, _ type: T.Type)
        throws(SelectorOptionError) -> T where T.RawValue == String {
        guard let result = T(rawValue: value) else {
            throw .unknownValue(key, value: value, valid: T.allCases.map(\.rawValue))
        }
        return result
    }

    private static func integer(_ key: String, _ value: String, _ expected: String) throws(SelectorOptionError) -> Int {
        guard let result = Int(value) else { throw .outOfRange(key, value: value, expected: expected) }
        return result
    }

    private static func real(_ key: String, _ value: String, _ expected: String) throws(SelectorOptionError) -> Double {
        guard let result = Double(value), result.isFinite else { throw .outOfRange(key, value: value, expected: expected) }
        return result
    }
}

/// A rejected selector option. The message names the option, the value and the valid values.
public enum SelectorOptionError: Error, CustomStringConvertible, Equatable {
    /// A key that no selector option has.
    case unknownKey(String, valid: [String])
    /// A name (selector, correlation, history) outside the listed choices.
    case unknownValue(String, value: String, valid: [String])
    /// A number that does not parse or lies outside its range.
    case outOfRange(String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .unknownKey(key, valid):
            return "unknown selector option '\(key)'; valid options: \(valid.joined(separator: ", "))"
        case let .unknownValue(key, value, valid):
            return "invalid \(key) '\(value)'; valid values: \(valid.joined(separator: ", "))"
        case let .outOfRange(key, value, expected):
            return "invalid \(key) '\(value)'; expected \(expected)"
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
    fileprivate var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
