import Foundation
import StageKit

/// The most a train run's history arrays may take on disk (`history_budget`): a size with a
/// decimal unit (`500MB`, `2GB`, `1.5GB`: 1 GB = 10⁹ bytes) or `unlimited`. ``HistoryPlan``
/// thins the history to fit.
public enum HistoryBudget: Sendable, Hashable {
    case bytes(Int64)
    case unlimited

    /// The budget of a run that states none: 2 GB.
    public static let standard = HistoryBudget.bytes(2_000_000_000)

    /// Decimal units, largest first: the canonical text uses the largest that divides the size.
    static let units: [(suffix: String, bytes: Int64)] = [("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("B", 1)]
}

extension HistoryBudget: ScalarParameterValue, ParameterValue {
    public static var valueDescription: String { "a size such as 500MB or 2GB, or unlimited" }

    public init?(parameterText: String) {
        let text = parameterText.trimmingCharacters(in: .whitespaces)
        if text == "unlimited" { self = .unlimited; return }
        guard let unit = Self.units.first(where: { text.uppercased().hasSuffix($0.suffix) }),
              let number = Double(text.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)),
              number.isFinite, number > 0, number * Double(unit.bytes) < 9e18 else { return nil }
        let bytes = Int64((number * Double(unit.bytes)).rounded())
        guard bytes >= 1 else { return nil }
        self = .bytes(bytes)
    }

    public var parameterText: String {
        switch self {
        case .unlimited: return "unlimited"
        case .bytes(let bytes):
            let unit = Self.units.first { bytes % $0.bytes == 0 }!
            return "\(bytes / unit.bytes)\(unit.suffix)"
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = HistoryBudget(parameterText: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not \(Self.valueDescription)")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(parameterText)
    }
}

// `history_budget` is absent from `run.json` unless a run states it, so the run.json of every run
// that states none is byte for byte what it was before the parameter existed, and run.json files
// written before it are still read. (Synthesized Codable of ``TrainParameters`` picks these
// overloads for this one parameter; every other absent optional is written as null.)
extension KeyedEncodingContainer {
    public mutating func encode(_ value: Parameter<HistoryBudget?>, forKey key: Key) throws {
        if let budget = value.wrappedValue { try encode(budget, forKey: key) }
    }
}

extension KeyedDecodingContainer {
    public func decode(_ type: Parameter<HistoryBudget?>.Type, forKey key: Key) throws -> Parameter<HistoryBudget?> {
        guard contains(key) else { return Parameter(wrappedValue: nil, help: "") }
        return try decodeValue(type, forKey: key)
    }

    /// The container's own decoding (a generic call does not pick the overload above).
    private func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decode(type, forKey: key) }
}
