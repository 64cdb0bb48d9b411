import Artifacts
import Foundation

/// Finds a catalog archive: mirror folders first, then the download cache, then the URLs.
/// Every candidate is verified against the expected SHA-256 before it is returned.
public struct ArchiveLocator: Sendable {
    /// Read-only folders holding archives at their catalog paths (e.g. `<mirror>/mulan/corel5k.zip`).
    public var mirrors: [URL]
    /// Where downloads are kept, at their catalog paths.
    public var cache: URL
    public var downloader: Downloader

    public init(mirrors: [URL], cache: URL, downloader: Downloader = Downloader()) {
        self.mirrors = mirrors
        self.cache = cache
        self.downloader = downloader
    }

    /// Mirror folders from a colon-separated list (the `MLBATCH_MIRROR` convention).
    public static func mirrors(fromEnvironment value: String?) -> [URL] {
        (value ?? "").split(separator: ":").map { URL(fileURLWithPath: String($0)) }
    }

    /// A verified archive file and where it came from.
    public struct Located: Sendable {
        public var file: URL
        /// The mirror path or URL.
        public var origin: String
        public var sha256: String
    }

    /// Locates `archive` (a catalog path) with checksum `sha256`. `urls` are tried after the
    /// mirrors and the cache; a URL without a scheme or with `file:` is a local file.
    /// `preferURLs` (explicit `--url`) skips the mirrors.
    public func locate(archive: String, sha256: String, urls: [String], preferURLs: Bool = false,
                       progress: @escaping Downloader.Progress = { _, _ in }) throws -> Located {
        let fileName = (archive as NSString).lastPathComponent
        for mirror in preferURLs ? [] : mirrors {
            for candidate in [mirror.appendingPathComponent(archive), mirror.appendingPathComponent(fileName)]
            where FileManager.default.fileExists(atPath: candidate.path) {
                try verify(candidate, sha256: sha256, deleteOnMismatch: false)
                return Located(file: candidate, origin: candidate.path, sha256: sha256)
            }
        }
        var remote: [URL] = []
        for text in urls {
            if let url = URL(string: text), let scheme = url.scheme, scheme == "http" || scheme == "https" {
                remote.append(url)
            } else {
                let local = text.hasPrefix("file:") ? (URL(string: text) ?? URL(fileURLWithPath: text)) : URL(fileURLWithPath: text)
                guard FileManager.default.fileExists(atPath: local.path) else {
                    throw DatasetError.localSourceMissing(path: local.path, explicit: preferURLs)
                }
                try verify(local, sha256: sha256, deleteOnMismatch: false)
                return Located(file: local, origin: local.path, sha256: sha256)
            }
        }
        let cached = cache.appendingPathComponent(archive)
        if FileManager.default.fileExists(atPath: cached.path) {
            if (try? SHA256.hex(ofFile: cached)) == sha256 {
                return Located(file: cached, origin: cached.path, sha256: sha256)
            }
            try? FileManager.default.removeItem(at: cached)
        }
        var lastFailure: DatasetError?
        for url in remote {
            do {
                try downloader.download(url, to: cached, progress: progress)
            } catch let error as DatasetError {
                lastFailure = error
                continue
            }
            try verify(cached, sha256: sha256, deleteOnMismatch: true)
            return Located(file: cached, origin: url.absoluteString, sha256: sha256)
        }
        if let lastFailure { throw lastFailure }
        throw DatasetError.notFound(file: archive, searched: mirrors.map { $0.appendingPathComponent(archive).path } + [cached.path])
    }

    /// Checks a file's SHA-256; on mismatch deletes it (downloads only) and throws.
    public func verify(_ file: URL, sha256: String, deleteOnMismatch: Bool) throws {
        let actual = try SHA256.hex(ofFile: file)
        guard actual == sha256 else {
            if deleteOnMismatch { try? FileManager.default.removeItem(at: file) }
            throw DatasetError.checksumMismatch(file: file.path, expected: sha256, actual: actual, deleted: deleteOnMismatch)
        }
    }
}
