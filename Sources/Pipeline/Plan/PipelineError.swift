/// A place in a pipeline file (1-based line and column, as editors show them).
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Everything that can go wrong while reading, planning or running a pipeline.
/// Each message names the file (and line and column where one applies) and the fix.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    /// The pipeline file is not valid: `message` says what is wrong and what is valid.
    case invalidFile(SourceLocation, String)
    /// A file or folder could not be read or written.
    case io(path: String, reason: String)
    /// A `--stage` selection names no stage or instance of the pipeline.
    case unknownSelection(String)
    /// Another process holds the artifact-folder lock.
    case locked(folder: String, holder: String)

    public var description: String {
        switch self {
        case let .invalidFile(location, message): return "\(location): \(message)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .unknownSelection(message): return message
        case let .locked(folder, holder):
            return "\(folder) is in use by another `pipeline` run (\(holder)). Wait for it to finish, or pass --wait to queue behind it."
        }
    }
}
