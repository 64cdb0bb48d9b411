import Collections
import Formats

/// A parsed and validated pipeline file.
public struct PipelineDefinition: Sendable {
    /// The pipeline name: `name:` or the file name without extension. Names the artifact folder.
    public var name: String
    /// The pipeline seed, passed as `--seed` to stages that take one (unless `with:` sets it).
    public var seed: String?
    /// Stages in file order.
    public var stages: [StageDefinition]
    /// The file it was read from, as messages name it.
    public var file: String
    /// The file's absolute path (nil for YAML parsed from a string).
    public var source: String?
    /// The `executor:` block (where instances run; never part of a cache key).
    public var executor = ExecutorSettings()

    /// The stage named `name`, if any.
    public func stage(named name: String) -> StageDefinition? {
        stages.first { $0.name == name }
    }

    /// Stage names in an order where every stage comes after the stages it needs
    /// (file order among independent stages). Validation guarantees there is no cycle.
    public var topologicalOrder: [StageDefinition] {
        var placed = Set<String>()
        var order: [StageDefinition] = []
        while order.count < stages.count {
            for stage in stages where !placed.contains(stage.name) && stage.needs.allSatisfy(placed.contains) {
                placed.insert(stage.name)
                order.append(stage)
            }
        }
        return order
    }
}

/// One entry under `stages:`.
public struct StageDefinition: Sendable {
    public var name: String
    public var uses: StageType
    /// Names of the stages this stage needs (direct dependencies).
    public var needs: [String]
    /// Settings (pipeline defaults, then `with:`, then the seed), keyed by flag.
    public var settings: OrderedDictionary<String, Setting>
    /// Matrix axes, keyed by the YAML key (e.g. `selector`, `fold`), each with its values.
    public var matrix: OrderedDictionary<String, [String]>
    /// Where each matrix axis is written, keyed by flag.
    public var matrixLocations: [String: SourceLocation]
    /// Where the stage is defined (its key under `stages:`).
    public var location: SourceLocation
}
