import ArgumentParser
import Formats
import StageKit

/// `pipeline stages`: every stage's parameters, inputs and outputs, and each model's
/// hyper-parameters, derived from their declarations (docs/parameters.md is this output).
struct StagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages",
        abstract: "List every stage's parameters (with: keys and flags), inputs and outputs, and the models' hyper-parameters.")

    func run() {
        print(Self.reference)
    }

    /// The Markdown reference: one table per stage type, then the models' hyper-parameters.
    static var reference: String {
        var text = ContractTable.markdown(FetchContract.self) + "\n" + ContractTable.markdown(SplitContract.self) + "\n"
            + ContractTable.markdown(TrainContract.self) + "\n" + ContractTable.markdown(AnalyzeContract.self) + "\n"
        text += ModelKind.hyperParameterTable + "\n" + ModelKind.defaultsTable
        return text
    }
}
