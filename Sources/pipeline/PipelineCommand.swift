import ArgumentParser
import Artifacts
import Foundation
import Pipeline

/// `pipeline`: runs the YAML-defined chain fetch → split → train → analyze with caching.
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Run, inspect and clean cached multi-label batch-selection pipelines.",
        discussion: """
        Pipelines are YAML files in Pipelines/ (a bare name finds Pipelines/<name>.yaml). Artifacts go to \
        Artifacts/<pipeline>/<stage>/<instance>/. `pipeline stages` lists every stage's parameters, \
        and `pipeline stage <type> --help` one stage's. Exit status: 0 success, 1 a failure or error, \
        64 bad command line, 130 interrupted.
        """,
        subcommands: [NewCommand.self, RunCommand.self, StatusCommand.self, DagCommand.self, InspectCommand.self, CleanCommand.self, StagesCommand.self,
                      StageGroupCommand.self])
}

/// The pipeline file and artifact folder options shared by run, status, dag and clean.
struct PipelineOptions: ParsableArguments {
    @Argument(help: "The pipeline file, e.g. Pipelines/quickstart.yaml (or just quickstart).")
    var file: String

    @Option(help: "The folder holding every pipeline's artifacts.")
    var artifacts = "Artifacts"

    /// Locates, parses and expands the pipeline; `root` is Artifacts/<name>.
    func load() throws -> (plan: PipelinePlan, root: String) {
        let url = try PipelineFileLocator.locate(file)
        let definition = try PipelineParser.parse(contentsOf: url, displayPath: PipelineFileLocator.displayPath(of: url))
        return (try PipelinePlan(definition), artifacts + "/" + definition.name)
    }
}

/// Runs `body`, printing any error as `error: …` on stderr and exiting 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("error: \(ArtifactError.message(for: error))\n".utf8))
        throw ExitCode(1)
    }
}
