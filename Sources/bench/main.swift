import ArgumentParser

/// `bench`: speed measurements, one subcommand per benchmark (each prints a table with ratios
/// and writes JSON with `--json PATH`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Speed benchmarks of the mlbatch stages.",
        subcommands: [ArffBenchmark.self])
}

BenchCommand.main()
