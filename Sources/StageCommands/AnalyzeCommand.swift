import Analysis
import ArgumentParser
import Foundation

/// `analyze`: convergence, correlation drift, Table-3 results with rank tests, SVG plots and
/// report.html from train folders.
public struct AnalyzeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Tables, statistics, plots and an HTML report from train runs.",
        discussion: """
        Each --runs folder is a train output folder or a folder holding them (searched three \
        levels deep). Runs are grouped by (dataset, model, selector, fold) from run.json. \
        Incomplete or inconsistent runs are reported on stderr and left out; the exit status \
        is non-zero only when no run is usable. manifest.json is written last.
        """)

    @Option(name: .customLong("runs"), help: ArgumentHelp("A train folder, or a folder of train folders (repeatable).", valueName: "dir"))
    public var runs: [String] = []

    @Option(help: ArgumentHelp("Folder receiving every output and manifest.json.", valueName: "dir"))
    public var output: String

    @Option(name: .customLong("drift-epochs"), help: ArgumentHelp("Comma-separated epochs (1-based); consecutive pairs get C_b − C_a.", valueName: "list"))
    public var driftEpochs: String = "30,70"

    @Option(name: .customLong("convergence-levels"), help: ArgumentHelp("Comma-separated fractions of the final validation Macro-AUC.", valueName: "list"))
    public var convergenceLevels: String = "0.9,0.95,0.99"

    @Option(name: .customLong("top-pairs"), help: ArgumentHelp("Most-changed label pairs listed per run and epoch pair.", valueName: "n"))
    public var topPairs: Int = 10

    public init() {}

    static func integers(_ text: String, option: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! >= 1 }) else {
            throw ValidationError("\(option) must be comma-separated positive epochs, e.g. 30,70 (got '\(text)')")
        }
        return values.map { $0! }
    }

    static func fractions(_ text: String, option: String) throws -> [Double] {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 && $0! <= 1 }) else {
            throw ValidationError("\(option) must be comma-separated fractions in (0, 1], e.g. 0.9,0.95,0.99 (got '\(text)')")
        }
        return values.map { $0! }
    }

    public func validate() throws {
        if runs.isEmpty { throw ValidationError("give at least one --runs folder") }
        let epochs = try Self.integers(driftEpochs, option: "--drift-epochs")
        if epochs.count < 2 { throw ValidationError("--drift-epochs needs at least two epochs, e.g. 30,70") }
        _ = try Self.fractions(convergenceLevels, option: "--convergence-levels")
        if topPairs < 0 { throw ValidationError("--top-pairs must be zero or positive") }
    }

    public func run() throws {
        let options = AnalysisOptions(
            runs: runs.map { URL(fileURLWithPath: $0) }, output: URL(fileURLWithPath: output),
            driftEpochs: try Self.integers(driftEpochs, option: "--drift-epochs"),
            convergenceLevels: try Self.fractions(convergenceLevels, option: "--convergence-levels"),
            topPairs: topPairs, command: CommandLine.arguments)
        do {
            let outcome = try Analyzer.run(options) { message in
                let line = message.hasPrefix("warning:") ? message : "warning: \(message)"
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            print("analyzed \(outcome.runCount) runs\(outcome.warnings.isEmpty ? "" : " (\(outcome.warnings.count) warnings)")")
            print("report: \(outcome.report.path)")
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
