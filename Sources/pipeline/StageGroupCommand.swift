import ArgumentParser
import StageCommands

/// `pipeline stage <type> …`: runs one stage in this process. The runner starts every stage
/// instance this way, as a child process of its own executable, so `swift run pipeline` needs
/// no other product built (and the numeric modules are optimised even in a debug build).
struct StageGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Run one stage in-process (used by `pipeline run` for its child processes).",
        shouldDisplay: false,
        subcommands: [StageCommand<FetchProgram>.self, StageCommand<SplitProgram>.self, StageCommand<TrainProgram>.self,
                      StageCommand<AnalyzeProgram>.self])
}
