import Artifacts
import Foundation
import NumpyIO

/// `.safetensors` files (the format of Hugging Face's `safetensors` library), read by
/// `safetensors.numpy.load_file` and `safetensors.torch.load_file`:
///
///     8 bytes        N, the header length (unsigned 64-bit little-endian)
///     N bytes        a UTF-8 JSON object: for each tensor {"dtype", "shape", "data_offsets": [begin, end]},
///                    plus an optional "__metadata__" object of strings; padded with spaces so that the
///                    data starts at a multiple of 8 bytes
///     data           every tensor's little-endian bytes in C order, offsets relative to the data's start,
///                    contiguous and without holes
public enum SafetensorsFile {
    /// Every dtype of the format: its item size and its `.npy` equivalent, if there is one.
    static let dtypes: [String: (itemSize: Int, npy: NpyDType?)] = [
        "F16": (2, .float16), "F32": (4, .float32), "F64": (8, .float64), "I8": (1, .int8), "I32": (4, .int32),
        "I64": (8, .int64), "U8": (1, .uint8), "BOOL": (1, .bool), "BF16": (2, nil), "I16": (2, nil), "U16": (2, nil),
        "U32": (4, nil), "U64": (8, nil), "F8_E4M3": (1, nil), "F8_E5M2": (1, nil),
    ]

    /// The format's name of a `.npy` dtype.
    static func dtypeName(_ dtype: NpyDType) -> String {
        dtypes.first { $0.value.npy == dtype }!.key
    }

    /// Writes `tensors` (names unique, data in the given order) and `metadata` to `url` atomically.
    public static func write(_ tensors: [(name: String, array: NpyArray)], metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, array) in tensors {
            precondition(header[name] == nil && name != "__metadata__", "duplicate or reserved tensor name \(name)")
            header[name] = ["dtype": dtypeName(array.dtype), "shape": array.shape, "data_offsets": [offset, offset + array.bytes.count]] as [String: Any]
            offset += array.bytes.count
        }
        var json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * $0)) }
        bytes.reserveCapacity(8 + json.count + offset)
        bytes += json
        for (_, array) in tensors { bytes += array.bytes }
        try AtomicFile.write(Data(bytes), to: url)
    }

    /// The tensors' names, dtypes, shapes and data ranges, checked against the format's rules, and
    /// the metadata; reads only the header.
    public static func readHeader(_ url: URL) throws -> SafetensorsHeader {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ArtifactError.missing(path: url.path, hint: "Run the train stage that writes it.")
        }
        defer { try? handle.close() }
        let fileSize = try handle.seekToEnd()
        try handle.seek(toOffset: 0)
        let prefix = try handle.read(upToCount: 8) ?? Data()
        guard prefix.count == 8 else { throw malformed(url, "shorter than the 8-byte header length") }
        let length = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= min(fileSize - 8, 100_000_000) else { throw malformed(url, "header length \(length) exceeds the file") }
        let json = try handle.read(upToCount: Int(length)) ?? Data()
        guard json.first == UInt8(ascii: "{"), let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw malformed(url, "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [SafetensorsHeader.Entry] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let strings = value as? [String: String] else { throw malformed(url, "__metadata__ must map strings to strings") }
                metadata = strings
                continue
            }
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int], offsets.count == 2 else {
                throw malformed(url, "tensor \(name) lacks dtype, shape or data_offsets")
            }
            entries.append(SafetensorsHeader.Entry(name: name, dtype: dtype, shape: shape, dataRange: offsets[0]..<max(offsets[0], offsets[1])))
            guard offsets[0] >= 0, offsets[1] >= offsets[0], let itemSize = dtypes[dtype]?.itemSize,
                  shape.allSatisfy({ $0 >= 0 }), byteCount(shape, itemSize: itemSize) == offsets[1] - offsets[0] else {
                throw malformed(url, "tensor \(name): \(dtype) \(shape) does not fit data_offsets \(offsets)")
            }
        }
        entries.sort { $0.dataRange.lowerBound != $1.dataRange.lowerBound ? $0.dataRange.lowerBound < $1.dataRange.lowerBound : $0.name < $1.name }
        var end = 0
        for entry in entries {
            guard entry.dataRange.lowerBound == end else { throw malformed(url, "tensor \(entry.name) starts at \(entry.dataRange.lowerBound), not at \(end): the data has a hole or an overlap") }
            end = entry.dataRange.upperBound
        }
        guard UInt64(end) == fileSize - 8 - length else {
            throw malformed(url, "the tensors cover \(end) bytes of data but the file holds \(fileSize - 8 - length)")
        }
        return SafetensorsHeader(entries: entries, metadata: metadata, dataOffset: 8 + Int(length))
    }

    /// Every tensor of a file whose dtypes all have `.npy` equivalents, by name.
    public static func read(_ url: URL) throws -> [String: NpyArray] {
        let header = try readHeader(url)
        let data = try Data(contentsOf: url)
        var arrays: [String: NpyArray] = [:]
        for entry in header.entries {
            guard let dtype = dtypes[entry.dtype]?.npy else {
                throw malformed(url, "tensor \(entry.name) has dtype \(entry.dtype), which has no .npy equivalent")
            }
            let range = (header.dataOffset + entry.dataRange.lowerBound)..<(header.dataOffset + entry.dataRange.upperBound)
            arrays[entry.name] = NpyArray(header: NpyHeader(dtype: dtype, shape: entry.shape), bytes: Array(data[range]))
        }
        return arrays
    }

    /// The bytes of a tensor of this shape, or nil when the count overflows 64 bits (a crafted header).
    static func byteCount(_ shape: [Int], itemSize: Int) -> Int? {
        var size = itemSize
        for dimension in shape {
            let (product, overflow) = size.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            size = product
        }
        return size
    }

    static func malformed(_ url: URL, _ reason: String) -> ArtifactError {
        ArtifactError.malformed(path: url.path, reason: "not a valid .safetensors file: \(reason)")
    }
}

/// The header of a `.safetensors` file.
public struct SafetensorsHeader: Sendable {
    public struct Entry: Equatable, Sendable {
        public var name: String
        /// The format's dtype name (`F32`, `I64`, …).
        public var dtype: String
        public var shape: [Int]
        /// Byte range within the data section.
        public var dataRange: Range<Int>
    }

    /// The tensors in the order of their data.
    public var entries: [Entry]
    public var metadata: [String: String]
    /// Where the data section starts in the file.
    public var dataOffset: Int
}
