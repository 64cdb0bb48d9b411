import StageKit

/// The stages a pipeline can use (`uses:`), each with its contract.
public enum StageType: String, CaseIterable, Sendable {
    case fetch, split, train, analyze

    /// The stage's contract.
    public var contract: any StageContract.Type {
        switch self {
        case .fetch: FetchContract.self
        case .split: SplitContract.self
        case .train: TrainContract.self
        case .analyze: AnalyzeContract.self
        }
    }

    /// The parameters, in declaration order.
    public var parameters: [ParameterDeclaration] { Self.declarations(of: contract) }

    /// The upstream folders it reads.
    public var inputs: [StageInput] { contract.inputs }

    /// Checks parameter words (`["lr": ["1e-4"]]`) against the contract and returns the
    /// resolved values' canonical texts, defaults included.
    public func resolve(_ given: [String: [String]]) throws(ParameterError) -> [String: String] {
        try Self.resolve(given, with: contract)
    }

    /// The upstream stage type of an input.
    public func producer(of input: StageInput) -> StageType { StageType(rawValue: input.producer)! }

    /// Whether this stage reads every upstream instance (analyze aggregates all runs) rather
    /// than one upstream instance per own instance.
    public var aggregatesInputs: Bool { inputs.contains { $0.repeated } }

    private static func declarations<C: StageContract>(of contract: C.Type) -> [ParameterDeclaration] {
        C.Parameters.declarations
    }

    private static func resolve<C: StageContract>(_ given: [String: [String]], with contract: C.Type) throws(ParameterError) -> [String: String] {
        try C.Parameters.resolvedTexts(given)
    }
}
