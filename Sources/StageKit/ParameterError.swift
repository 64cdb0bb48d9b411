/// A rejected parameter. The message names the parameter, the value and what is valid, in the
/// terms of the command line (`--lr`); the pipeline maps the name to its place in the YAML file.
public enum ParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A name that the stage has no parameter for.
    case unknown(String, valid: [String])
    /// A value that does not parse, is not a valid choice or is out of range.
    case invalid(String, value: String, expected: String)
    /// A required parameter that was not given.
    case missing(String)
    /// A parameter given more than once.
    case repeated(String)
    /// A combination of values that is invalid; `name` is the parameter to change, `reason`
    /// the whole message.
    case conflict(String, reason: String)

    /// The parameter the error is about.
    public var name: String {
        switch self {
        case let .unknown(name, _), let .invalid(name, _, _), let .missing(name), let .repeated(name), let .conflict(name, _):
            return name
        }
    }

    public var description: String {
        switch self {
        case let .unknown(name, valid):
            return "unknown parameter '\(name)'; valid: \(valid.joined(separator: ", "))"
        case let .invalid(name, value, expected):
            return "invalid \(name) '\(value)': expected \(expected)"
        case let .missing(name):
            return "\(name) is required"
        case let .repeated(name):
            return "\(name) is given more than once; give it once"
        case let .conflict(_, reason):
            return reason
        }
    }
}
