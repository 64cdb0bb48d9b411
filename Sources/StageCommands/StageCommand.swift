import ArgumentParser
import Artifacts
import Foundation
import Formats
import StageKit

/// A stage's implementation as a command-line program: runs a parsed invocation and returns the
/// summary line printed on success.
public protocol StageProgram {
    associatedtype Contract: StageContract
    static func run(_ invocation: StageInvocation<Contract>) throws -> String
    /// Text `--help` shows after the contract's (e.g. train's model hyper-parameters).
    static var helpAppendix: String { get }
}

extension StageProgram {
    public static var helpAppendix: String { "" }
}

/// The command line of a stage, derived from its contract: `--help` lists the contract's inputs,
/// output and parameters; invalid arguments exit 64 with a message naming the flag, the value and
/// what is valid; a runtime error prints `error: …` on stderr and exits 1.
public struct StageCommand<Program: StageProgram>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Program.Contract.name, abstract: Program.Contract.summary,
                             usage: StageInvocation<Program.Contract>.usage)
    }

    @Argument(parsing: .captureForPassthrough, help: "--<input> <dir> …, --output <dir>, --<parameter>=<value> …")
    var words: [String] = []

    public init() {}

    private func invocation() throws -> StageInvocation<Program.Contract> {
        do {
            return try StageInvocation<Program.Contract>.parse(words, command: CommandLine.arguments)
        } catch {
            throw ValidationError(error.description + ". See --help.")
        }
    }

    public func validate() throws {
        if words.contains("--help") || words.contains("-h") {
            throw CleanExit.message(StageInvocation<Program.Contract>.helpText + Program.helpAppendix)
        }
        _ = try invocation()
    }

    public func run() throws {
        let invocation = try invocation()
        let existed = FileManager.default.fileExists(atPath: invocation.output.path)
        do {
            let lock = try StageLock(folder: invocation.output)
            defer { withExtendedLifetime(lock) {} }
            do {
                print(try Program.run(invocation))
            } catch {
                // A folder this run created and left empty (but for its lock) is not kept.
                let left = (try? FileManager.default.contentsOfDirectory(atPath: invocation.output.path)) ?? []
                if !existed && left.allSatisfy({ $0 == StageLock.fileName }) { try? FileManager.default.removeItem(at: invocation.output) }
                throw error
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(ArtifactError.message(for: error))\n".utf8))
            throw ExitCode(1)
        }
    }
}
