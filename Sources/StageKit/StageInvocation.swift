import Foundation

/// A parsed stage command line: typed parameters, input folders and the output folder.
public struct StageInvocation<Contract: StageContract>: Sendable {
    public var parameters: Contract.Parameters
    /// Input folders by input name; repeated inputs keep every folder in order.
    public var inputs: [String: [URL]]
    public var output: URL
    /// The words as given (recorded in the manifest as the command that reproduces the folder).
    public var command: [String]

    public init(parameters: Contract.Parameters, inputs: [String: [URL]], output: URL, command: [String]) {
        self.parameters = parameters
        self.inputs = inputs
        self.output = output
        self.command = command
    }

    /// The single folder of input `name` (contracts guarantee one for non-repeated inputs).
    public func input(_ name: String) -> URL { inputs[name]![0] }

    /// Parses `--name value` / `--name=value` words. Inputs and `--output` are folders;
    /// everything else is a parameter of the contract. Each word after a non-boolean flag is
    /// its value, so negative numbers need no `=`.
    public static func parse(_ words: [String], command: [String]) throws(ParameterError) -> Self {
        var given: [String: [String]] = [:]
        var folders: [String: [String]] = [:]
        var output: String?
        let folderNames = ["output"] + Contract.inputs.map(\.name)
        for (name, value) in try Contract.Parameters.flagValues(words, folders: folderNames) {
            if name == "output" {
                guard output == nil else { throw .repeated("--output") }
                output = value
            } else if let input = Contract.inputs.first(where: { $0.name == name }) {
                if !input.repeated, folders[name] != nil { throw .repeated("--\(name)") }
                folders[name, default: []].append(value)
            } else {
                if Contract.Parameters.declaration(named: name)?.isList == false, given[name] != nil { throw .repeated("--\(name)") }
                given[name, default: []].append(value)
            }
        }
        guard let output, !output.isEmpty else { throw .missing("--output") }
        for input in Contract.inputs where folders[input.name] == nil {
            throw .missing("--\(input.name)")
        }
        let parameters: Contract.Parameters
        do {
            parameters = try Contract.Parameters.resolve(given)
        } catch {
            throw error.prefixingFlag
        }
        return StageInvocation(parameters: parameters,
                               inputs: folders.mapValues { $0.map { URL(fileURLWithPath: $0) } },
                               output: URL(fileURLWithPath: output), command: command)
    }

    /// `train --dataset <dir> --split <dir> --output <dir> [--<parameter>=<value> …]`.
    public static var usage: String {
        let folders = Contract.inputs.map { "--\($0.name) <dir>" + ($0.repeated ? " …" : "") } + ["--output <dir>"]
        return "\(Contract.name) " + folders.joined(separator: " ") + " [--<parameter>=<value> …]"
    }

    /// `--help` text: usage, inputs, output, and one entry per parameter with its default,
    /// valid values and help.
    public static var helpText: String {
        var lines = ["USAGE: \(usage)", "", Contract.summary, ""]
        if !Contract.discussion.isEmpty { lines += [Contract.discussion, ""] }
        lines.append("FOLDERS:")
        for input in Contract.inputs {
            lines.append(entry("--\(input.name) <dir>", input.help + (input.repeated ? " (repeatable)" : "")))
        }
        lines.append(entry("--output <dir>", "Output folder: " + Contract.outputs.map(\.name).joined(separator: ", ") + ", manifest.json (last)."))
        lines += ["", "PARAMETERS:"]
        for declaration in Contract.Parameters.declarations {
            var text = declaration.help
            if let choices = declaration.choices, choices != ["true", "false"] {
                text += " One of: \(choices.joined(separator: ", "))."
            } else if let range = declaration.range {
                text += " Valid: \(range)."
            }
            if declaration.repeated { text += " Repeatable." }
            if declaration.required { text += " Required." } else if let value = declaration.defaultText { text += " Default: \(value)." }
            lines.append(entry("--\(declaration.name) <\(declaration.isList ? "list" : "value")>", text))
        }
        lines += ["", "Exit status: 0 success, 1 runtime error (message on stderr), 64 bad arguments."]
        return lines.joined(separator: "\n")
    }

    private static func entry(_ flag: String, _ help: String) -> String {
        let padded = "  " + flag.padding(toLength: max(flag.count, 30), withPad: " ", startingAt: 0)
        return padded + "  " + help
    }
}

extension ParameterError {
    /// The same error naming the command-line flag (`--lr`) instead of the bare name.
    public var prefixingFlag: ParameterError {
        switch self {
        case let .unknown(name, valid): return .unknown("--" + name, valid: valid.map { "--" + $0 })
        case let .invalid(name, value, expected): return .invalid("--" + name, value: value, expected: expected)
        case let .missing(name): return .missing("--" + name)
        case let .repeated(name): return .repeated("--" + name)
        case let .conflict(name, reason): return .conflict("--" + name, reason: reason)
        }
    }
}
