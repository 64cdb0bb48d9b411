/// TFRecord framing, the container of TensorBoard event files. Each record is
///
///     uint64 length (little-endian)
///     uint32 masked CRC-32C of those 8 length bytes
///     length bytes of data
///     uint32 masked CRC-32C of the data
public enum TFRecord {
    /// Bytes of framing around each record's data.
    public static let overhead = 16

    /// `data` framed as one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + overhead)
        let length = littleEndianBytes(UInt64(data.count))
        out += length
        out += littleEndianBytes(CRC32C.masked(CRC32C.checksum(length)))
        out += data
        out += littleEndianBytes(CRC32C.masked(CRC32C.checksum(data)))
        return out
    }

    /// The complete records at the start of `bytes`: the range of each record's data and the
    /// length of the prefix they occupy. A tail too short for the record its length announces
    /// (a writer that is still running or was killed mid-write) ends the list without an error;
    /// a checksum mismatch in a complete record is corruption and throws.
    public static func records(in bytes: [UInt8], path: String) throws(EventFileError) -> (data: [Range<Int>], validLength: Int) {
        var ranges: [Range<Int>] = []
        var offset = 0
        while bytes.count - offset >= overhead {
            let lengthBytes = bytes[offset..<(offset + 8)]
            guard CRC32C.masked(CRC32C.checksum(Array(lengthBytes))) == readUInt32(bytes, at: offset + 8) else {
                throw .malformed(path: path, offset: offset, reason: "the length of the record fails its CRC-32C check")
            }
            let length = readUInt64(bytes, at: offset)
            guard length <= UInt64(bytes.count - offset - overhead) else { break }
            let data = (offset + 12)..<(offset + 12 + Int(length))
            guard CRC32C.masked(CRC32C.checksum(Array(bytes[data]))) == readUInt32(bytes, at: data.upperBound) else {
                throw .malformed(path: path, offset: offset, reason: "the data of the record fails its CRC-32C check")
            }
            ranges.append(data)
            offset = data.upperBound + 4
        }
        return (ranges, offset)
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
