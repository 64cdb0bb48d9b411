import Formats
import Foundation
import StageKit
import Yams

/// Reads Yams nodes with errors that carry the node's file, line and column.
struct NodeReader {
    let file: String
    /// The folder holding the pipeline file: relative paths written in it are resolved against
    /// it (nil: paths are kept as written).
    var folder: URL? = nil

    /// A mapping entry with its key text, key node (for errors about the key) and value.
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func fail(_ node: Node, _ message: String) -> PipelineError {
        .invalidFile(location(node), message)
    }

    /// Converts a Yams syntax error to a located pipeline error.
    func syntaxError(_ error: YamlError) -> PipelineError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { "\(problem) (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? problem
            return .invalidFile(SourceLocation(file: file, line: mark.line, column: mark.column), "YAML syntax error: \(detail)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return .invalidFile(SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                                "duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) in this mapping; keep one")
        default:
            return .invalidFile(SourceLocation(file: file, line: 1, column: 1), "YAML error: \(error)")
        }
    }

    /// The entries of a mapping node, in file order; keys must be plain strings. A YAML merge
    /// key (`<<: *defaults`, or `<<: [*a, *b]`) contributes the entries of the mappings it names
    /// first; keys written beside it win, then the mapping listed first.
    func mapping(_ node: Node, what: String) throws -> [Entry] {
        guard case let .mapping(mapping) = node else {
            throw fail(node, "\(what) must be a mapping (`key: value` lines), not \(describe(node))")
        }
        var merged: [Entry] = []
        var written: [Entry] = []
        for (key, value) in mapping {
            guard key.tag.rawValue == Tag.Name.merge.rawValue else {
                written.append(Entry(key: try scalar(key, what: "a key"), keyNode: key, value: value))
                continue
            }
            let sources: [Node]
            switch value {
            case .mapping: sources = [value]
            case let .sequence(sequence): sources = Array(sequence)
            default: throw fail(value, "the merge key `<<` takes a mapping (`<<: *name`) or a list of them, not \(describe(value))")
            }
            for source in sources {
                guard case .mapping = source else {
                    throw fail(source, "the merge key `<<` takes a mapping (`<<: *name`) or a list of them, not \(describe(source))")
                }
                merged += try self.mapping(source, what: "a mapping merged with `<<`")
            }
        }
        var seen = Set(written.map(\.key))
        return merged.filter { seen.insert($0.key).inserted } + written
    }

    /// The text of a scalar node; null and collections are errors.
    func scalar(_ node: Node, what: String) throws -> String {
        guard case let .scalar(scalar) = node else {
            throw fail(node, "\(what) must be a single value, not \(describe(node))")
        }
        if node.null != nil && scalar.style == .plain {
            throw fail(node, "\(what) has no value; write one after the colon")
        }
        return scalar.string
    }

    /// A scalar (one item) or a sequence of items.
    func scalarOrSequence(_ node: Node) throws -> [Node] {
        switch node {
        case .scalar: return [node]
        case let .sequence(sequence): return Array(sequence)
        default: throw fail(node, "expected a value or a list, not \(describe(node))")
        }
    }

    func rejectUnknownKeys(_ entries: [Entry], valid: [String], context: String) throws {
        for entry in entries where !valid.contains(entry.key) {
            throw fail(entry.keyNode, "unknown key `\(entry.key)` \(context); valid keys: \(valid.joined(separator: ", "))")
        }
    }

    /// Settings of a `with:` mapping (or a `defaults:` entry) for a stage of type `type`:
    /// nested mappings are flattened with `-` (`history: { dtype: uint8 }` is `history_dtype`),
    /// except under a `key=value` parameter, whose mapping gives its items; keys are converted
    /// to flags and each value checked against the contract's declaration (type, choices, range).
    func settings(_ node: Node, for type: StageType, stageName: String) throws -> [Setting] {
        var result: [Setting] = []
        func walk(_ node: Node, prefix: String) throws {
            for entry in try mapping(node, what: prefix.isEmpty ? "`with`" : "`\(prefix)`") {
                let flag = prefix.isEmpty ? flagName(entry.key) : prefix + "-" + flagName(entry.key)
                let key = flag.replacingOccurrences(of: "-", with: "_")
                if case .mapping = entry.value {
                    if let declaration = type.parameters.first(where: { $0.name == flag }), declaration.keyValue {
                        let items = try mapping(entry.value, what: "`\(key)`").map { "\($0.key)=\(try scalar($0.value, what: "`\(key): \($0.key)`"))" }
                        result.append(Setting(flag: flag, value: .list(items), location: location(entry.value)))
                    } else {
                        try walk(entry.value, prefix: flag)
                    }
                    continue
                }
                let declaration = try self.declaration(flag, key: key, keyNode: entry.keyNode, for: type, stageName: stageName, what: "parameter")
                let items = try declaration.isList ? scalarOrSequence(entry.value) : [entry.value]
                let words = try items.map { try scalar($0, what: "`\(entry.key)`") }
                try check(words, against: declaration, key: entry.key, node: entry.value)
                let resolved = declaration.path ? words.map(resolvePath) : words
                let value: SettingValue = declaration.isList && (isSequence(entry.value) || declaration.repeated) ? .list(resolved) : .scalar(resolved[0])
                result.append(Setting(flag: flag, value: value, location: location(entry.value)))
            }
        }
        try walk(node, prefix: "")
        return result
    }

    /// The values of one `matrix:` axis: a non-empty list of distinct values of the parameter.
    func matrixValues(_ axis: Entry, for type: StageType, stageName: String) throws -> [String] {
        let declaration = try self.declaration(flagName(axis.key), key: axis.key, keyNode: axis.keyNode, for: type, stageName: stageName,
                                               what: "matrix axis")
        guard case let .sequence(sequence) = axis.value, !sequence.isEmpty else {
            throw fail(axis.value, "matrix axis `\(axis.key)` must be a non-empty list, e.g. `\(axis.key): [a, b]`")
        }
        if sequence.count > PipelinePlan.instanceLimit {
            throw fail(axis.value, "matrix axis `\(axis.key)` has \(sequence.count) values, above the limit of \(PipelinePlan.instanceLimit) instances a plan may have; split the pipeline into several files")
        }
        var values: [String] = []
        var seen = Set<String>()
        for item in sequence {
            let text = try scalar(item, what: "a value of matrix axis `\(axis.key)`")
            try check([text], against: declaration, key: axis.key, node: item)
            if !seen.insert(text).inserted { throw fail(item, "`\(text)` appears twice in matrix axis `\(axis.key)`") }
            values.append(text)
        }
        return values
    }

    /// A path written in the pipeline file, resolved against the file's folder and given relative
    /// to the working folder (absolute when it lies outside it by more than `..` steps can say);
    /// absolute paths and URLs are kept.
    func resolvePath(_ text: String) -> String {
        guard let folder, !text.hasPrefix("/"), !text.contains("://"), !text.hasPrefix("file:") else { return text }
        let target = folder.appendingPathComponent(text).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.pathComponents
        let shared = zip(target, base).prefix { $0 == $1 }.count
        let steps = Array(repeating: "..", count: base.count - shared) + target.dropFirst(shared)
        return steps.isEmpty ? "." : steps.joined(separator: "/")
    }

    /// The contract's declaration of `flag`; folders wired by the pipeline and unknown names are errors.
    private func declaration(_ flag: String, key: String, keyNode: Node, for type: StageType, stageName: String,
                             what: String) throws -> ParameterDeclaration {
        if let input = type.inputs.first(where: { $0.name == flag }) {
            throw fail(keyNode, "`\(key)` is wired by the pipeline (the folder of the upstream \(input.producer) stage); remove it from stage `\(stageName)`")
        }
        if flag == "output" {
            throw fail(keyNode, "`output` is chosen by the pipeline (Artifacts/<pipeline>/<stage>/<instance>); remove it from stage `\(stageName)`")
        }
        guard let declaration = type.parameters.first(where: { $0.name == flag }) else {
            throw fail(keyNode, "unknown \(what) `\(key)` for a \(type.rawValue) stage; valid: \(type.parameters.map(\.yamlKey).joined(separator: ", "))")
        }
        return declaration
    }

    /// Checks words against a declaration; the error points at `node`.
    private func check(_ words: [String], against declaration: ParameterDeclaration, key: String, node: Node) throws {
        do {
            _ = try declaration.parse(words)
        } catch {
            throw fail(node, Self.message(error, key: key))
        }
    }

    /// A contract error in the pipeline file's terms (`lr` rather than `--lr`).
    static func message(_ error: ParameterError, key: String) -> String {
        switch error {
        case let .invalid(_, value, expected): return "`\(key)` must be \(expected), not `\(value)`"
        case let .conflict(_, reason): return "`\(key)`: \(reason)"
        default: return "`\(key)`: \(error)"
        }
    }

    private func isSequence(_ node: Node) -> Bool {
        if case .sequence = node { return true }
        return false
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): return "`\(scalar.string)`"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
