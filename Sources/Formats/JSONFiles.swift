import Artifacts
import Foundation

/// Reading and writing the JSON artifacts: sorted keys, so identical content gives identical bytes.
public enum JSONFiles {
    /// Pretty-printed JSON with sorted keys and unescaped slashes.
    public static func encode<T: Encodable>(_ value: T, snakeCase: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return try encoder.encode(value)
    }

    /// Writes `value` atomically.
    public static func write<T: Encodable>(_ value: T, to url: URL, snakeCase: Bool = false) throws {
        try AtomicFile.write(try encode(value, snakeCase: snakeCase), to: url)
    }

    /// Reads a JSON artifact; a missing file or unexpected content is an error naming the file
    /// and `hint` (what to run to produce it).
    public static func read<T: Decodable>(_ type: T.Type, from url: URL, snakeCase: Bool = false, hint: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ArtifactError.missing(path: url.path, hint: hint)
        }
        let decoder = JSONDecoder()
        if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw ArtifactError.malformed(path: url.path, reason: "unexpected content (\(reason(error))); \(hint)")
        }
    }

    /// Why decoding failed, in a line: "not valid JSON: Unexpected end of file", "no key
    /// `outputs`", "`epochs`: expected Int, found a string" (rather than the DecodingError dump).
    public static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
        switch error {
        case let .dataCorrupted(context):
            let underlying = (context.underlyingError as NSError?).flatMap { $0.userInfo[NSDebugDescriptionErrorKey] as? String }
            let what = context.codingPath.isEmpty ? "not valid JSON" : "`\(path(context.codingPath))`: \(context.debugDescription)"
            return what + (underlying.map { ": " + $0 } ?? "")
        case let .keyNotFound(key, context):
            return "no key `\(path(context.codingPath + [key]))`"
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            return "`\(path(context.codingPath))`: expected \(type), \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
