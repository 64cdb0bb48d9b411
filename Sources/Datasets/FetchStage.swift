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
        var catalog: URL { URL(fileURLWithPath: parameters.catalog) }

        /// The entry `--url`, `--sha256`, `--format` (or `--layout`), `--data` and `--xml` describe
        /// for an ARFF dataset the catalog lacks (checked by `FetchParameters.validate()`); nil
        /// when they describe none.
        public var adHocEntry: CatalogEntry? {
            guard let layout = parameters.layout ?? parameters.format?.arffLayout, let sha256 = parameters.sha256, !parameters.url.isEmpty,
                  !parameters.data.isEmpty else { return nil }
            return CatalogEntry(name: parameters.dataset, layout: layout, archive: sourceFileName, sha256: sha256.lowercased(), urls: parameters.url,
                                data: parameters.data.map { $0.trimmingCharacters(in: .whitespaces) }, xml: parameters.xml)
        }

        /// The file name of the first `--url` (of a URL's path, or of a local path): the name the
        /// archive is cached and described under.
        var sourceFileName: String {
            guard let first = parameters.url.first else { return "\(parameters.dataset).archive" }
            let name = URL(string: first).flatMap { $0.scheme == "http" || $0.scheme == "https" ? $0.lastPathComponent : nil }
                ?? (first.hasPrefix("file:") ? URL(string: first)?.lastPathComponent : nil)
                ?? (first as NSString).lastPathComponent
            return name.isEmpty || name == "/" ? "\(parameters.dataset).archive" : name
        }
    }

    /// What one run fetches: the archive to locate, and how to read what it unpacks to.
    private struct Source {
        enum Reader {
            case arff(CatalogEntry, EntryOrigin)
            case own(OwnDataLoader.Kind)
        }

        var archive: String
        var sha256: String
        var urls: [String]
        var format: DataFormat
        var reader: Reader

        /// `meta.json`'s layout: `mulan` or `meka` for ARFF, the format for the others.
        var layout: String {
            switch reader {
            case let .arff(entry, _): return entry.layout.rawValue
            case .own: return format.rawValue
            }
        }
    }

    /// Runs the stage. On failure nothing new is left in `output` (a previous complete result is
    /// kept untouched); on success `manifest.json` is written last. `progress` hears about the
    /// download, unpacking, parsing and writing (see ``TerminalProgress``); the returned meta's
    /// `warnings` list what the user should be told.
    @discardableResult
    public static func run(_ options: Options, progress: @escaping FetchProgress.Handler = { _ in }) throws -> DatasetMeta {
        // A generated dataset is made as its options describe it (see resolveSource on options built in code).
        if options.parameters.format == .synthetic { try options.parameters.validate() }
        if let spec = options.parameters.syntheticSpec {
            return try produce(options, inputs: [], progress: progress) { _ in
                let loaded = DatasetLoader.Loaded(dataset: try SyntheticDataset.generate(spec), files: [], labelSource: "generated",
                                                  sparseRows: false, warnings: [])
                let source = DatasetMeta.Source(archive: DataFormat.synthetic.rawValue, sha256: "", files: [], labelSource: loaded.labelSource,
                                                sparseRows: false, format: DataFormat.synthetic.rawValue, generator: spec)
                return (loaded, source, DataFormat.synthetic.rawValue)
            }
        }
        let parameters = options.parameters
        let source = try resolveSource(options)
        let locator = ArchiveLocator(mirrors: options.mirrors, cache: URL(fileURLWithPath: parameters.cache), downloader: options.downloader)
        let archiveName = source.archive
        let located = try locator.locate(archive: source.archive, sha256: source.sha256, urls: source.urls,
                                         preferURLs: !parameters.url.isEmpty) { received, total in
            progress(FetchProgress(step: .download, subject: archiveName, done: received, total: total))
        }

        let input = Manifest.Input(name: source.archive, path: located.origin, sha256: located.sha256)
        return try produce(options, inputs: [input], progress: progress) { staging in
            let unpacked = staging.appendingPathComponent(DatasetFiles.source)
            try Unpacker(limit: parameters.maxUnpackedBytes, entryLimit: parameters.maxUnpackedEntries)
                .unpack(located.file, into: unpacked, displayName: source.archive) { read, size in
                    progress(FetchProgress(step: .unpack, subject: archiveName, done: read, total: size))
                }
            let loaded: DatasetLoader.Loaded
            switch source.reader {
            case let .arff(entry, origin):
                loaded = try DatasetLoader.load(
                    entry, from: unpacked,
                    options: .init(impute: parameters.impute, dropAttributes: parameters.dropAttribute, dropIdentifiers: parameters.dropIdentifiers),
                    origin: origin, progress: progress)
            case let .own(kind):
                loaded = try OwnDataLoader.load(kind, parameters: parameters, from: unpacked, archive: source.archive, progress: progress)
            }
            let described = DatasetMeta.Source(archive: source.archive, sha256: located.sha256, files: loaded.files, labelSource: loaded.labelSource,
                                               sparseRows: loaded.sparseRows, format: source.format.rawValue)
            return (loaded, described, source.layout)
        }
    }

    /// Writes what `load` returns (the dataset, its source description and layout) with its
    /// statistics into a staging folder inside `options.output` (`load` may unpack into it), then
    /// moves it into place and writes the manifest; on failure removes what it wrote.
    private static func produce(_ options: Options, inputs: [Manifest.Input], progress: @escaping FetchProgress.Handler,
                                load: (URL) throws -> (DatasetLoader.Loaded, DatasetMeta.Source, String)) throws -> DatasetMeta {
        let parameters = options.parameters
        let fileManager = FileManager.default
        let outputExisted = fileManager.fileExists(atPath: options.output.path)
        let staging = options.output.appendingPathComponent(".fetch-staging-\(UUID().uuidString)")
        // Staging folders of an interrupted earlier run would otherwise linger (and be hashed).
        for stale in (try? fileManager.contentsOfDirectory(atPath: options.output.path)) ?? [] where stale.hasPrefix(".fetch-staging-") {
            try? fileManager.removeItem(at: options.output.appendingPathComponent(stale))
        }
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
            let (loaded, source, layout) = try load(staging)
            let statistics = try DatasetStatistics(loaded.dataset, file: source.archive)
            let meta = DatasetMeta(
                name: parameters.dataset, layout: layout, source: source,
                featureNames: loaded.dataset.featureNames, labelNames: loaded.dataset.labelNames,
                attributes: loaded.dataset.attributes, statistics: statistics, missingValues: parameters.impute.rawValue,
                warnings: loaded.warnings)
            try DatasetWriter.write(loaded.dataset, meta: meta, into: staging) { done, total in
                progress(FetchProgress(step: .write, subject: DatasetFiles.features, done: done, total: total))
            }
            let folder = try publish(staging, into: options.output)
            try folder.complete(parameters: parameters, inputs: inputs, command: options.command)
            return meta
        } catch {
            try? fileManager.removeItem(at: staging)
            if !outputExisted { try? fileManager.removeItem(at: options.output) }
            throw error
        }
    }

    /// The source the options describe: own data (`--format` other than ARFF), the ad-hoc ARFF
    /// entry for a name the catalog lacks, or the catalog's entry (its archive replaced by `--url`
    /// and `--sha256` when given). A description of a name the catalog has is refused: it would
    /// be silently ignored.
    private static func resolveSource(_ options: Options) throws -> Source {
        let parameters = options.parameters
        if let format = parameters.format, let kind = OwnDataLoader.Kind(format) {
            // Own data is read as its options describe it, so they must fit together (the command
            // line and pipelines check this already; options built in code may not have been).
            try parameters.validate()
            try refuseCatalogName(options)
            return Source(archive: options.sourceFileName, sha256: (parameters.sha256 ?? "").lowercased(), urls: parameters.url, format: format,
                          reader: .own(kind))
        }
        var entry: CatalogEntry
        let origin: EntryOrigin
        if let adHoc = options.adHocEntry {
            try refuseCatalogName(options)
            (entry, origin) = (adHoc, .commandLine)
        } else {
            (entry, origin) = (try Catalog.load(options.catalog).entry(named: parameters.dataset), .catalog(options.catalog.path))
            if let sha256 = parameters.sha256 { entry.sha256 = sha256.lowercased() }
            if !parameters.url.isEmpty { entry.urls = parameters.url }
        }
        return Source(archive: entry.archive, sha256: entry.sha256, urls: entry.urls ?? [], format: DataFormat(entry.layout),
                      reader: .arff(entry, origin))
    }

    private static func refuseCatalogName(_ options: Options) throws {
        let dataset = options.parameters.dataset
        if FileManager.default.fileExists(atPath: options.catalog.path),
           try Catalog.load(options.catalog).entries.contains(where: { $0.name == dataset }) {
            throw DatasetError.catalog(path: options.catalog.path, reason: "'\(dataset)' is a dataset of this catalog, but --format (or --layout), "
                                        + "--data and --xml describe a dataset the catalog lacks. Leave them out to fetch the catalog's "
                                        + "'\(dataset)' (--url and --sha256 alone replace its archive), or choose another --dataset name")
        }
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
