import ArgumentParser

/// `bench`: one subcommand per benchmark; each prints a table and writes JSON with `--json PATH`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of mlbatch's components.",
        subcommands: [SelectorBenchmark.self])
}

BenchCommand.main()
