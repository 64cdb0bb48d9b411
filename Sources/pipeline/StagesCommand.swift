import ArgumentParser
import Formats
import Models
import StageKit

/// `pipeline stages`: every stage's parameters, inputs and outputs, and each model's
/// hyper-parameters, derived from their declarations (the README's reference is this output).
struct StagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages",
        abstract: "List every stage's parameters (with: keys and flags), inputs and outputs, and the models' hyper-parameters.")

    func run() {
        print(Self.reference)
    }

    /// The Markdown reference: one table per stage type, then one per model.
    static var reference: String {
        var text = ContractTable.markdown(FetchContract.self) + "\n" + ContractTable.markdown(SplitContract.self) + "\n"
            + ContractTable.markdown(TrainContract.self) + "\n" + ContractTable.markdown(AnalyzeContract.self) + "\n"
        text += "#### Model hyper-parameters (train `model_param: [key=value, …]`)\n\n| model | key | default |\n|---|---|---|\n"
        for kind in ModelKind.allCases {
            let defaults = ModelFactory.defaults(of: kind), derived = ModelFactory.derivedDefaults(of: kind), choices = ModelFactory.choices(of: kind)
            let notes = ModelFactory.defaultNotes(of: kind)
            for key in Set(defaults.keys).union(derived.keys).sorted() {
                let value: String
                if let names = choices[key], let index = defaults[key].map(Int.init), names.indices.contains(index) {
                    value = "`\(names[index])` (one of \(names.joined(separator: ", ")))"
                } else if let number = defaults[key] {
                    value = "`\(number == number.rounded() && abs(number) < 1e9 ? String(Int(number)) : "\(number)")`"
                        + (notes[key].map { " (\($0))" } ?? "")
                } else {
                    value = derived[key]!
                }
                text += "| \(kind.rawValue) | `\(key)` | \(value) |\n"
            }
        }
        return text
    }
}
