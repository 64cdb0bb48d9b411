import Artifacts
import Foundation

/// Reading and writing whole `.npy` files (format 1.0, little-endian, C order).
///
/// Every write is atomic (temporary sibling + rename), so a reader never sees a partial array.
public enum NpyFile {
    /// Writes an array to `url` atomically.
    public static func write(_ array: NpyArray, to url: URL) throws {
        try array.bytes.withUnsafeBytes { try write(header: array.header, bytes: $0, to: url) }
    }

    /// Writes typed values with the given shape, straight from their storage (no copy).
    public static func write<T: NpyElement>(_ values: [T], shape: [Int], to url: URL) throws {
        try values.withUnsafeBufferPointer { try write($0, shape: shape, to: url) }
    }

    /// Writes a buffer of typed values with the given shape, straight from memory (no copy).
    public static func write<T: NpyElement>(_ values: UnsafeBufferPointer<T>, shape: [Int], to url: URL) throws {
        let header = NpyHeader(dtype: T.npyDType, shape: shape)
        precondition(values.count == header.count, "value count \(values.count) does not match shape \(shape)")
        try write(header: header, bytes: UnsafeRawBufferPointer(values), to: url)
    }

    /// The header, then the raw bytes, into a temporary file renamed into place.
    private static func write(header: NpyHeader, bytes: UnsafeRawBufferPointer, to url: URL) throws {
        try AtomicFile.write(to: url) { temporary in
            // Data.write says why it failed (a full device, permissions), where createFile does not.
            try Data(header.encoded()).write(to: temporary)
            guard let handle = FileHandle(forWritingAtPath: temporary.path) else {
                throw ArtifactError.io(path: temporary.path, reason: "cannot open the file just written")
            }
            defer { try? handle.close() }
            try handle.seekToEnd()
            if let base = bytes.baseAddress, bytes.count > 0 {
                try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base),
                                                  count: bytes.count, deallocator: .none))
            }
        }
    }

    /// Reads a whole file into memory.
    public static func read(_ url: URL) throws -> NpyArray {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ArtifactError.missing(path: url.path, hint: "Check the path, or rerun the stage that writes it.")
        }
        return try decode(data, path: url.path)
    }

    /// Decodes the bytes of a `.npy` file (also used for `.npz` members).
    public static func decode(_ data: Data, path: String) throws -> NpyArray {
        try data.withUnsafeBytes { raw in
            let header = try NpyHeader.parse(raw, path: path)
            let end = header.dataOffset + header.byteCount
            guard raw.count >= end else {
                throw ArtifactError.malformed(path: path, reason: "truncated: \(raw.count) bytes, the header promises \(end)")
            }
            return NpyArray(header: header, bytes: Array(raw[header.dataOffset..<end]))
        }
    }

    /// Decodes a `.npy` file holding one string (0-d or one element): NumPy's byte string `|S<n>`
    /// (as `scipy.sparse.save_npz` stores a matrix's format) or UTF-32 string `<U<n>`, without the
    /// padding NUL characters.
    public static func decodeString(_ data: Data, path: String) throws -> String {
        try data.withUnsafeBytes { raw in
            let fields = try NpyHeader.Fields.parse(raw, path: path)
            let kind = fields.descriptor.dropFirst()
            guard let width = Int(kind.dropFirst()), width >= 0, kind.first == "S" || kind.first == "U",
                  fields.descriptor.first == "|" || fields.descriptor.first == "<" || fields.descriptor.first == "=" else {
                throw ArtifactError.malformed(path: path, reason: "dtype '\(fields.descriptor)' is not a string; expected |S<n> or <U<n>")
            }
            guard fields.shape.reduce(1, *) == 1 else {
                throw ArtifactError.malformed(path: path, reason: "shape \(fields.shape) holds \(fields.shape.reduce(1, *)) strings; expected one")
            }
            let byteCount = kind.first == "S" ? width : 4 * width
            guard raw.count >= fields.dataOffset + byteCount else {
                throw ArtifactError.malformed(path: path, reason: "truncated: \(raw.count) bytes, the header promises \(fields.dataOffset + byteCount)")
            }
            let bytes = UnsafeRawBufferPointer(rebasing: raw[fields.dataOffset..<(fields.dataOffset + byteCount)])
            if kind.first == "S" {
                return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            var scalars = String.UnicodeScalarView()
            for index in 0..<width {
                let code = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[4 * index + $1]) << (8 * UInt32($1)) }
                guard code != 0 else { break }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            }
            return String(scalars)
        }
    }
}

/// A read-only memory-mapped `.npy` file: the data is paged in on demand, so arrays larger
/// than memory (e.g. a long prediction history) can be read slice by slice.
public final class MappedNpyFile: @unchecked Sendable {
    public let header: NpyHeader
    public let path: String
    private let base: UnsafeMutableRawPointer
    private let length: Int

    /// Maps `url` and parses its header.
    ///
    /// The stored properties are assigned only once every check has passed: a class whose
    /// initialiser throws after that runs its `deinit`, which would unmap a second time (and
    /// could unmap another thread's new mapping at the same address).
    public init(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ArtifactError.missing(path: url.path, hint: "Check the path, or rerun the stage that writes it.")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else {
            throw ArtifactError.malformed(path: url.path, reason: "empty file")
        }
        let length = Int(status.st_size)
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw ArtifactError.io(path: url.path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        let header: NpyHeader
        do {
            header = try NpyHeader.parse(UnsafeRawBufferPointer(start: mapped, count: length), path: url.path)
            guard header.dataOffset + header.byteCount <= length else {
                throw ArtifactError.malformed(path: url.path, reason: "truncated: \(length) bytes, the header promises \(header.dataOffset + header.byteCount)")
            }
        } catch {
            munmap(mapped, length)
            throw error
        }
        self.header = header
        self.path = url.path
        self.base = mapped
        self.length = length
    }

    deinit { munmap(base, length) }

    /// The raw element bytes (C order).
    public var data: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + header.dataOffset, count: header.byteCount)
    }

    /// Converts the `index`-th slice along the first axis to Float32.
    /// `out.count` must equal the slice's element count (the product of the other dimensions).
    public func readSlice(_ index: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let sliceCount = header.shape.dropFirst().reduce(1, *)
        precondition(!header.shape.isEmpty && index >= 0 && index < header.shape[0] && out.count == sliceCount)
        let start = index * sliceCount * header.dtype.itemSize
        let raw = UnsafeRawBufferPointer(rebasing: data[start..<(start + sliceCount * header.dtype.itemSize)])
        NpyConversion.toFloat32(raw, dtype: header.dtype, into: out)
    }
}

/// Writes an `.npy` file of fixed shape one slice (along the first axis) at a time, for
/// histories too large to hold in memory, and lets a killed writer resume.
///
/// Slices go to `<name>.partial` beside the destination; ``finish()`` renames it into place,
/// so the destination only ever exists complete. Which slices are valid is the caller's
/// bookkeeping (e.g. an epoch counter in a checkpoint).
public final class NpySliceWriter {
    public let header: NpyHeader
    public let destination: URL
    public let partialURL: URL
    private let handle: FileHandle

    /// The partial-file path used for `destination`.
    public static func partialURL(for destination: URL) -> URL {
        destination.deletingLastPathComponent().appendingPathComponent(destination.lastPathComponent + ".partial")
    }

    /// Starts a new partial file of the given dtype and shape (replacing any earlier partial file).
    public init(creating destination: URL, dtype: NpyDType, shape: [Int]) throws {
        self.destination = destination
        partialURL = Self.partialURL(for: destination)
        header = NpyHeader(dtype: dtype, shape: shape)
        do {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(header.encoded()).write(to: partialURL)
        } catch {
            throw ArtifactError.writing(partialURL.path, error)
        }
        guard let opened = FileHandle(forUpdatingAtPath: partialURL.path) else {
            throw ArtifactError.io(path: partialURL.path, reason: "cannot open the file just written")
        }
        handle = opened
        try handle.truncate(atOffset: UInt64(header.dataOffset + header.byteCount))
    }

    /// Reopens an existing partial file; throws unless its dtype and shape are exactly these.
    public init(resuming destination: URL, dtype: NpyDType, shape: [Int]) throws {
        self.destination = destination
        partialURL = Self.partialURL(for: destination)
        guard let opened = FileHandle(forUpdatingAtPath: partialURL.path) else {
            throw ArtifactError.missing(path: partialURL.path, hint: "Nothing to resume; start a new run.")
        }
        let prefix = try opened.read(upToCount: 4096) ?? Data()
        let partialPath = partialURL.path
        let existing = try prefix.withUnsafeBytes { try NpyHeader.parse($0, path: partialPath) }
        guard existing.dtype == dtype, existing.shape == shape else {
            try? opened.close()
            throw ArtifactError.malformed(path: partialPath, reason: "holds \(existing.dtype) \(existing.shape), expected \(dtype) \(shape); delete it to start over")
        }
        header = existing
        handle = opened
    }

    deinit { try? handle.close() }

    /// Bytes in one slice along the first axis.
    public var sliceByteCount: Int { header.shape.dropFirst().reduce(1, *) * header.dtype.itemSize }

    /// Writes raw bytes of slice `index` (`bytes.count == sliceByteCount`).
    public func write(slice index: Int, bytes: UnsafeRawBufferPointer) throws {
        precondition(bytes.count == sliceByteCount && index >= 0 && index < header.shape[0])
        do {
            try handle.seek(toOffset: UInt64(header.dataOffset + index * sliceByteCount))
            try handle.write(contentsOf: Data(bytes))
        } catch {
            throw ArtifactError.writing(partialURL.path, error)
        }
    }

    /// Writes slice `index` from Float32 values, converting to the file's float dtype.
    public func write(slice index: Int, floats: UnsafeBufferPointer<Float>) throws {
        switch header.dtype {
        case .float32:
            try write(slice: index, bytes: UnsafeRawBufferPointer(floats))
        case .float16:
            var halves = [UInt16](repeating: 0, count: floats.count)
            halves.withUnsafeMutableBufferPointer { Float16Bits.encode(floats, into: $0) }
            try halves.withUnsafeBytes { try write(slice: index, bytes: $0) }
        default:
            preconditionFailure("float slices need a float16 or float32 file, not \(header.dtype)")
        }
    }

    /// Flushes to disk (call before recording a slice as complete in a checkpoint).
    public func synchronize() throws { try handle.synchronize() }

    /// Flushes, closes and renames the partial file to its destination.
    public func finish() throws {
        try handle.synchronize()
        try handle.close()
        try AtomicFile.commit(partialURL, to: destination)
    }

    /// Renames the complete partial file of `destination` into place, unless an earlier call
    /// already did (a finish interrupted after some renames and done again): then `destination`
    /// exists and its partial file does not. Throws, naming both paths, when neither exists.
    public static func commitPartial(of destination: URL) throws {
        let partial = partialURL(for: destination)
        if FileManager.default.fileExists(atPath: partial.path) {
            try AtomicFile.commit(partial, to: destination)
        } else if !FileManager.default.fileExists(atPath: destination.path) {
            throw ArtifactError.missing(path: partial.path, hint: "Neither it nor \(destination.lastPathComponent) exists; delete the folder to start over.")
        }
    }
}
