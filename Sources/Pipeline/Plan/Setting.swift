import Foundation

/// A value written under `with:`, `matrix:` or `defaults:` in a pipeline file, as text.
///
/// Scalars keep the exact text the user wrote (`1e-4` stays `1e-4`); the stage's contract
/// parses them, and the cache key hashes the parsed values' canonical text.
public enum SettingValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case scalar(String)
    case list([String])

    /// The words as given: one for a scalar, one per item for a list.
    public var words: [String] {
        switch self {
        case let .scalar(text): return [text]
        case let .list(items): return items
        }
    }

    public var description: String {
        switch self {
        case let .scalar(text): return text
        case let .list(items): return "[" + items.joined(separator: ", ") + "]"
        }
    }
}

/// One stage parameter as the pipeline file sets it: the flag name (kebab-case, nested keys
/// joined with `-`), its value, and where in the file it was written.
public struct Setting: Equatable, Sendable {
    /// Flag name without the leading dashes, e.g. `batch-size` or `history-dtype`.
    public var flag: String
    public var value: SettingValue
    public var location: SourceLocation?

    public init(flag: String, value: SettingValue, location: SourceLocation? = nil) {
        self.flag = flag
        self.value = value
        self.location = location
    }

    /// The command-line words: `--flag=value` (the `=` keeps a negative number a value);
    /// a list is one comma-separated word, or one `--flag=item` per item when `repeated`.
    public func arguments(repeated: Bool) -> [String] {
        switch value {
        case let .scalar(text): return ["--\(flag)=\(text)"]
        case let .list(items): return repeated ? items.map { "--\(flag)=\($0)" } : ["--\(flag)=\(items.joined(separator: ","))"]
        }
    }
}

/// Converts a YAML key such as `batch_size` to its flag form `batch-size`.
func flagName(_ key: String) -> String {
    key.replacingOccurrences(of: "_", with: "-")
}
