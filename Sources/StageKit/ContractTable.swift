import Foundation

/// A stage contract as a Markdown table (docs/parameters.md is this output):
/// one row per parameter with its pipeline key, command-line flag, what it accepts, its default
/// and its help, then the stage's input folders and outputs.
public enum ContractTable {
    public static func markdown<Contract: StageContract>(_ contract: Contract.Type) -> String {
        var lines = ["#### \(Contract.name)", "", Contract.summary, "",
                     "| key (`with:`) | flag | accepts | default | meaning |", "|---|---|---|---|---|"]
        for declaration in Contract.Parameters.declarations {
            var accepts = declaration.expectation
            if declaration.repeated { accepts += ", repeatable" }
            let defaultText = declaration.required ? "required" : declaration.defaultText.map { "`\($0)`" } ?? "–"
            lines.append("| `\(declaration.yamlKey)` | `--\(declaration.name)` | \(escape(accepts)) | \(escape(defaultText)) | \(escape(declaration.help)) |")
        }
        lines.append("")
        if !Contract.inputs.isEmpty {
            lines.append("Inputs (wired by the pipeline): " + Contract.inputs.map { "`--\($0.name)` (\($0.producer)\($0.repeated ? ", every instance" : ""))" }
                .joined(separator: ", ") + ".")
        }
        lines.append("Outputs: " + Contract.outputs.map { "`\($0.name)`" + ($0.digested ? "" : " (not digested)") }.joined(separator: ", ")
                     + ", `manifest.json` (last).")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
