import ArgumentParser

/// Benchmarks of the project, one subcommand each.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Speed benchmarks (run in release: swift run -c release bench <subcommand>).",
        subcommands: [EpochBenchmark.self]
    )
}

BenchCommand.main()
