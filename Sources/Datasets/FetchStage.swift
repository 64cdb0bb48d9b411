import Artifacts
import Foundation

/// The fetch stage: catalog name → verified archive → `source/` + normalised dataset + manifest.
public enum FetchStage {
    /// Everything the stage needs (the command line's resolved options).
    public struct Options: Sendable {
        public var dataset: String
        public var catalog: URL
        public var mirrors: [URL]
        public var cache: URL
        /// Explicit archive locations (URLs or paths) replacing the catalog's; need `sha256`.
        public var urls: [String]
        /// Checksum replacing the catalog's (required with `urls`).
        public var sha256: String?
        public var impute: ImputePolicy
        /// Attributes (ARFF names) left out of the features; see ``DatasetLoader/Options``.
        public var dropAttributes: [String]
        /// Leave out identifier-like attributes (instead of only warning about them).
        public var dropIdentifiers: Bool
        public var maxUnpackedBytes: Int64
        /// Most entries the archive may hold (archive-bomb guard).
        public var maxUnpackedEntries: Int
        public var output: URL
        public var downloader: Downloader
        /// The command line recorded in the manifest.
        public var command: [String]
        /// An entry used when `dataset` is not in the catalog (an explicit `--url` + `--sha256`
        /// with `--layout`, `--data` and, for mulan, `--xml`; see ``SourceDescription``); nil: the
        /// catalog must know the name.
        public var adHocEntry: CatalogEntry?

        public init(dataset: String, catalog: URL, mirrors: [URL], cache: URL, urls: [String] = [], sha256: String? = nil,
                    impute: ImputePolicy = .error, dropAttributes: [String] = [], dropIdentifiers: Bool = false,
                    maxUnpackedBytes: Int64 = Unpacker.defaultLimit, maxUnpackedEntries: Int = Unpacker.defaultEntryLimit,
                    output: URL, downloader: Downloader = Downloader(), command: [String] = CommandLine.arguments) {
            self.dataset = dataset
            self.catalog = catalog
            self.mirrors = mirrors
            self.cache = cache
            self.urls = urls
            self.sha256 = sha256
            self.impute = impute
            self.dropAttributes = dropAttributes
            self.dropIdentifiers = dropIdentifiers
            self.maxUnpackedBytes = maxUnpackedBytes
            self.maxUnpackedEntries = maxUnpackedEntries
            self.output = output
            self.downloader = downloader
            self.command = command
        }
    }

    /// The files the stage may write into the output folder (besides `manifest.json`, written last).
    public static let outputs = ["source", "features.npy", DatasetWriter.csrFileName, "labels.npy", "meta.json"]

    /// Runs the stage. On failure nothing new is left in `output` (a previous complete result is
    /// kept untouched); on success `manifest.json` is written last. `progress` hears about the
    /// download, unpacking, parsing and writing (see ``TerminalProgress``); the returned meta's
    /// `warnings` list what the user should be told.
    @discardableResult
    public static func run(_ options: Options, progress: @escaping FetchProgress.Handler = { _ in }) throws -> DatasetMeta {
        let started = Date()
        var (entry, origin) = try resolveEntry(options)
        if let sha256 = options.sha256 { entry.sha256 = sha256.lowercased() }
        if !options.urls.isEmpty { entry.urls = options.urls }
        let locator = ArchiveLocator(mirrors: options.mirrors, cache: options.cache, downloader: options.downloader)
        let archiveName = entry.archive
        let located = try locator.locate(archive: entry.archive, sha256: entry.sha256, urls: entry.urls ?? [],
                                         preferURLs: !options.urls.isEmpty) { received, total in
            progress(FetchProgress(step: .download, subject: archiveName, done: received, total: total))
        }

        let fileManager = FileManager.default
        let outputExisted = fileManager.fileExists(atPath: options.output.path)
        let staging = options.output.appendingPathComponent(".fetch-staging-\(UUID().uuidString)")
        // Staging folders of an interrupted earlier run would otherwise linger (and be hashed).
        for stale in (try? fileManager.contentsOfDirectory(atPath: options.output.path)) ?? [] where stale.hasPrefix(".fetch-staging-") {
            try? fileManager.removeItem(at: options.output.appendingPathComponent(stale))
        }
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            try Unpacker(limit: options.maxUnpackedBytes, entryLimit: options.maxUnpackedEntries)
                .unpack(located.file, into: staging.appendingPathComponent("source"), displayName: entry.archive) { read, size in
                    progress(FetchProgress(step: .unpack, subject: archiveName, done: read, total: size))
                }
            let loaded = try DatasetLoader.load(
                entry, from: staging.appendingPathComponent("source"),
                options: .init(impute: options.impute, dropAttributes: options.dropAttributes, dropIdentifiers: options.dropIdentifiers),
                origin: origin, progress: progress)
            let statistics = try DatasetStatistics(loaded.dataset, file: entry.archive)
            let meta = DatasetMeta(
                name: entry.name, layout: entry.layout.rawValue,
                source: .init(archive: entry.archive, sha256: located.sha256, files: entry.data,
                              labelSource: loaded.labelSource, sparseRows: loaded.sparseRows),
                featureNames: loaded.dataset.featureNames, labelNames: loaded.dataset.labelNames,
                attributes: loaded.dataset.attributes, statistics: statistics, missingValues: options.impute.rawValue,
                warnings: loaded.warnings)
            try DatasetWriter.write(loaded.dataset, meta: meta, into: staging) { done, total in
                progress(FetchProgress(step: .write, subject: "features.npy", done: done, total: total))
            }
            try publish(staging, into: options.output)
            var parameters = ["dataset": entry.name, "impute": options.impute.rawValue,
                              "max-unpacked-bytes": String(options.maxUnpackedBytes),
                              "max-unpacked-entries": String(options.maxUnpackedEntries), "sha256": located.sha256]
            if !options.dropAttributes.isEmpty { parameters["drop-attributes"] = options.dropAttributes.joined(separator: ",") }
            if options.dropIdentifiers { parameters["drop-identifiers"] = "true" }
            let manifest = Manifest(
                stage: "fetch", parameters: parameters,
                inputs: [.init(name: entry.archive, path: located.origin, sha256: located.sha256)],
                outputs: try Manifest.hashOutputs(in: options.output),
                startedAt: started, finishedAt: Date(), command: options.command)
            try manifest.write(into: options.output)
            return meta
        } catch {
            try? fileManager.removeItem(at: staging)
            if !outputExisted { try? fileManager.removeItem(at: options.output) }
            throw error
        }
    }

    /// The catalog entry named by the options, or the ad-hoc entry for a name the catalog lacks.
    /// An ad-hoc description of a name the catalog has is refused: it would be silently ignored.
    private static func resolveEntry(_ options: Options) throws -> (CatalogEntry, EntryOrigin) {
        guard let adHoc = options.adHocEntry else {
            return (try Catalog.load(options.catalog).entry(named: options.dataset), .catalog(options.catalog.path))
        }
        if FileManager.default.fileExists(atPath: options.catalog.path),
           try Catalog.load(options.catalog).entries.contains(where: { $0.name == options.dataset }) {
            throw DatasetError.catalog(path: options.catalog.path, reason: "'\(options.dataset)' is a dataset of this catalog, but --layout, --data "
                                        + "and --xml describe a dataset the catalog lacks. Leave them out to fetch the catalog's "
                                        + "'\(options.dataset)' (--url and --sha256 alone replace its archive), or choose another --dataset name")
        }
        return (adHoc, .commandLine)
    }

    /// Moves the staged outputs into `output`, removing the old manifest first so that an
    /// interruption leaves the folder visibly incomplete.
    private static func publish(_ staging: URL, into output: URL) throws {
        let fileManager = FileManager.default
        try? fileManager.removeItem(at: output.appendingPathComponent(Manifest.fileName))
        for name in outputs {
            let target = output.appendingPathComponent(name)
            if fileManager.fileExists(atPath: target.path) { try fileManager.removeItem(at: target) }
            guard fileManager.fileExists(atPath: staging.appendingPathComponent(name).path) else { continue }
            if rename(staging.appendingPathComponent(name).path, target.path) != 0 {
                throw DatasetError.output(path: target.path, reason: "cannot move into place: \(String(cString: strerror(errno)))")
            }
        }
        try fileManager.removeItem(at: staging)
    }
}
