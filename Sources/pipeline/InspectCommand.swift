import ArgumentParser
import ArtifactInspection
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise an artifact: .npy (shape, dtype, statistics), manifest.json, .csv, or an instance folder.")

    @Argument(help: "The file or instance folder, e.g. Artifacts/quickstart/fetch/default/features.npy.")
    var path: String

    @Option(help: "CSV rows and array values to show.")
    var rows = 10

    func run() throws {
        try reportingErrors {
            print(try ArtifactInspector.describe(URL(fileURLWithPath: path), rows: rows))
        }
    }
}
