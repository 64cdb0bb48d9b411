/// Errors raised while reading or writing artifacts. Each message names the file and the fix.
public enum ArtifactError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A file exists but its content is not what the reader expects.
    case malformed(path: String, reason: String)
    /// A file that an artifact needs is absent.
    case missing(path: String, hint: String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformed(path, reason): return "\(path): \(reason)"
        case let .missing(path, hint): return "\(path): file not found. \(hint)"
        }
    }
}
