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
    /// resolved values, defaults included (for train, the model's defaults stated:
    /// ``TrainParameters/withModelDefaults``).
    public func resolve(_ given: [String: [String]]) throws(ParameterError) -> ResolvedParameters {
        try resolveWithTexts(given).parameters
    }

    /// ``resolve(_:)`` with the values' canonical texts (``ResolvedParameters/canonicalTexts``),
    /// read from the parsed values rather than by reflection: a plan resolves every instance.
    public func resolveWithTexts(_ given: [String: [String]]) throws(ParameterError) -> (parameters: ResolvedParameters, canonicalTexts: [String: String]) {
        switch self {
        case .fetch: let resolved = try FetchParameters.resolveWithTexts(given); return (.fetch(resolved.parameters), resolved.canonicalTexts)
        case .split: let resolved = try SplitParameters.resolveWithTexts(given); return (.split(resolved.parameters), resolved.canonicalTexts)
        case .train:
            let resolved = try TrainParameters.resolveWithTexts(given), completed = resolved.parameters.withModelDefaults
            return (.train(completed), completed == resolved.parameters ? resolved.canonicalTexts : completed.canonicalTexts)
        case .analyze: let resolved = try AnalyzeParameters.resolveWithTexts(given); return (.analyze(resolved.parameters), resolved.canonicalTexts)
        }
    }

    /// The upstream stage type of an input.
    public func producer(of input: StageInput) -> StageType { StageType(rawValue: input.producer)! }

    /// Whether this stage reads every upstream instance (analyze aggregates all runs) rather
    /// than one upstream instance per own instance.
    public var aggregatesInputs: Bool { inputs.contains { $0.repeated } }

    private static func declarations<C: StageContract>(of contract: C.Type) -> [ParameterDeclaration] {
        C.Parameters.declarations
    }
}

/// A stage instance's parameters as its contract resolved them: typed, so that the pipeline asks
/// a train's `epochs` or a split's ``SplitParameters/foldCount`` of the struct that declares them
/// (a renamed parameter does not compile instead of silently reading nothing).
public enum ResolvedParameters: Sendable, Equatable {
    case fetch(FetchParameters)
    case split(SplitParameters)
    case train(TrainParameters)
    case analyze(AnalyzeParameters)

    /// Each parameter's canonical text (``StageParameters/canonicalTexts``): what manifests
    /// record and the cache key hashes.
    public var canonicalTexts: [String: String] {
        switch self {
        case .fetch(let parameters): parameters.canonicalTexts
        case .split(let parameters): parameters.canonicalTexts
        case .train(let parameters): parameters.canonicalTexts
        case .analyze(let parameters): parameters.canonicalTexts
        }
    }

    /// The split stage's parameters, if these are a split's.
    public var split: SplitParameters? { if case .split(let parameters) = self { parameters } else { nil } }
    /// The train stage's parameters, if these are a train's.
    public var train: TrainParameters? { if case .train(let parameters) = self { parameters } else { nil } }
    /// The analyze stage's parameters, if these are an analyze's.
    public var analyze: AnalyzeParameters? { if case .analyze(let parameters) = self { parameters } else { nil } }
}
