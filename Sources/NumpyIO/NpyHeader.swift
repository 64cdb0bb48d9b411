import Foundation
import Artifacts

/// Element types of `.npy` arrays that the project reads and writes (little-endian only).
public enum NpyDType: String, Sendable, CaseIterable {
    case float16 = "<f2"
    case float32 = "<f4"
    case float64 = "<f8"
    case int8 = "|i1"
    case int32 = "<i4"
    case int64 = "<i8"
    case uint8 = "|u1"
    case bool = "|b1"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float16: return 2
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        }
    }

    /// Parses a NumPy dtype descriptor; `=` and `<` both mean little-endian on our platforms.
    init?(descriptor: String) {
        var text = descriptor
        if text.hasPrefix("=") { text = "<" + text.dropFirst() }
        if text.count == 3, text.hasPrefix("<") || text.hasPrefix("|") {
            let kind = text.dropFirst()
            for dtype in NpyDType.allCases where dtype.rawValue.dropFirst() == kind {
                self = dtype
                return
            }
        }
        return nil
    }
}

/// The header of an `.npy` file: dtype, shape and memory order (format 1.0 on write;
/// 1.0, 2.0 and 3.0 on read). The data that follows starts at ``dataOffset``.
public struct NpyHeader: Equatable, Sendable {
    public var dtype: NpyDType
    public var shape: [Int]
    /// Byte offset of the first element in the file (a multiple of 64 for files we write).
    public var dataOffset: Int

    public init(dtype: NpyDType, shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
        self.dataOffset = 0
        self.dataOffset = encoded().count
    }

    /// Number of elements (1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }
    /// Number of data bytes after the header.
    public var byteCount: Int { count * dtype.itemSize }

    /// The format-1.0 header bytes, padded with spaces so the data starts on a 64-byte boundary.
    public func encoded() -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dictionary = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        let prefix = 10
        let total = ((prefix + dictionary.utf8.count + 1 + 63) / 64) * 64
        dictionary += String(repeating: " ", count: total - prefix - dictionary.utf8.count - 1) + "\n"
        let length = dictionary.utf8.count
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(dictionary.utf8)
        return bytes
    }

    /// Parses a header from the first bytes of a file. `path` only names the file in errors.
    public static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> NpyHeader {
        let fields = try Fields.parse(bytes, path: path)
        guard let dtype = NpyDType(descriptor: fields.descriptor) else {
            throw ArtifactError.malformed(path: path, reason: "not a valid .npy file: dtype '\(fields.descriptor)' is not supported "
                                          + "(use float16/32/64, int8/32/64, uint8 or bool, little-endian)")
        }
        // The size must fit in an Int, even without the zero dimensions (a slice's size leaves them
        // out), so that `count`, `byteCount` and every offset into the data are plain arithmetic.
        var size = dtype.itemSize
        for dimension in fields.shape where dimension > 0 {
            let (product, overflow) = size.multipliedReportingOverflow(by: dimension)
            guard !overflow, !product.addingReportingOverflow(fields.dataOffset).overflow else {
                throw ArtifactError.malformed(path: path, reason: "not a valid .npy file: shape \(fields.shape) of \(dtype) overflows a 64-bit "
                                              + "byte count; the header is damaged, rewrite the file")
            }
            size = product
        }
        var header = NpyHeader(dtype: dtype, shape: fields.shape)
        header.dataOffset = fields.dataOffset
        return header
    }

    /// A header's fields as written, before its dtype is checked against the supported ones
    /// (NumPy's byte strings `|S<n>`, say, which no ``NpyDType`` stands for).
    struct Fields {
        /// The dtype descriptor, e.g. `<f4` or `|S3`.
        var descriptor: String
        var shape: [Int]
        var dataOffset: Int

        /// Parses the magic string, the version, the header length and the dictionary; C order only.
        static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Fields {
            func fail(_ reason: String) -> ArtifactError { .malformed(path: path, reason: "not a valid .npy file: \(reason)") }
            guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
                throw fail("missing the \\x93NUMPY magic string")
            }
            let major = bytes[6]
            let headerLength: Int
            let prefix: Int
            switch major {
            case 1:
                headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
                prefix = 10
            case 2, 3:
                guard bytes.count >= 12 else { throw fail("truncated header") }
                headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
                prefix = 12
            default:
                throw fail("unsupported format version \(major)")
            }
            guard bytes.count >= prefix + headerLength else { throw fail("truncated header") }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[prefix..<(prefix + headerLength)]), as: UTF8.self)
            guard let descr = value(of: "descr", in: text)?.trimmingQuotes() else { throw fail("no 'descr' in header") }
            guard let order = value(of: "fortran_order", in: text) else { throw fail("no 'fortran_order' in header") }
            if order.hasPrefix("True") { throw fail("Fortran-order arrays are not supported; save with numpy.ascontiguousarray") }
            guard let shapeText = value(of: "shape", in: text), shapeText.hasPrefix("("), let close = shapeText.firstIndex(of: ")") else {
                throw fail("no 'shape' tuple in header")
            }
            let inner = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
            var shape: [Int] = []
            for part in inner.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: " ")
                if trimmed.isEmpty { continue }
                guard let dimension = Int(trimmed), dimension >= 0 else { throw fail("bad shape entry '\(trimmed)'") }
                shape.append(dimension)
            }
            return Fields(descriptor: descr, shape: shape, dataOffset: prefix + headerLength)
        }
    }

    private static func value(of key: String, in text: String) -> Substring? {
        guard let range = text.range(of: "'\(key)'") ?? text.range(of: "\"\(key)\"") else { return nil }
        var rest = text[range.upperBound...]
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        rest = rest[rest.index(after: colon)...]
        return Substring(rest.trimmingCharacters(in: " "))
    }
}

extension Substring {
    fileprivate func trimmingQuotes() -> String {
        guard let quote = first, quote == "'" || quote == "\"" else { return String(self) }
        let body = dropFirst()
        guard let end = body.firstIndex(of: quote) else { return String(body) }
        return String(body[..<end])
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var view = Substring(self)
        while view.first == set { view = view.dropFirst() }
        while view.last == set { view = view.dropLast() }
        return String(view)
    }
}
