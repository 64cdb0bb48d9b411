/// A value written under `with:`, `matrix:` or `defaults:` in a pipeline file, as text.
///
/// Scalars keep the exact text the user wrote (`1e-4` stays `1e-4`), so the flag passed to a
/// stage and the cache key are both the literal value.
public enum ParameterValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case scalar(String)
    case list([String])

    /// The text passed on the command line: lists are comma-separated.
    public var commandLineText: String {
        switch self {
        case let .scalar(text): return text
        case let .list(items): return items.joined(separator: ",")
        }
    }

    public var description: String {
        switch self {
        case let .scalar(text): return text
        case let .list(items): return "[" + items.joined(separator: ", ") + "]"
        }
    }
}

/// One resolved stage parameter: the flag name (kebab-case, nested keys joined with `-`),
/// its value, and where in the file it was written.
public struct Parameter: Equatable, Sendable {
    /// Flag name without the leading dashes, e.g. `batch-size` or `history-dtype`.
    public var flag: String
    public var value: ParameterValue
    public var location: SourceLocation?

    public init(flag: String, value: ParameterValue, location: SourceLocation? = nil) {
        self.flag = flag
        self.value = value
        self.location = location
    }

    /// The command-line words for this parameter. Repeatable flags (e.g. `--mirror`) get one
    /// `--flag value` pair per list item; other lists are comma-separated.
    public func arguments(repeatable: Bool) -> [String] {
        if repeatable, case let .list(items) = value {
            return items.flatMap { ["--\(flag)", $0] }
        }
        return ["--\(flag)", value.commandLineText]
    }
}

/// Converts a YAML key such as `batch_size` to its flag form `batch-size`.
func flagName(_ key: String) -> String {
    key.replacingOccurrences(of: "_", with: "-")
}
