import Formats
import Foundation
import Yams

/// One dataset of `Datasets/catalog.yaml`.
public struct CatalogEntry: Codable, Equatable, Sendable {
    /// The name users pass to `fetch --dataset`.
    public var name: String
    public var layout: DatasetLayout
    public var description: String?
    /// Where the files come from (provenance, for people).
    public var upstream: String?
    /// The archive's path inside a mirror folder (e.g. `mulan/corel5k.zip`); also its cache path.
    public var archive: String
    /// SHA-256 of the archive (lower-case hex).
    public var sha256: String
    /// Download URLs serving exactly these bytes, tried in order after the mirrors.
    public var urls: [String]?
    /// ARFF files (paths inside the unpacked archive) whose rows, concatenated, form the dataset.
    public var data: [String]
    /// Mulan label XML (path inside the unpacked archive); required for the mulan layout.
    public var xml: String?

    public init(name: String, layout: DatasetLayout, description: String? = nil, upstream: String? = nil,
                archive: String, sha256: String, urls: [String]? = nil, data: [String], xml: String? = nil) {
        self.name = name
        self.layout = layout
        self.description = description
        self.upstream = upstream
        self.archive = archive
        self.sha256 = sha256
        self.urls = urls
        self.data = data
        self.xml = xml
    }
}

/// The dataset catalog: a YAML file with a `datasets:` list of entries.
public struct Catalog: Sendable {
    public var path: String
    public var entries: [CatalogEntry]

    private struct File: Codable { var datasets: [CatalogEntry] }

    /// Reads and validates a catalog file.
    public static func load(_ url: URL) throws -> Catalog {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw DatasetError.catalog(path: url.path, reason: "cannot read the catalog; pass --catalog PATH (default Datasets/catalog.yaml, relative to the working folder)")
        }
        return try parse(text, path: url.path)
    }

    /// Parses catalog YAML text; `path` is used in messages.
    public static func parse(_ text: String, path: String) throws -> Catalog {
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch {
            throw DatasetError.catalog(path: path, reason: "not a valid catalog (\(error)); each entry needs name, layout, archive, sha256 and data")
        }
        var seen = Set<String>()
        for entry in file.datasets {
            if !seen.insert(entry.name).inserted {
                throw DatasetError.catalog(path: path, reason: "dataset '\(entry.name)' is listed twice; names must be unique")
            }
            if entry.layout == .mulan && entry.xml == nil {
                throw DatasetError.catalog(path: path, reason: "mulan dataset '\(entry.name)' needs an 'xml' member naming its labels")
            }
            if entry.data.isEmpty {
                throw DatasetError.catalog(path: path, reason: "dataset '\(entry.name)' lists no data files")
            }
            if !isHexDigest(entry.sha256) {
                throw DatasetError.catalog(path: path, reason: "dataset '\(entry.name)' has sha256 '\(entry.sha256)'; expected 64 lower-case hex digits")
            }
        }
        return Catalog(path: path, entries: file.datasets)
    }

    /// The names of all entries, in catalog order.
    public var names: [String] { entries.map(\.name) }

    /// The entry called `name`, or an error listing the known names.
    public func entry(named name: String) throws -> CatalogEntry {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw DatasetError.unknownDataset(name: name, catalog: path, known: names)
        }
        return entry
    }

    /// Whether `text` is a SHA-256 digest in lower-case hex.
    public static func isHexDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
