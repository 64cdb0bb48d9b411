import CArchive
import Formats
import Foundation

/// Unpacks archives with libarchive: zip, rar (v4/v5), 7z, tar with gzip/bzip2/xz, and bare
/// `.gz`/`.bz2`/`.xz` files (one entry, named after the archive without that extension).
/// A plain file that is no archive (e.g. `Music.arff`, `data.csv`) is copied as is, unless its
/// name claims an archive extension, which makes it an error; NumPy `.npy` and `.npz` files are
/// always copied whole.
///
/// Format detection is restricted to what the file name claims (`.zip` → zip, `.tar.gz` → tar
/// in gzip, a bare `.gz` → one gzip-compressed file, …; a name without such an extension may be
/// any of these or a plain file): libarchive never reads text as an `mtree` listing or any other
/// exotic format, so a compressed text file stays one file and the byte limit applies to it.
///
/// Safety: entries with absolute paths or `..` components, symbolic or hard links pointing
/// outside the target folder, paths running through a symbolic link, and special files are
/// refused, and so is a second entry of a path (a file or link that would silently replace the
/// first); unpacking stops once more than `limit` bytes have been written or more than
/// `entryLimit` entries have been seen. Output goes to a temporary sibling of the destination,
/// renamed into place only on success (nothing is left behind on failure). Time and memory:
/// streaming, 64 KiB buffer.
public struct Unpacker: Sendable {
    /// Maximum number of bytes the unpacked entries may hold in total.
    public var limit: Int64
    /// Maximum number of entries (files, folders, links) the archive may hold.
    public var entryLimit: Int

    /// Extensions removed from a bare compressed file's name to name its single entry.
    static let compressionExtensions = [".gz", ".bz2", ".xz"]

    /// Called with (archive bytes read so far, archive size).
    public typealias Progress = (Int64, Int64) -> Void

    /// Limits default to the fetch stage's (`FetchParameters`: 4 GiB, 10 000 entries).
    public init(limit: Int64 = FetchParameters().maxUnpackedBytes, entryLimit: Int = FetchParameters().maxUnpackedEntries) {
        self.limit = limit
        self.entryLimit = entryLimit
    }

    /// Unpacks `archive` into `destination` (which must not exist yet); `displayName` names the
    /// archive in messages. Returns the relative paths of the regular files written, sorted.
    @discardableResult
    public func unpack(_ archive: URL, into destination: URL, displayName: String? = nil,
                       progress: Progress = { _, _ in }) throws -> [String] {
        let name = displayName ?? archive.path
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            let files = try extract(archive, into: staging, name: name, progress: progress)
            if rename(staging.path, destination.path) != 0 {
                throw DatasetError.output(path: destination.path, reason: "cannot move the unpacked files into place: \(String(cString: strerror(errno)))")
            }
            return files
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    private func extract(_ archive: URL, into root: URL, name: String, progress: Progress) throws -> [String] {
        guard let reader = archive_read_new() else {
            throw DatasetError.archive(file: name, reason: "libarchive could not allocate a reader")
        }
        defer { archive_read_free(reader) }
        let kind = ArchiveKind(fileName: archive.lastPathComponent)
        kind.enable(on: reader)
        func failure(_ what: String) -> DatasetError {
            let detail = archive_error_string(reader).map { String(cString: $0) } ?? "unknown error"
            return .archive(file: name, reason: "\(what): \(detail)")
        }
        guard archive_read_open_filename(reader, archive.path, 1 << 16) == ARCHIVE_OK else {
            throw failure("cannot open")
        }
        let archiveSize = (try? FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? NSNumber)?.int64Value ?? 0
        var files: [String] = []
        // The paths of the files and links written so far.
        var paths = Set<String>()
        var written: Int64 = 0
        var entries = 0
        var entry: OpaquePointer?
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let status = archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let entry else { throw failure("corrupt or truncated archive") }
            let isRaw = archive_format(reader) & ARCHIVE_FORMAT_BASE_MASK == ARCHIVE_FORMAT_RAW
            if entries == 0, let mismatch = kind.mismatch(reader, archive: archive) {
                throw DatasetError.archive(file: name, reason: mismatch)
            }
            entries += 1
            if entries > entryLimit { throw DatasetError.unpackedEntryLimit(file: name, limit: entryLimit) }
            let path = isRaw ? rawEntryName(archive) : entryPath(entry)
            let relative = try Self.checkedRelativePath(path, archive: name)
            let target = root.appendingPathComponent(relative.joined(separator: "/"))
            try refuseSymbolicLinkParents(relative, root: root, archive: name, entry: path)
            let type = archive_entry_filetype(entry) & CArchiveFileTypeMask
            if type != CArchiveDirectory || isRaw, !paths.insert(relative.joined(separator: "/")).inserted {
                throw DatasetError.unsafeEntry(file: name, entry: path, reason: "the archive holds this path twice, and the second entry "
                                                + "would silently replace the first")
            }
            if let hardlink = string(archive_entry_hardlink_utf8(entry)) ?? string(archive_entry_hardlink(entry)) {
                let source = try Self.checkedRelativePath(hardlink, archive: name)
                try refuseSymbolicLinkParents(source, root: root, archive: name, entry: path)
                try createParent(of: target, archive: name, entry: path)
                if link(root.appendingPathComponent(source.joined(separator: "/")).path, target.path) != 0 {
                    throw DatasetError.archive(file: name, reason: "hard link '\(path)' -> '\(hardlink)' failed: \(String(cString: strerror(errno)))")
                }
                files.append(relative.joined(separator: "/"))
            } else if type == CArchiveDirectory {
                try createFolder(target, archive: name, entry: path)
            } else if type == CArchiveSymbolicLink {
                let destination = string(archive_entry_symlink_utf8(entry)) ?? string(archive_entry_symlink(entry)) ?? ""
                try Self.checkSymbolicLink(path: relative, target: destination, archive: name)
                try createParent(of: target, archive: name, entry: path)
                if symlink(destination, target.path) != 0 {
                    throw DatasetError.archive(file: name, reason: "symbolic link '\(path)' failed: \(String(cString: strerror(errno)))")
                }
            } else if type == CArchiveRegularFile || isRaw {
                try createParent(of: target, archive: name, entry: path)
                let copied = try copyData(reader, to: target, entry: path, buffer: buffer, written: written, name: name, failure: failure) {
                    progress(archive_filter_bytes(reader, -1), archiveSize)
                }
                if isRaw, !copied.sawNonZero {
                    throw DatasetError.archive(file: name, reason: kind.blankContent(bytes: copied.total - written, reader: reader))
                }
                written = copied.total
                files.append(relative.joined(separator: "/"))
            } else {
                throw DatasetError.unsafeEntry(file: name, entry: path, reason: "special files (devices, FIFOs, sockets) are not unpacked")
            }
        }
        if entries == 0 { throw DatasetError.archive(file: name, reason: kind.noEntries(reader)) }
        return files.sorted()
    }

    /// Streams the current entry's data to `target`, enforcing the size limit. Returns the running
    /// total of bytes written and whether this entry held any non-zero byte.
    private func copyData(_ reader: OpaquePointer, to target: URL, entry: String, buffer: UnsafeMutableRawPointer, written: Int64,
                          name: String, failure: (String) -> DatasetError,
                          progress: () -> Void) throws -> (total: Int64, sawNonZero: Bool) {
        unlink(target.path)
        let descriptor = open(target.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw DatasetError.archive(file: name, reason: "entry '\(entry)' cannot be unpacked: \(String(cString: strerror(errno))) "
                                        + "(another entry of the same path is a folder, or the name is too long for the file system)")
        }
        defer { close(descriptor) }
        var total = written
        var sawNonZero = false
        while true {
            let count = archive_read_data(reader, buffer, 1 << 16)
            if count == 0 { break }
            guard count > 0 else { throw failure("corrupt or truncated data in '\(target.lastPathComponent)'") }
            total += Int64(count)
            if total > limit { throw DatasetError.unpackedSizeLimit(file: name, limit: limit) }
            if !sawNonZero {
                let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
                sawNonZero = bytes.contains { $0 != 0 }
            }
            var offset = 0
            while offset < count {
                let result = write(descriptor, buffer + offset, count - offset)
                guard result > 0 else {
                    throw DatasetError.output(path: target.path, reason: "write failed: \(String(cString: strerror(errno)))")
                }
                offset += result
            }
            progress()
        }
        return (total, sawNonZero)
    }

    private func entryPath(_ entry: OpaquePointer) -> String {
        string(archive_entry_pathname_utf8(entry)) ?? string(archive_entry_pathname(entry)) ?? ""
    }

    /// A bare compressed file's entry: the archive name without its compression extension.
    private func rawEntryName(_ archive: URL) -> String {
        let fileName = archive.lastPathComponent
        for suffix in Self.compressionExtensions where fileName.lowercased().hasSuffix(suffix) && fileName.count > suffix.count {
            return String(fileName.dropLast(suffix.count))
        }
        return fileName
    }

    private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private func createParent(of url: URL, archive: String, entry: String) throws {
        try createFolder(url.deletingLastPathComponent(), archive: archive, entry: entry)
    }

    /// Creates a folder for an entry; a clash with a file of the same name (or a name the file
    /// system refuses) is an error naming the archive and the entry.
    private func createFolder(_ url: URL, archive: String, entry: String) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.archive(file: archive, reason: "entry '\(entry)' cannot be unpacked: its folder \(url.lastPathComponent) "
                                        + "clashes with a file of the same name or is refused by the file system")
        }
    }

    /// Refuses to write below a path component that is (already) a symbolic link.
    private func refuseSymbolicLinkParents(_ components: [String], root: URL, archive: String, entry: String) throws {
        var current = root
        for component in components.dropLast() {
            current = current.appendingPathComponent(component)
            var info = stat()
            if lstat(current.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
                throw DatasetError.unsafeEntry(file: archive, entry: entry, reason: "its path runs through the symbolic link '\(component)'")
            }
        }
    }

    /// The components of an entry path, refusing absolute paths and `..`; `.` and empty parts dropped.
    static func checkedRelativePath(_ path: String, archive: String) throws -> [String] {
        if path.hasPrefix("/") || path.hasPrefix("\\") {
            throw DatasetError.unsafeEntry(file: archive, entry: path, reason: "absolute paths are not allowed")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        if components.contains("..") {
            throw DatasetError.unsafeEntry(file: archive, entry: path, reason: "'..' components would escape the target folder")
        }
        if components.isEmpty {
            throw DatasetError.unsafeEntry(file: archive, entry: path, reason: "empty entry name")
        }
        return components
    }

    /// Refuses a symbolic link whose target is absolute or leaves the target folder when resolved
    /// from the link's own folder.
    static func checkSymbolicLink(path: [String], target: String, archive: String) throws {
        let entry = path.joined(separator: "/")
        if target.isEmpty || target.hasPrefix("/") {
            throw DatasetError.unsafeEntry(file: archive, entry: entry, reason: "symbolic link to '\(target)' points outside the target folder")
        }
        var depth = path.count - 1
        for component in target.split(separator: "/", omittingEmptySubsequences: true) where component != "." {
            depth += component == ".." ? -1 : 1
            if depth < 0 {
                throw DatasetError.unsafeEntry(file: archive, entry: entry, reason: "symbolic link to '\(target)' points outside the target folder")
            }
        }
    }
}
