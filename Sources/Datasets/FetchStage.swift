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
        public var maxUnpackedBytes: Int64
        public var output: URL
        public var downloader: Downloader
        /// The command line recorded in the manifest.
        public var command: [String]

        public init(dataset: String, catalog: URL, mirrors: [URL], cache: URL, urls: [String] = [], sha256: String? = nil,
                    impute: ImputePolicy = .error, maxUnpackedBytes: Int64 = Unpacker.defaultLimit, output: URL,
                    downloader: Downloader = Downloader(), command: [String] = CommandLine.arguments) {
            self.dataset = dataset
            self.catalog = catalog
            self.mirrors = mirrors
            self.cache = cache
            self.urls = urls
            self.sha256 = sha256
            self.impute = impute
            self.maxUnpackedBytes = maxUnpackedBytes
            self.output = output
            self.downloader = downloader
            self.command = command
        }
    }

    /// The files the stage writes into the output folder (besides `manifest.json`, written last).
    public static let outputs = ["source", "features.npy", "labels.npy", "meta.json"]

    /// Runs the stage. On failure nothing new is left in `output` (a previous complete result is
    /// kept untouched); on success `manifest.json` is written last.
    @discardableResult
    public static func run(_ options: Options, progress: @escaping Downloader.Progress = { _, _ in }) throws -> DatasetMeta {
        let started = Date()
        let catalog = try Catalog.load(options.catalog)
        var entry = try catalog.entry(named: options.dataset)
        if let sha256 = options.sha256 { entry.sha256 = sha256.lowercased() }
        if !options.urls.isEmpty { entry.urls = options.urls }
        let locator = ArchiveLocator(mirrors: options.mirrors, cache: options.cache, downloader: options.downloader)
        let located = try locator.locate(archive: entry.archive, sha256: entry.sha256, urls: entry.urls ?? [],
                                         preferURLs: !options.urls.isEmpty, progress: progress)

        let fileManager = FileManager.default
        let outputExisted = fileManager.fileExists(atPath: options.output.path)
        let staging = options.output.appendingPathComponent(".fetch-staging-\(UUID().uuidString)")
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            try Unpacker(limit: options.maxUnpackedBytes)
                .unpack(located.file, into: staging.appendingPathComponent("source"), displayName: entry.archive)
            let loaded = try DatasetLoader.load(entry, from: staging.appendingPathComponent("source"), impute: options.impute)
            let statistics = try DatasetStatistics(loaded.dataset, file: entry.archive)
            let meta = DatasetMeta(
                name: entry.name, layout: entry.layout.rawValue,
                source: .init(archive: entry.archive, sha256: located.sha256, files: entry.data,
                              labelSource: loaded.labelSource, sparseRows: loaded.sparseRows),
                featureNames: loaded.dataset.featureNames, labelNames: loaded.dataset.labelNames,
                statistics: statistics, missingValues: options.impute.rawValue)
            try DatasetWriter.write(loaded.dataset, meta: meta, into: staging)
            try publish(staging, into: options.output)
            let manifest = Manifest(
                stage: "fetch",
                parameters: ["dataset": entry.name, "impute": options.impute.rawValue,
                             "max-unpacked-bytes": String(options.maxUnpackedBytes), "sha256": located.sha256],
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

    /// Moves the staged outputs into `output`, removing the old manifest first so that an
    /// interruption leaves the folder visibly incomplete.
    private static func publish(_ staging: URL, into output: URL) throws {
        let fileManager = FileManager.default
        try? fileManager.removeItem(at: output.appendingPathComponent(Manifest.fileName))
        for name in outputs {
            let target = output.appendingPathComponent(name)
            if fileManager.fileExists(atPath: target.path) { try fileManager.removeItem(at: target) }
            if rename(staging.appendingPathComponent(name).path, target.path) != 0 {
                throw DatasetError.output(path: target.path, reason: "cannot move into place: \(String(cString: strerror(errno)))")
            }
        }
        try fileManager.removeItem(at: staging)
    }
}
