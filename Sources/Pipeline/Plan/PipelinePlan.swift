import StageKit
import OrderedCollections
import Collections
import Formats
import Foundation

/// Names one stage instance: its stage and its matrix coordinates, e.g. `train/selector=random,fold=0`.
public struct InstanceID: Hashable, Sendable, CustomStringConvertible {
    public var stage: String
    /// The coordinates rendered `key=value,…` (or `default` for a stage without a matrix);
    /// also the instance's folder name after escaping.
    public var name: String

    public var description: String { "\(stage)/\(name)" }
}

/// One concrete run of a stage: a point of its matrix combined with one upstream instance of
/// each stage it needs.
public struct StageInstance: Sendable {
    public var id: InstanceID
    public var type: StageType
    /// Matrix values that identify this instance (own axes and those inherited from upstream).
    public var coordinates: OrderedDictionary<String, String>
    /// Settings passed to the stage (`with:` and `defaults:` values, own matrix values, the seed).
    public var settings: [Setting]
    /// Every parameter of the stage as its contract resolves these settings (defaults included):
    /// the typed values the plan and the runner read.
    public var parameters: ResolvedParameters
    /// The canonical texts of ``parameters``: what the cache key hashes.
    public var resolvedParameters: [String: String]
    /// Indices (in ``PipelinePlan/instances``) of the instances this one directly depends on.
    public var upstream: [Int]
    /// Upstream folders passed as inputs: input name (`dataset`, `split`, `runs`) and instance index.
    public var inputs: [(flag: String, instance: Int)]
    /// The folder below `Artifacts/<pipeline>/`: `<stage>/<escaped name>`.
    public var folder: String
}

/// The expansion of a pipeline into stage instances, in an order where every instance comes
/// after the instances it depends on.
///
/// Matrix rules: a stage's instances are the product of its own `matrix:` and one instance of
/// each stage it needs, keeping only combinations whose shared matrix keys agree (so a split
/// per dataset pairs with the fetch of that dataset). A stage that aggregates (analyze) has
/// one instance per point of its own matrix and reads every compatible upstream instance.
///
/// Every instance's settings are checked against its stage's contract when the plan is built,
/// before anything runs: types, choices, ranges and combinations (e.g. warm-up below epochs),
/// and facts across stages (a train fold the split makes, drift epochs the train runs reach).
public struct PipelinePlan: Sendable {
    public var definition: PipelineDefinition
    public var instances: [StageInstance]

    /// The most instances a plan may have: each is a folder and a process, so more is a matrix
    /// written by mistake (a plan of this size is made in seconds; docs/reliability.md).
    public static let instanceLimit = 100_000

    public init(_ definition: PipelineDefinition) throws {
        self.definition = definition
        instances = []
        var byStage: [String: [Int]] = [:]
        for stage in definition.topologicalOrder {
            let pointCount = stage.matrix.values.reduce(1) { product, values in
                let (next, overflow) = product.multipliedReportingOverflow(by: values.count)
                return overflow ? Int.max : next
            }
            if pointCount > Self.instanceLimit {
                throw PipelineError.invalidFile(stage.location, "the matrix of stage `\(stage.name)` has \(pointCount == Int.max ? "more than \(Int.max)" : "\(pointCount)") "
                    + "points, above the limit of \(Self.instanceLimit) instances a plan may have; shrink the matrix or split the pipeline into several files")
            }
            let points = Self.matrixPoints(stage.matrix)
            var combinations: [(coordinates: OrderedDictionary<String, String>, upstream: [Int])] = []
            if stage.uses.aggregatesInputs {
                for point in points {
                    let upstream = stage.needs.flatMap { byStage[$0] ?? [] }.filter { Self.compatible(point, instances[$0].coordinates) }
                    combinations.append((point, upstream))
                }
            } else {
                combinations = [([:], [])]
                for need in stage.needs {
                    combinations = combinations.flatMap { combination in
                        (byStage[need] ?? []).compactMap { index -> (OrderedDictionary<String, String>, [Int])? in
                            let other = instances[index].coordinates
                            guard Self.compatible(combination.coordinates, other) else { return nil }
                            return (combination.coordinates.merging(other) { first, _ in first }, combination.upstream + [index])
                        }
                    }
                }
                combinations = combinations.flatMap { combination in
                    points.compactMap { point in
                        guard Self.compatible(combination.coordinates, point) else { return nil }
                        return (combination.coordinates.merging(point) { first, _ in first }, combination.upstream)
                    }
                }
            }
            if instances.count + combinations.count > Self.instanceLimit {
                throw PipelineError.invalidFile(stage.location, "the plan reaches \(instances.count + combinations.count) instances at stage `\(stage.name)` "
                    + "(\(combinations.count) of its own), above the limit of \(Self.instanceLimit); shrink the matrices or split the pipeline into several files")
            }
            for combination in combinations {
                let index = instances.count
                let name = combination.coordinates.isEmpty ? "default"
                    : combination.coordinates.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                var settings = Array(stage.settings.values)
                for (axis, _) in stage.matrix {
                    settings.append(Setting(flag: flagName(axis), value: .scalar(combination.coordinates[axis]!),
                                            location: stage.matrixLocations[flagName(axis)]))
                }
                let inputs = stage.uses.inputs.flatMap { input in
                    ancestors(of: combination.upstream).filter { instances[$0].type == stage.uses.producer(of: input) }.map { (input.name, $0) }
                }
                let id = InstanceID(stage: stage.name, name: name)
                let resolved = try Self.resolve(settings, of: stage, id: id)
                instances.append(StageInstance(
                    id: id, type: stage.uses, coordinates: combination.coordinates, settings: settings, parameters: resolved.parameters,
                    resolvedParameters: resolved.canonicalTexts,
                    upstream: combination.upstream, inputs: inputs, folder: stage.name + "/" + Self.folderName(name)))
                try checkFold(of: instances.count - 1, stage: stage)
                try checkDriftEpochs(of: instances.count - 1, stage: stage)
                byStage[stage.name, default: []].append(index)
            }
        }
    }

    /// The instances that `roots` depend on, transitively, including `roots`, in plan order.
    public func ancestors(of roots: [Int]) -> [Int] {
        var seen = Set<Int>()
        var queue = roots
        while let next = queue.popLast() {
            if seen.insert(next).inserted { queue.append(contentsOf: instances[next].upstream) }
        }
        return seen.sorted()
    }

    /// The instances that depend on any of `roots`, transitively, not including `roots`.
    public func descendants(of roots: Set<Int>) -> Set<Int> {
        var result = Set<Int>()
        for index in instances.indices where !roots.contains(index) {
            if instances[index].upstream.contains(where: { roots.contains($0) || result.contains($0) }) {
                result.insert(index)
            }
        }
        return result
    }

    /// The command-line arguments of instance `index` after the stage type word, with
    /// folders below `root` (the pipeline's artifact folder).
    public func arguments(of index: Int, root: String) -> [String] {
        let instance = instances[index]
        var arguments = ["--output", root + "/" + instance.folder]
        for input in instance.inputs {
            arguments += ["--\(input.flag)", root + "/" + instances[input.instance].folder]
        }
        let repeated = Set(instance.type.parameters.filter(\.repeated).map(\.name))
        for setting in instance.settings {
            arguments += setting.arguments(repeated: repeated.contains(setting.flag))
        }
        return arguments
    }

    /// The index of the instance with this id, if any.
    public func index(of id: InstanceID) -> Int? {
        instances.firstIndex { $0.id == id }
    }

    /// Resolves an instance's settings with its stage's contract; an error points at the
    /// setting it names (or at the stage).
    static func resolve(_ settings: [Setting], of stage: StageDefinition, id: InstanceID) throws -> (parameters: ResolvedParameters, canonicalTexts: [String: String]) {
        var given: [String: [String]] = [:]
        for setting in settings { given[setting.flag] = setting.value.words }
        do {
            return try stage.uses.resolveWithTexts(given)
        } catch {
            let setting = settings.first { $0.flag == error.name }
            let key = error.name.replacingOccurrences(of: "-", with: "_")
            throw PipelineError.invalidFile(setting?.location ?? stage.location,
                                            "\(NodeReader.message(error, key: key)) (stage `\(stage.name)`, instance \(id.name))")
        }
    }

    /// A train instance's `fold` must exist in the split it reads.
    private func checkFold(of index: Int, stage: StageDefinition) throws {
        let instance = instances[index]
        guard let fold = instance.parameters.train?.fold,
              let split = instance.inputs.first(where: { instances[$0.instance].type == .split }).map({ instances[$0.instance] }),
              let folds = split.parameters.split?.foldCount, fold >= folds else { return }
        let location = instance.settings.first { $0.flag == "fold" }?.location ?? stage.location
        throw PipelineError.invalidFile(location, "`fold` \(fold) does not exist: split `\(split.id)` makes folds 0…\(folds - 1) (stage `\(stage.name)`, instance \(instance.id.name))")
    }

    /// An analyze instance's `drift_epochs` must lie within the epochs of every train instance it reads.
    private func checkDriftEpochs(of index: Int, stage: StageDefinition) throws {
        let instance = instances[index]
        guard let latest = instance.parameters.analyze?.driftEpochs.max() else { return }
        for input in instance.inputs {
            let train = instances[input.instance]
            guard let epochs = train.parameters.train?.epochs, latest > epochs else { continue }
            let location = instance.settings.first { $0.flag == "drift-epochs" }?.location ?? stage.location
            throw PipelineError.invalidFile(location, "`drift_epochs` reaches epoch \(latest), but train instance `\(train.id)` runs \(epochs) epochs; "
                                            + "choose drift epochs within 1…\(epochs) (stage `\(stage.name)`, instance \(instance.id.name))")
        }
    }

    /// Every combination of matrix values (one empty point when there is no matrix).
    static func matrixPoints(_ matrix: OrderedDictionary<String, [String]>) -> [OrderedDictionary<String, String>] {
        var points: [OrderedDictionary<String, String>] = [[:]]
        for (axis, values) in matrix {
            points = points.flatMap { point in
                values.map { value in
                    var extended = point
                    extended[axis] = value
                    return extended
                }
            }
        }
        return points
    }

    static func compatible(_ a: OrderedDictionary<String, String>, _ b: OrderedDictionary<String, String>) -> Bool {
        a.allSatisfy { key, value in b[key].map { $0 == value } ?? true }
    }

    /// A folder name for an instance name: characters outside `[A-Za-z0-9._=,+-]` are
    /// percent-encoded, so values with `/` or spaces cannot escape the stage folder.
    static func folderName(_ name: String) -> String {
        var result = ""
        for byte in name.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 128, CharacterSet.alphanumerics.contains(scalar) || "._=,+-".unicodeScalars.contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result.hasPrefix(".") ? "%2E" + result.dropFirst() : result
    }
}
