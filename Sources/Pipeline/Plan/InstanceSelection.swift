import OrderedCollections
import Foundation

/// A `--stage` argument: `NAME` or `NAME[key=value,…]`, resolved to instances of a plan.
public struct InstanceSelection: Equatable, Sendable {
    public var stage: String
    public var filters: [(key: String, value: String)]

    public static func == (a: Self, b: Self) -> Bool {
        a.stage == b.stage && a.filters.elementsEqual(b.filters) { $0.key == $1.key && $0.value == $1.value }
    }

    /// Parses `train` or `train[selector=uncertainty,fold=2]`.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "[") else {
            stage = trimmed
            filters = []
            return
        }
        guard trimmed.hasSuffix("]") else {
            throw PipelineError.unknownSelection("--stage '\(text)': missing `]`; write NAME[key=value,…]")
        }
        stage = String(trimmed[..<open])
        filters = try trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
            .split(separator: ",").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw PipelineError.unknownSelection("--stage '\(text)': `\(pair)` is not key=value")
                }
                return (parts[0], parts[1])
            }
    }

    /// The indices of matching instances; throws naming the valid stages, keys or values.
    public func resolve(in plan: PipelinePlan) throws -> [Int] {
        let candidates = plan.instances.indices.filter { plan.instances[$0].id.stage == stage }
        guard !candidates.isEmpty else {
            let names = plan.definition.stages.map(\.name).joined(separator: ", ")
            throw PipelineError.unknownSelection("--stage: no stage `\(stage)` in \(plan.definition.file); stages: \(names)")
        }
        var matches = candidates
        for filter in filters {
            let keys = plan.instances[candidates[0]].coordinates.keys
            guard keys.contains(filter.key) else {
                let valid = keys.isEmpty ? "it has no matrix" : "keys: " + keys.joined(separator: ", ")
                throw PipelineError.unknownSelection("--stage: stage `\(stage)` has no matrix key `\(filter.key)`; \(valid)")
            }
            let values = candidates.compactMap { plan.instances[$0].coordinates[filter.key] }
            guard values.contains(filter.value) else {
                var unique: [String] = []
                for value in values where !unique.contains(value) { unique.append(value) }
                throw PipelineError.unknownSelection("--stage: `\(filter.key)=\(filter.value)` matches no instance of `\(stage)`; values: \(unique.joined(separator: ", "))")
            }
            matches = matches.filter { plan.instances[$0].coordinates[filter.key] == filter.value }
        }
        return matches
    }
}
