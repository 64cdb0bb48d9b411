import ArgumentParser
import Artifacts
import Formats
import Foundation
import Pipeline

/// `pipeline new`: writes a commented pipeline file that runs a dataset through the protocol.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a pipeline file that runs a dataset through the protocol: a model at its defaults with random and uncertainty batches, the linear floor, and a report.",
        discussion: """
        A catalog dataset: `pipeline new emotions --output Pipelines/my-emotions.yaml`. Your own data: the fetch stage's \
        flags after the name, e.g. `pipeline new my-data --format csv --url data/my-data.csv --label-prefix label_` \
        (docs/your-data.md; a local --url gets its --sha256 computed). Paths are given from the current folder and \
        written relative to the pipeline file. An existing file is never overwritten.
        """)

    @Argument(help: "The dataset: a catalog name, or a name of your choosing for your own data (with --format and --url).")
    var dataset: String

    @Option(help: "The pipeline file to write (default: Pipelines/<dataset>.yaml).")
    var output: String?

    @Option(help: "The model trained with random and uncertainty batches, at its default settings.")
    var model = ModelKind.mlp

    @Option(help: "Epochs per training run (the protocol: 100).")
    var epochs = 100

    @Argument(parsing: .allUnrecognized, help: "The fetch stage's flags (`pipeline stage fetch --help`), e.g. --format csv --url data/my-data.csv.")
    var fetchFlags: [String] = []

    func run() throws {
        try reportingErrors {
            let path = output ?? "Pipelines/\(dataset).yaml"
            let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
            let file = URL(fileURLWithPath: path, relativeTo: here)
            guard !FileManager.default.fileExists(atPath: file.path) else {
                throw PipelineError.io(path: path, reason: "the file exists and is left as it is; remove it, or pass --output with another path")
            }
            let words = CommandLine.arguments.dropFirst().map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
            let template = try PipelineTemplate(dataset: dataset, fetchFlags: fetchFlags, model: model, epochs: epochs, filePath: path,
                                                workingDirectory: here, command: "pipeline " + words)
            let text = template.text
            // The file must plan as written: parameters, ranges and paths are checked before it is saved.
            _ = try PipelinePlan(PipelineParser.parse(yaml: text, file: path, defaultName: file.deletingPathExtension().lastPathComponent,
                                                      folder: file.deletingLastPathComponent()))
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(Data(text.utf8), to: file)
            print("wrote \(path); run it with: swift run pipeline run \(path)")
        }
    }
}

extension ModelKind: ExpressibleByArgument {}
