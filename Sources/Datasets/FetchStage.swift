import Artifacts
import Formats
import Foundation
import StageKit

/// The fetch stage: catalog name → verified archive → `source/` + normalised dataset + manifest.
public enum FetchStage {
    /// Everything one run needs: the stage's parameters and what the environment adds.
    public struct Options: Sendable {
        public var parameters: FetchParameters
        public var output: URL
        /// Mirror folders searched after `parameters.mirror` (`MLBATCH_MIRROR`).
        public var environmentMirrors: [URL]
        public var downloader: Downloader
        /// The command line recorded in the manifest.
        public var command: [String]

        public init(parameters: FetchParameters, output: URL, environmentMirrors: [URL] = [],
                    downloader: Downloader = Downloader(), command: [String] = CommandLine.arguments) {
            self.parameters = parameters
            self.output = output
            self.environmentMirrors = environmentMirrors
            self.downloader = downloader
            self.command = command
        }

        /// The options of a parsed command line, with `MLBATCH_MIRROR`'s folders.
        public init(_ invocation: StageInvocation<FetchContract>) {
            self.init(parameters: invocation.parameters, output: invocation.output,
                      environmentMirrors: ArchiveLocator.mirrors(fromEnvironment: ProcessInfo.processInfo.environment["MLBATCH_MIRROR"]),
                      command: invocation.command)
        }

        var mirrors: [URL] { parameters.mirror.map { URL(fileURLWithPath: $0) } + environmentMirrors }

        /// The entry to use when the dataset is not in the catalog: an explicit `--url` with
        /// `--sha256`, `--layout`, `--data` and, for mulan, `--xml`; nil otherwise.
        var adHocEntry: CatalogEntry? {
            guard let layout = parameters.layout, let sha256 = parameters.sha256, let first = parameters.url.first,
                  !parameters.data.isEmpty else { return nil }
            let archive = URL(string: first)?.lastPathComponent ?? (first as NSString).lastPathComponent
            return CatalogEntry(name: parameters.dataset, layout: layout, archive: archive, sha256: sha256.lowercased(),
                                urls: parameters.url, data: parameters.data, xml: parameters.xml)
        }
    }

    /// Runs the stage. On failure nothing new is left in `output` (a previous complete result is
    /// kept untouched); on success `manifest.json` is written last.
    @discardableResult
    public static func run(_ options: Options, progress: @escaping Downloader.Progress = { _, _ in }) throws -> DatasetMeta {
        var entry = try resolveEntry(options)
        let parameters = options.parameters
        if let sha256 = parameters.sha256 { entry.sha256 = sha256.lowercased() }
        if !parameters.url.isEmpty { entry.urls = parameters.url }
        let locator = ArchiveLocator(mirrors: options.mirrors, cache: URL(fileURLWithPath: parameters.cache), downloader: options.downloader)
        let located = try locator.locate(archive: entry.archive, sha256: entry.sha256, urls: entry.urls ?? [],
                                         preferURLs: !parameters.url.isEmpty, progress: progress)

        let fileManager = FileManager.default
        let outputExisted = fileManager.fileExists(atPath: options.output.path)
        let staging = options.output.appendingPathComponent(".fetch-staging-\(UUID().uuidString)")
        // Staging folders of an interrupted earlier run would otherwise linger (and be hashed).
        for stale in (try? fileManager.contentsOfDirectory(atPath: options.output.path)) ?? [] where stale.hasPrefix(".fetch-staging-") {
            try? fileManager.removeItem(at: options.output.appendingPathComponent(stale))
        }
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            try Unpacker(limit: parameters.maxUnpackedBytes)
                .unpack(located.file, into: staging.appendingPathComponent(DatasetFiles.source), displayName: entry.archive)
            let loaded = try DatasetLoader.load(entry, from: staging.appendingPathComponent(DatasetFiles.source), impute: parameters.impute)
            let statistics = try DatasetStatistics(loaded.dataset, file: entry.archive)
            let meta = DatasetMeta(
                name: entry.name, layout: entry.layout.rawValue,
                source: .init(archive: entry.archive, sha256: located.sha256, files: entry.data,
                              labelSource: loaded.labelSource, sparseRows: loaded.sparseRows),
                featureNames: loaded.dataset.featureNames, labelNames: loaded.dataset.labelNames,
                statistics: statistics, missingValues: parameters.impute.rawValue)
            try DatasetWriter.write(loaded.dataset, meta: meta, into: staging)
            let folder = try publish(staging, into: options.output)
            try folder.complete(parameters: parameters, inputs: [.init(name: entry.archive, path: located.origin, sha256: located.sha256)],
                                command: options.command)
            return meta
        } catch {
            try? fileManager.removeItem(at: staging)
            if !outputExisted { try? fileManager.removeItem(at: options.output) }
            throw error
        }
    }

    /// The catalog entry named by the options, or the ad-hoc entry for a name the catalog lacks.
    private static func resolveEntry(_ options: Options) throws -> CatalogEntry {
        let catalog = URL(fileURLWithPath: options.parameters.catalog)
        guard let adHoc = options.adHocEntry else {
            return try Catalog.load(catalog).entry(named: options.parameters.dataset)
        }
        if FileManager.default.fileExists(atPath: catalog.path),
           let known = try Catalog.load(catalog).entries.first(where: { $0.name == options.parameters.dataset }) {
            return known
        }
        return adHoc
    }

    /// Moves the staged outputs into `output`, removing the old manifest first so that an
    /// interruption leaves the folder visibly incomplete.
    private static func publish(_ staging: URL, into output: URL) throws -> StageFolder<FetchContract> {
        let fileManager = FileManager.default
        let folder = try StageFolder<FetchContract>(output)
        for name in FetchContract.outputs.map(\.name) {
            let target = output.appendingPathComponent(name)
            if fileManager.fileExists(atPath: target.path) { try fileManager.removeItem(at: target) }
            guard fileManager.fileExists(atPath: staging.appendingPathComponent(name).path) else { continue }
            if rename(staging.appendingPathComponent(name).path, target.path) != 0 {
                throw DatasetError.output(path: target.path, reason: "cannot move into place: \(String(cString: strerror(errno)))")
            }
        }
        try fileManager.removeItem(at: staging)
        return folder
    }
}
