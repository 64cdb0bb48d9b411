import ArgumentParser

/// `bench`: one subcommand per benchmark; each prints a table with ratios and writes JSON with `--json PATH`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of the project's stages against reference tools.",
        subcommands: [ArffBenchmark.self, SplitBenchmark.self, EpochBenchmark.self, SelectorBenchmark.self, ScaleBenchmark.self])
}

BenchCommand.main()
