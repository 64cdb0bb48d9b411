import StageKit
import OrderedCollections
import Collections
import Formats
import Foundation
import Yams

/// Reads pipeline files (YAML) into a validated ``PipelineDefinition``.
///
/// Every error names the file, line and column of the offending node and lists what is valid:
/// unknown keys, unknown stage types, unknown parameters or values, `needs` naming a stage that
/// does not exist, cycles, missing upstream stages and wrong value types.
public enum PipelineParser {
    static let topLevelKeys = ["name", "description", "seed", "defaults", "executor", "stages"]
    static let stageKeys = ["uses", "needs", "with", "matrix"]

    /// Reads and validates the pipeline file at `url`.
    /// `displayPath` names the file in error messages (default: its path).
    public static func parse(contentsOf url: URL, displayPath: String? = nil) throws -> PipelineDefinition {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw PipelineError.io(path: url.path, reason: "cannot read the pipeline file; check the path (pipelines live in Pipelines/)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError.io(path: url.path, reason: "not UTF-8 text")
        }
        let stem = url.deletingPathExtension().lastPathComponent
        var definition = try parse(yaml: text, file: displayPath ?? url.path, defaultName: stem, folder: url.deletingLastPathComponent())
        definition.source = url.standardizedFileURL.path
        return definition
    }

    /// Parses pipeline YAML; `file` is used in error messages, `defaultName` when `name:` is absent.
    /// Relative paths in path parameters (fetch's `mirror`, `url`, `catalog`, `cache`) are
    /// resolved against `folder`, the folder holding the file (nil: kept as written).
    public static func parse(yaml: String, file: String, defaultName: String = "pipeline", folder: URL? = nil) throws -> PipelineDefinition {
        let reader = NodeReader(file: file, folder: folder)
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw PipelineError.invalidFile(SourceLocation(file: file, line: 1, column: 1),
                                                "the pipeline file is empty; it needs at least `stages:`")
            }
            root = composed
        } catch let error as YamlError {
            throw reader.syntaxError(error)
        }
        let top = try reader.mapping(root, what: "the pipeline file")
        try reader.rejectUnknownKeys(top, valid: topLevelKeys, context: "at the top level")

        var name = defaultName
        if let entry = top.first(where: { $0.key == "name" }) {
            name = try reader.scalar(entry.value, what: "`name`")
            if let problem = nameProblem(name) {
                throw reader.fail(entry.value, "pipeline name `\(name)` \(problem) (it names the folder Artifacts/<name>)")
            }
        }
        var seed: Setting?
        if let entry = top.first(where: { $0.key == "seed" }) {
            let text = try reader.scalar(entry.value, what: "`seed`")
            guard Int(text) != nil else { throw reader.fail(entry.value, "`seed` must be an integer, not `\(text)`") }
            seed = Setting(flag: "seed", value: .scalar(text), location: reader.location(entry.value))
        }
        var defaults: [StageType: [Setting]] = [:]
        if let entry = top.first(where: { $0.key == "defaults" }) {
            for item in try reader.mapping(entry.value, what: "`defaults`") {
                guard let type = StageType(rawValue: item.key) else {
                    throw reader.fail(item.keyNode, "unknown stage type `\(item.key)` under `defaults`; valid: \(StageType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                defaults[type] = try reader.settings(item.value, for: type, stageName: "defaults.\(item.key)")
            }
        }
        let executor = try top.first(where: { $0.key == "executor" }).map { try reader.executorSettings($0.value) } ?? ExecutorSettings()
        guard let stagesEntry = top.first(where: { $0.key == "stages" }) else {
            throw reader.fail(root, "the pipeline has no `stages:`; add a mapping of stage names to { uses, needs, with, matrix }")
        }
        let stageEntries = try reader.mapping(stagesEntry.value, what: "`stages`")
        guard !stageEntries.isEmpty else { throw reader.fail(stagesEntry.value, "`stages` is empty; define at least one stage") }
        if stageEntries.count > PipelinePlan.instanceLimit {
            throw reader.fail(stagesEntry.value, "`stages` defines \(stageEntries.count) stages, above the limit of \(PipelinePlan.instanceLimit) instances a plan may have; split the pipeline into several files")
        }

        var stages: [StageDefinition] = []
        var needNodes: [String: [(name: String, node: Node)]] = [:]
        var usesNodes: [String: Node] = [:]
        for entry in stageEntries {
            if let problem = nameProblem(entry.key) {
                throw reader.fail(entry.keyNode, "stage name `\(entry.key)` \(problem) (it names the folder Artifacts/<pipeline>/<stage>)")
            }
            let body = try reader.mapping(entry.value, what: "stage `\(entry.key)`")
            try reader.rejectUnknownKeys(body, valid: stageKeys, context: "in stage `\(entry.key)`")
            guard let usesEntry = body.first(where: { $0.key == "uses" }) else {
                throw reader.fail(entry.keyNode, "stage `\(entry.key)` has no `uses:`; add one of \(StageType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let usesText = try reader.scalar(usesEntry.value, what: "`uses`")
            guard let type = StageType(rawValue: usesText) else {
                throw reader.fail(usesEntry.value, "unknown stage type `\(usesText)`; valid: \(StageType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            usesNodes[entry.key] = usesEntry.value
            var needs: [(name: String, node: Node)] = []
            if let needsEntry = body.first(where: { $0.key == "needs" }) {
                for node in try reader.scalarOrSequence(needsEntry.value) {
                    needs.append((try reader.scalar(node, what: "a `needs` entry"), node))
                }
            }
            needNodes[entry.key] = needs

            var parameters = OrderedDictionary<String, Setting>()
            for parameter in defaults[type] ?? [] { parameters[parameter.flag] = parameter }
            var withFlags = Set<String>()
            if let withEntry = body.first(where: { $0.key == "with" }) {
                for parameter in try reader.settings(withEntry.value, for: type, stageName: entry.key) {
                    parameters[parameter.flag] = parameter
                    withFlags.insert(parameter.flag)
                }
            }
            var matrix = OrderedDictionary<String, [String]>()
            var matrixLocations: [String: SourceLocation] = [:]
            if let matrixEntry = body.first(where: { $0.key == "matrix" }) {
                for axis in try reader.mapping(matrixEntry.value, what: "`matrix`") {
                    let flag = flagName(axis.key)
                    let values = try reader.matrixValues(axis, for: type, stageName: entry.key)
                    if withFlags.contains(flag) {
                        throw reader.fail(axis.keyNode, "`\(axis.key)` is set both in `with` and in `matrix` of stage `\(entry.key)`; keep one")
                    }
                    parameters.removeValue(forKey: flag)
                    matrix[axis.key] = values
                    matrixLocations[flag] = reader.location(axis.keyNode)
                }
            }
            let takesSeed = type.parameters.contains { $0.name == "seed" }
            if takesSeed, let seed, parameters["seed"] == nil, !matrix.keys.contains(where: { flagName($0) == "seed" }) {
                parameters["seed"] = seed
            }
            for required in type.parameters.filter(\.required).map(\.name)
            where parameters[required] == nil && !matrix.keys.contains(where: { flagName($0) == required }) {
                throw reader.fail(entry.keyNode, "stage `\(entry.key)` (\(type.rawValue)) needs `\(required)`: set it under `with:` or as a `matrix:` axis")
            }
            stages.append(StageDefinition(name: entry.key, uses: type, needs: needs.map(\.name), settings: parameters,
                                          matrix: matrix, matrixLocations: matrixLocations, location: reader.location(entry.keyNode)))
        }

        let names = stages.map(\.name)
        let defined = Set(names)
        for stage in stages {
            for need in needNodes[stage.name] ?? [] where !defined.contains(need.name) {
                throw reader.fail(need.node, "stage `\(stage.name)` needs `\(need.name)`, which is not defined; stages: \(names.joined(separator: ", "))")
            }
        }
        try checkAcyclic(stages, needNodes: needNodes, reader: reader)
        let definition = PipelineDefinition(name: name, seed: seed?.value.words.first, stages: stages, file: file, executor: executor)
        try checkInputs(definition, usesNodes: usesNodes, reader: reader)
        return definition
    }

    /// Throws at the `needs` entry that closes a cycle, naming the whole cycle. A depth-first
    /// walk with its own stack (a long `needs` chain cannot overflow the call stack); O(stages + needs).
    static func checkAcyclic(_ stages: [StageDefinition], needNodes: [String: [(name: String, node: Node)]], reader: NodeReader) throws {
        var finished = Set<String>()
        for stage in stages where !finished.contains(stage.name) {
            // The stages being visited (outermost first), each with the next of its needs to follow.
            var path: [(name: String, next: Int)] = [(stage.name, 0)]
            var position = [stage.name: 0]
            while let (name, next) = path.last {
                let needs = needNodes[name] ?? []
                guard next < needs.count else {
                    path.removeLast()
                    position[name] = nil
                    finished.insert(name)
                    continue
                }
                path[path.count - 1].next += 1
                let need = needs[next]
                if let start = position[need.name] {
                    let cycle = (path[start...].map(\.name) + [need.name]).joined(separator: " → ")
                    throw reader.fail(need.node, "cycle in `needs`: \(cycle); a stage cannot depend on itself, remove one of these needs")
                }
                if finished.contains(need.name) { continue }
                position[need.name] = path.count
                path.append((need.name, 0))
            }
        }
    }

    /// Every stage must have the upstream stages its type reads (split needs a fetch, …).
    ///
    /// Each stage's upstream stages of each type are collected from those of its needs, in
    /// topological order, keeping at most three (enough to tell none, one and several apart),
    /// so the check is linear in the stages and needs.
    static func checkInputs(_ definition: PipelineDefinition, usesNodes: [String: Node], reader: NodeReader) throws {
        let kept = 3
        let order = Dictionary(definition.stages.enumerated().map { ($1.name, $0) }) { first, _ in first }
        let types = Dictionary(definition.stages.map { ($0.name, $0.uses) }) { first, _ in first }
        let stagesOfType = Dictionary(grouping: definition.stages.map(\.name)) { types[$0]! }
        var upstream: [String: [StageType: [String]]] = [:]
        for stage in definition.topologicalOrder {
            var found: [StageType: [String]] = [:]
            func add(_ name: String, _ type: StageType) {
                let names = found[type, default: []]
                if names.count < kept, !names.contains(name) { found[type] = names + [name] }
            }
            for need in stage.needs {
                add(need, types[need]!)
                for (type, names) in upstream[need] ?? [:] { names.forEach { add($0, type) } }
            }
            upstream[stage.name] = found
            for input in stage.uses.inputs {
                let producer = stage.uses.producer(of: input)
                let providers = (found[producer] ?? []).sorted { order[$0]! < order[$1]! }
                let candidates = stagesOfType[producer] ?? []
                let node = usesNodes[stage.name]!
                if providers.isEmpty {
                    let hint = candidates.isEmpty ? "add a stage with `uses: \(producer.rawValue)`" : "add one of \(candidates.joined(separator: ", ")) to its `needs`"
                    throw reader.fail(node, "stage `\(stage.name)` (\(stage.uses.rawValue)) reads a \(producer.rawValue) stage, but none is upstream of it: \(hint)")
                }
                if providers.count > 1, !stage.uses.aggregatesInputs {
                    let count = providers.count < kept ? "\(providers.count) are" : "\(kept) or more are"
                    let list = providers.joined(separator: ", ") + (providers.count < kept ? "" : ", …")
                    throw reader.fail(node, "stage `\(stage.name)` (\(stage.uses.rawValue)) reads one \(producer.rawValue) stage, but \(count) upstream (\(list)); keep one in its `needs` chain")
                }
            }
        }
    }

    /// What is wrong with a pipeline or stage name, which names a folder: nil for a name of
    /// letters, digits, `.`, `_` and `-` that does not start with `.`.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty; write a name" }
        if let bad = name.unicodeScalars.first(where: { !($0.isASCII && CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }) {
            return "holds \(bad == " " ? "a space" : "`\(bad)`"); use only letters, digits, `.`, `_` and `-`"
        }
        if name.hasPrefix(".") {
            return name == "." || name == ".." ? "is the folder itself or the one above it, not a name of its own; start the name with a letter or digit"
                                               : "starts with `.`, which hides the folder; start it with a letter or digit"
        }
        return nil
    }
}
