import Artifacts
import CZlib
import Foundation

/// `.npz` archives (a zip of `.npy` members, as `numpy.savez` writes them).
///
/// Writing uses stored (uncompressed) members, exactly like `numpy.savez`; reading accepts
/// stored and deflated members (`numpy.savez_compressed`). Member names omit the `.npy` suffix.
public enum NpzFile {
    /// Writes named arrays atomically, in the given order.
    public static func write(_ arrays: [(name: String, array: NpyArray)], to url: URL) throws {
        var archive = Data()
        var central = Data()
        for (name, array) in arrays {
            var member = Data(array.header.encoded())
            member.append(contentsOf: array.bytes)
            guard member.count < Int(UInt32.max) else {
                throw ArtifactError.io(path: url.path, reason: "member \(name) exceeds 4 GiB (zip64 is not supported)")
            }
            let fileName = Array((name + ".npy").utf8)
            let crc = member.withUnsafeBytes { raw in
                UInt32(crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
            }
            let offset = UInt32(archive.count)
            // Local file header.
            archive.appendLE(UInt32(0x0403_4B50)); archive.appendLE(UInt16(20)); archive.appendLE(UInt16(0))
            archive.appendLE(UInt16(0)); archive.appendLE(UInt16(0)); archive.appendLE(UInt16(0x21))
            archive.appendLE(crc); archive.appendLE(UInt32(member.count)); archive.appendLE(UInt32(member.count))
            archive.appendLE(UInt16(fileName.count)); archive.appendLE(UInt16(0))
            archive.append(contentsOf: fileName)
            archive.append(member)
            // Central directory entry.
            central.appendLE(UInt32(0x0201_4B50)); central.appendLE(UInt16(20)); central.appendLE(UInt16(20))
            central.appendLE(UInt16(0)); central.appendLE(UInt16(0)); central.appendLE(UInt16(0)); central.appendLE(UInt16(0x21))
            central.appendLE(crc); central.appendLE(UInt32(member.count)); central.appendLE(UInt32(member.count))
            central.appendLE(UInt16(fileName.count)); central.appendLE(UInt16(0)); central.appendLE(UInt16(0))
            central.appendLE(UInt16(0)); central.appendLE(UInt16(0)); central.appendLE(UInt32(0)); central.appendLE(offset)
            central.append(contentsOf: fileName)
        }
        let centralOffset = UInt32(archive.count)
        archive.append(central)
        archive.appendLE(UInt32(0x0605_4B50)); archive.appendLE(UInt16(0)); archive.appendLE(UInt16(0))
        archive.appendLE(UInt16(arrays.count)); archive.appendLE(UInt16(arrays.count))
        archive.appendLE(UInt32(central.count)); archive.appendLE(centralOffset); archive.appendLE(UInt16(0))
        try AtomicFile.write(archive, to: url)
    }

    /// Reads every member of an `.npz` file, keyed by name without the `.npy` suffix.
    public static func read(_ url: URL) throws -> [String: NpyArray] {
        var arrays: [String: NpyArray] = [:]
        for (name, member) in try members(url) {
            arrays[name] = try NpyFile.decode(member, path: "\(url.path)[\(name)]")
        }
        return arrays
    }

    /// The `.npy` bytes of every member of an `.npz` file (inflated), keyed by name without the
    /// `.npy` suffix: for members whose dtype ``read(_:)`` cannot decode, such as the byte string
    /// `scipy.sparse.save_npz` stores (``NpyFile/decodeString(_:path:)`` reads it). The sizes the
    /// archive declares are checked against the file before anything is allocated for them, and
    /// a deflated member grows its buffer only as it inflates: a crafted size cannot force a
    /// large allocation.
    public static func members(_ url: URL) throws -> [String: Data] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ArtifactError.missing(path: url.path, hint: "Check the path.")
        }
        let path = url.path
        func fail(_ reason: String) -> ArtifactError { .malformed(path: path, reason: "not a valid .npz archive: \(reason)") }
        return try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            guard bytes.count >= 22 else { throw fail("too short") }
            var eocd = -1
            for position in stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 65_535), by: -1)
            where bytes.readLE32(position) == 0x0605_4B50 {
                eocd = position
                break
            }
            guard eocd >= 0 else { throw fail("no end-of-central-directory record") }
            let entryCount = Int(bytes.readLE16(eocd + 10))
            var cursor = Int(bytes.readLE32(eocd + 16))
            var result: [String: Data] = [:]
            for _ in 0..<entryCount {
                guard cursor + 46 <= bytes.count, bytes.readLE32(cursor) == 0x0201_4B50 else { throw fail("bad central directory") }
                let method = bytes.readLE16(cursor + 10)
                let compressedSize = Int(bytes.readLE32(cursor + 20))
                let size = Int(bytes.readLE32(cursor + 24))
                let nameLength = Int(bytes.readLE16(cursor + 28))
                let extraLength = Int(bytes.readLE16(cursor + 30))
                let commentLength = Int(bytes.readLE16(cursor + 32))
                let localOffset = Int(bytes.readLE32(cursor + 42))
                guard cursor + 46 + nameLength <= bytes.count else { throw fail("bad central directory") }
                var name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(cursor + 46)..<(cursor + 46 + nameLength)]), as: UTF8.self)
                cursor += 46 + nameLength + extraLength + commentLength
                guard localOffset + 30 <= bytes.count, bytes.readLE32(localOffset) == 0x0403_4B50 else { throw fail("bad local header for \(name)") }
                let start = localOffset + 30 + Int(bytes.readLE16(localOffset + 26)) + Int(bytes.readLE16(localOffset + 28))
                guard start + compressedSize <= bytes.count else { throw fail("member \(name) is truncated") }
                let stored = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + compressedSize)])
                let member: Data
                switch method {
                case 0:
                    guard size == compressedSize else {
                        throw fail("member \(name) is stored (not compressed) in \(compressedSize) bytes but declares \(size) bytes")
                    }
                    member = Data(stored)
                case 8:
                    guard size <= compressedSize * maximumDeflateRatio else {
                        throw fail("member \(name) declares \(size) bytes inflated from \(compressedSize) compressed bytes, more than deflate "
                                   + "can produce (at most \(maximumDeflateRatio) bytes per compressed byte)")
                    }
                    member = try inflateRaw(stored, expectedSize: size, path: path, name: name)
                default:
                    throw fail("member \(name) uses compression method \(method); only stored and deflate are supported")
                }
                if name.hasSuffix(".npy") { name.removeLast(4) }
                result[name] = member
            }
            return result
        }
    }

    /// The largest ratio of inflated to compressed bytes a deflate stream can reach (zlib's
    /// documentation: 1032:1, a 258-byte match coded in two bits).
    static let maximumDeflateRatio = 1032

    /// Inflates a raw deflate stream that must give exactly `expectedSize` bytes, into a buffer that
    /// grows with the output (from at most 1 MiB), never beyond `expectedSize`.
    private static func inflateRaw(_ input: UnsafeRawBufferPointer, expectedSize: Int, path: String, name: String) throws -> Data {
        var output = [UInt8](repeating: 0, count: min(expectedSize, 1 << 20))
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ArtifactError.io(path: path, reason: "zlib could not start inflating \(name)")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(input.count)
        var status = Z_OK
        while status == Z_OK {
            if Int(stream.total_out) == output.count {
                guard output.count < expectedSize else { break }
                output += [UInt8](repeating: 0, count: min(output.count, expectedSize - output.count))
            }
            let written = Int(stream.total_out)
            status = output.withUnsafeMutableBufferPointer { target in
                stream.next_out = target.baseAddress! + written
                stream.avail_out = uInt(target.count - written)
                return inflate(&stream, Z_NO_FLUSH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == expectedSize else {
            throw ArtifactError.malformed(path: path, reason: "member \(name) does not inflate to its declared \(expectedSize) bytes "
                                              + "(zlib status \(status) after \(stream.total_out) bytes)")
        }
        return Data(output)
    }
}

extension Data {
    fileprivate mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    fileprivate func readLE16(_ offset: Int) -> UInt16 { UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    fileprivate func readLE32(_ offset: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
}
