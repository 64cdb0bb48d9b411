import Foundation

/// An upstream folder a stage reads, passed as `--<name> DIR`.
public struct StageInput: Sendable {
    /// The flag name (`dataset`, `split`, `runs`).
    public let name: String
    /// The stage type that writes such folders (`fetch`, `split`, `train`).
    public let producer: String
    public let help: String
    /// Whether several folders may be given (the flag repeats).
    public let repeated: Bool

    public init(_ name: String, from producer: String, help: String, repeated: Bool = false) {
        self.name = name
        self.producer = producer
        self.help = help
        self.repeated = repeated
    }
}

/// A file or folder a stage writes into its output folder.
public struct StageOutput: Sendable {
    /// Path relative to the output folder (a folder name ends without a slash).
    public let name: String
    public let help: String
    /// Whether the manifest hashes it (false for files that vary between identical runs,
    /// such as timings); only hashed files decide the cache.
    public let digested: Bool
    /// Whether every successful run writes it (false: written in some configurations only).
    public let always: Bool

    public init(_ name: String, _ help: String, digested: Bool = true, always: Bool = true) {
        self.name = name
        self.help = help
        self.digested = digested
        self.always = always
    }
}

/// What a stage is, declared once: its name, parameters, inputs and outputs. Its command line,
/// help, the pipeline's checks and tables, and the manifest are derived from this.
public protocol StageContract {
    associatedtype Parameters: StageParameters
    /// The stage type and command name (`train`).
    static var name: String { get }
    /// One line for command lists.
    static var summary: String { get }
    /// A paragraph for `--help`.
    static var discussion: String { get }
    static var inputs: [StageInput] { get }
    static var outputs: [StageOutput] { get }
}

extension StageContract {
    /// Output files the manifest does not hash.
    public static var undigestedOutputs: Set<String> { Set(outputs.filter { !$0.digested }.map(\.name)) }
}
