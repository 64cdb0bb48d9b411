import Yams

/// Reads Yams nodes with errors that carry the node's file, line and column.
struct NodeReader {
    let file: String

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

    /// The entries of a mapping node, in file order; keys must be plain strings.
    func mapping(_ node: Node, what: String) throws -> [Entry] {
        guard case let .mapping(mapping) = node else {
            throw fail(node, "\(what) must be a mapping (`key: value` lines), not \(describe(node))")
        }
        return try mapping.map { key, value in
            Entry(key: try scalar(key, what: "a key"), keyNode: key, value: value)
        }
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

    /// Parameters of a `with:` mapping (or a `defaults:` entry) for a stage of type `type`:
    /// nested mappings are flattened with `-`, keys converted to flags, values type-checked.
    func parameters(_ node: Node, for type: StageType, stageName: String) throws -> [Parameter] {
        var result: [Parameter] = []
        func walk(_ node: Node, prefix: String) throws {
            for entry in try mapping(node, what: prefix.isEmpty ? "`with`" : "`\(prefix)`") {
                let flag = prefix.isEmpty ? flagName(entry.key) : prefix + "-" + flagName(entry.key)
                if case .mapping = entry.value {
                    try walk(entry.value, prefix: flag)
                    continue
                }
                if let input = type.inputs.first(where: { $0.flag == flag }) {
                    throw fail(entry.keyNode, "`\(entry.key)` is wired by the pipeline (the folder of the upstream \(input.type.rawValue) stage); remove it from stage `\(stageName)`")
                }
                if flag == "output" {
                    throw fail(entry.keyNode, "`output` is chosen by the pipeline (Artifacts/<pipeline>/<stage>/<instance>); remove it from stage `\(stageName)`")
                }
                guard let kind = type.kind(of: flag) else {
                    throw fail(entry.keyNode, "unknown parameter `\(entry.key)` for a \(type.rawValue) stage; valid: \(validKeys(type))")
                }
                result.append(Parameter(flag: flag, value: try value(entry.value, kind: kind, key: entry.key), location: location(entry.value)))
            }
        }
        try walk(node, prefix: "")
        return result
    }

    /// The values of one `matrix:` axis: a non-empty list of scalars of the parameter's kind.
    func matrixValues(_ axis: Entry, for type: StageType, stageName: String) throws -> [String] {
        let flag = flagName(axis.key)
        if type.inputs.contains(where: { $0.flag == flag }) || flag == "output" {
            throw fail(axis.keyNode, "`\(axis.key)` is wired by the pipeline and cannot be a matrix axis of stage `\(stageName)`")
        }
        guard let kind = type.kind(of: flag) else {
            throw fail(axis.keyNode, "unknown matrix axis `\(axis.key)` for a \(type.rawValue) stage; valid: \(validKeys(type))")
        }
        guard case let .sequence(sequence) = axis.value, !sequence.isEmpty else {
            throw fail(axis.value, "matrix axis `\(axis.key)` must be a non-empty list, e.g. `\(axis.key): [a, b]`")
        }
        var values: [String] = []
        for item in sequence {
            guard case let .scalar(text) = try value(item, kind: kind, key: axis.key) else {
                throw fail(item, "matrix values must be single values, not lists")
            }
            if values.contains(text) { throw fail(item, "`\(text)` appears twice in matrix axis `\(axis.key)`") }
            values.append(text)
        }
        return values
    }

    /// Checks a value node against a parameter kind and returns its text.
    func value(_ node: Node, kind: StageType.ValueKind, key: String) throws -> ParameterValue {
        switch kind {
        case .integerList:
            return .list(try scalarOrSequence(node).map { try integer($0, key: key) })
        case .numberList:
            return .list(try scalarOrSequence(node).map { item in
                let text = try scalar(item, what: "`\(key)`")
                guard Double(text) != nil else { throw fail(item, "`\(key)` must be a list of numbers; `\(text)` is not a number") }
                return text
            })
        case .repeatedText:
            let items = try scalarOrSequence(node).map { try scalar($0, what: "`\(key)`") }
            return items.count == 1 && !isSequence(node) ? .scalar(items[0]) : .list(items)
        default:
            let text = try scalar(node, what: "`\(key)`")
            switch kind {
            case .integer: return .scalar(try integer(node, key: key))
            case .number:
                guard Double(text) != nil else { throw fail(node, "`\(key)` must be a number, not `\(text)`") }
            case let .choice(choices):
                guard choices.contains(text) else {
                    throw fail(node, "`\(text)` is not a valid `\(key)`; valid: \(choices.joined(separator: ", "))")
                }
            case .text, .integerList, .numberList, .repeatedText: break
            }
            return .scalar(text)
        }
    }

    private func integer(_ node: Node, key: String) throws -> String {
        let text = try scalar(node, what: "`\(key)`")
        guard Int(text) != nil else { throw fail(node, "`\(key)` must be an integer, not `\(text)`") }
        return text
    }

    private func isSequence(_ node: Node) -> Bool {
        if case .sequence = node { return true }
        return false
    }

    private func validKeys(_ type: StageType) -> String {
        type.parameters.map { $0.flag.replacingOccurrences(of: "-", with: "_") }.joined(separator: ", ")
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
