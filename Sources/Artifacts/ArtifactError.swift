import Foundation

/// Errors raised while reading or writing artifacts. Each message names the file and the fix.
public enum ArtifactError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A file exists but its content is not what the reader expects.
    case malformed(path: String, reason: String)
    /// A file that an artifact needs is absent.
    case missing(path: String, hint: String)
    /// Writing a file failed because its device (or the user's quota) is full; nil when the
    /// error did not say which file.
    case noSpace(path: String?)

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformed(path, reason): return "\(path): \(reason)"
        case let .missing(path, hint): return "\(path): file not found. \(hint)"
        case let .noSpace(path):
            return "no space left on device writing \(path ?? "an output file"); free space and run again "
                + "(a pipeline run resumes where it stopped; nothing half-written is kept)"
        }
    }

    /// `error`, thrown while writing `path`, as ``noSpace(path:)`` when the device was full;
    /// any other error unchanged.
    public static func writing(_ path: String, _ error: any Error) -> any Error {
        isNoSpace(error) ? ArtifactError.noSpace(path: path) : error
    }

    /// What a command prints for `error`: a full device as ``noSpace(path:)`` (naming the file
    /// when Foundation's error does) rather than Foundation's raw error, else the description.
    public static func message(for error: any Error) -> String {
        guard isNoSpace(error) else { return "\(error)" }
        if let known = error as? ArtifactError { return known.description }
        return ArtifactError.noSpace(path: (error as NSError).userInfo[NSFilePathErrorKey] as? String).description
    }

    /// Whether `error` (or the error underlying it) is ENOSPC or EDQUOT, or Foundation's
    /// "out of space" error.
    static func isNoSpace(_ error: any Error) -> Bool {
        if case .noSpace? = error as? ArtifactError { return true }
        let error = error as NSError
        if error.domain == NSCocoaErrorDomain && error.code == CocoaError.fileWriteOutOfSpace.rawValue { return true }
        if error.domain == NSPOSIXErrorDomain && (error.code == Int(ENOSPC) || error.code == Int(EDQUOT)) { return true }
        return (error.userInfo[NSUnderlyingErrorKey] as? any Error).map(isNoSpace) ?? false
    }
}
