import ArgumentParser
import Datasets
import Foundation

/// `fetch`: resolve a catalog dataset, verify and unpack its archive, write the normalised dataset.
public struct FetchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch, verify and unpack a dataset and write features.npy, labels.npy and meta.json.",
        discussion: """
            The archive is looked up in the mirror folders (--mirror, then MLBATCH_MIRROR, colon-separated), \
            then in the cache, then downloaded from the catalog's URLs (or --url). Its SHA-256 is verified \
            before unpacking. Exit status: 0 on success, 1 on a runtime error, 64 on bad arguments.
            """)

    @Option(help: "Catalog name of the dataset (e.g. corel5k, scene, yeast).")
    var dataset: String

    @Option(help: "The dataset catalog.")
    var catalog: String = "Datasets/catalog.yaml"

    @Option(name: .customLong("mirror"), help: "A local mirror folder (repeatable); searched before MLBATCH_MIRROR.")
    var mirrors: [String] = []

    @Option(help: "Download cache folder.")
    var cache: String = "Datasets/cache"

    @Option(name: .customLong("url"), help: "Archive URL or local path replacing the catalog's source (repeatable; needs --sha256).")
    var urls: [String] = []

    @Option(help: "Expected SHA-256 of the archive (replaces the catalog's).")
    var sha256: String?

    @Option(help: "With --url for a name not in the catalog: the layout, mulan or meka.")
    var layout: String?

    @Option(help: "With --url for a name not in the catalog: comma-separated ARFF members whose rows form the dataset.")
    var data: String?

    @Option(help: "With --url for a name not in the catalog and --layout mulan: the label XML member.")
    var xml: String?

    @Option(help: "Missing '?' feature values: error (default) or zero. Missing labels are always an error.")
    var impute: String = "error"

    @Option(help: "Stop unpacking beyond this many bytes (zip-bomb guard).")
    var maxUnpackedBytes: Int64 = 4 << 30

    @Option(help: "Output folder (receives source/, features.npy, labels.npy, meta.json, manifest.json).")
    var output: String

    public init() {}

    /// The command line's `--url`/`--sha256`/`--layout`/`--data`/`--xml`.
    private var source: SourceDescription {
        SourceDescription(urls: urls, sha256: sha256, layout: layout, data: data, xml: xml)
    }

    public func validate() throws {
        guard ImputePolicy(rawValue: impute) != nil else {
            throw ValidationError("--impute must be 'error' or 'zero', not '\(impute)'")
        }
        do {
            _ = try source.validated(dataset: dataset)
        } catch {
            throw ValidationError(error.description)
        }
        guard maxUnpackedBytes > 0 else {
            throw ValidationError("--max-unpacked-bytes must be positive")
        }
    }

    public func run() throws {
        let environmentMirrors = ArchiveLocator.mirrors(fromEnvironment: ProcessInfo.processInfo.environment["MLBATCH_MIRROR"])
        var options = FetchStage.Options(
            dataset: dataset, catalog: URL(fileURLWithPath: catalog),
            mirrors: mirrors.map { URL(fileURLWithPath: $0) } + environmentMirrors,
            cache: URL(fileURLWithPath: cache), urls: urls, sha256: sha256,
            impute: ImputePolicy(rawValue: impute) ?? .error, maxUnpackedBytes: maxUnpackedBytes,
            output: URL(fileURLWithPath: output))
        options.adHocEntry = try? source.validated(dataset: dataset)
        let display = TerminalProgress()
        do {
            let meta = try FetchStage.run(options) { display.update($0) }
            display.finish()
            for warning in meta.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            let s = meta.statistics
            print("\(meta.name): \(s.instances) instances, \(s.features) features, \(s.labels) labels, "
                + "cardinality \(String(format: "%.3f", s.cardinality)) -> \(output)")
        } catch {
            display.finish()
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
