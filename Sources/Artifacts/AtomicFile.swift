import Foundation

/// Writes files so that a reader (or a rerun after a crash) sees either the old content or the
/// complete new content, never a half-written file: data goes to a temporary sibling first,
/// is flushed, and is then renamed over the destination.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating the parent folder if needed.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { temporary in
            try data.write(to: temporary)
        }
    }

    /// Writes a UTF-8 string to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Lets `body` fill a temporary sibling of `url`, then renames it to `url`.
    /// If `body` throws, the temporary file is removed and `url` is untouched; a full device
    /// is reported as ``ArtifactError/noSpace(path:)`` naming `url`.
    public static func write(to url: URL, _ body: (URL) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = temporarySibling(of: url)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try body(temporary)
            try commit(temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ArtifactError.writing(url.path, error)
        }
    }

    /// A unique temporary path beside `url` (same folder, so the final rename is atomic).
    public static func temporarySibling(of url: URL) -> URL {
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))"
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(unique)")
    }

    /// Whether `name` is the name of a temporary sibling (`.<name>.tmp-<pid>-<random>`, see
    /// ``temporarySibling(of:)``): a file a killed writer left behind, unless one is writing it now.
    public static func isTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards), marker.lowerBound > name.startIndex else {
            return false
        }
        let numbers = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        return numbers.count == 2 && numbers.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// Deletes the temporary siblings that killed writers left in `folder` (and, with `recursive`,
    /// in its subfolders); returns their paths relative to `folder`, sorted. Call it only while
    /// nothing writes into `folder`: a live writer's temporary file looks the same.
    @discardableResult
    public static func removeLeftovers(in folder: URL, recursive: Bool = true) throws -> [String] {
        let names: [String]
        if recursive {
            names = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []
        } else {
            names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        }
        let leftovers = names.filter { isTemporary(($0 as NSString).lastPathComponent) }.sorted()
        for leftover in leftovers {
            do {
                try FileManager.default.removeItem(at: folder.appendingPathComponent(leftover))
            } catch {
                throw ArtifactError.io(path: folder.appendingPathComponent(leftover).path,
                                       reason: "cannot delete this temporary file that a killed writer left (\(error.localizedDescription)); delete it by hand")
            }
        }
        return leftovers
    }

    /// Renames a finished temporary file over `url` (POSIX `rename`, atomic on one file system).
    public static func commit(_ temporary: URL, to url: URL) throws {
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            throw ArtifactError.io(path: url.path, reason: "cannot rename \(temporary.lastPathComponent) into place: \(reason)")
        }
    }
}
