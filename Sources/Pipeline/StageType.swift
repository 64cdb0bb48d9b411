/// The stage executables a pipeline can use (`uses:`), with the parameters each accepts.
///
/// The parameter tables mirror the stage contracts (`fetch --help` etc.); flags the runner
/// wires itself (`--output`, and the upstream folders `--dataset`, `--split`, `--runs`) are
/// not parameters and are rejected under `with:`.
public enum StageType: String, CaseIterable, Sendable {
    case fetch, split, train, analyze

    /// The kind of value a parameter accepts; used to check pipeline files before running.
    public enum ValueKind: Equatable, Sendable {
        case integer
        case number
        case text
        case choice([String])
        /// A list of integers, passed comma-separated.
        case integerList
        /// A list of numbers, passed comma-separated.
        case numberList
        /// One or more texts, each passed as its own `--flag value` pair.
        case repeatedText

        /// A human description used in error messages.
        public var summary: String {
            switch self {
            case .integer: return "an integer"
            case .number: return "a number"
            case .text: return "a string"
            case let .choice(values): return "one of " + values.joined(separator: ", ")
            case .integerList: return "a list of integers"
            case .numberList: return "a list of numbers"
            case .repeatedText: return "a string or a list of strings"
            }
        }
    }

    /// Parameters (flag names) this stage accepts under `with:` / `matrix:`, in help order.
    public var parameters: [(flag: String, kind: ValueKind)] {
        switch self {
        case .fetch:
            return [("dataset", .text), ("catalog", .text), ("mirror", .repeatedText), ("cache", .text),
                    ("url", .repeatedText), ("sha256", .text), ("layout", .choice(["mulan", "meka"])), ("data", .text),
                    ("xml", .text), ("impute", .choice(["error", "zero"])), ("max-unpacked-bytes", .integer)]
        case .split:
            return [("folds", .integer), ("order", .choice(["1", "2"])), ("validation", .number),
                    ("holdout", .number), ("seed", .integer), ("restarts", .integer)]
        case .train:
            return [("fold", .integer), ("model", .choice(["mlp", "clif", "dela"])), ("hidden-width", .integer), ("dropout", .number),
                    ("model-param", .repeatedText),
                    ("selector", .choice(["random", "balance", "active-bias", "recency-bias", "hard-imbalance", "uncertainty"])),
                    ("epochs", .integer), ("batch-size", .integer), ("lr", .number), ("weight-decay", .number),
                    ("warmup-epochs", .integer), ("window", .integer), ("lambda1", .number), ("bins", .integer),
                    ("s0", .number), ("correlation", .choice(["mi", "nmi", "none"])),
                    ("history", .choice(["epoch", "batch"])), ("history-dtype", .choice(["float16", "float32"])),
                    ("history-every", .integer), ("feature-fraction", .number), ("min-label-count", .integer),
                    ("seed", .integer), ("threads", .integer)]
        case .analyze:
            return [("drift-epochs", .integerList), ("convergence-levels", .numberList), ("top-pairs", .integer)]
        }
    }

    /// The kind of parameter `flag`, or nil if this stage has no such parameter.
    public func kind(of flag: String) -> ValueKind? {
        parameters.first { $0.flag == flag }?.kind
    }

    /// Parameters that must be given (in `with:`, `matrix:` or `defaults:`).
    public var requiredParameters: [String] {
        switch self {
        case .fetch: return ["dataset"]
        case .split, .train, .analyze: return []
        }
    }

    /// Whether the pipeline `seed` is passed to this stage as `--seed`.
    public var takesSeed: Bool { self == .split || self == .train }

    /// The upstream stage types this stage reads (found through `needs`, transitively) and the
    /// flag that passes each upstream instance folder.
    public var inputs: [(type: StageType, flag: String)] {
        switch self {
        case .fetch: return []
        case .split: return [(.fetch, "dataset")]
        case .train: return [(.fetch, "dataset"), (.split, "split")]
        case .analyze: return [(.train, "runs")]
        }
    }

    /// Whether this stage reads every upstream instance (analyze aggregates all runs) rather
    /// than one upstream instance per own instance.
    public var aggregatesInputs: Bool { self == .analyze }

    static var choicesText: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
