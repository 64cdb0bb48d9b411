import Artifacts
import Datasets
import Formats
import Foundation
import NumpyIO
import StageKit
import TestSupport

/// Helpers shared by the dataset tests.
enum Fixtures {
    static let catalogURL = TestSupport.packageRoot.appendingPathComponent("Datasets/catalog.yaml")
    static let mirror = TestSupport.datasetsMirror

    /// Parses ARFF text (as if read from `file`).
    static func parse(_ text: String, file: String = "test.arff") throws -> ArffTable {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { try ArffParser.parse(UnsafeBufferPointer($0), file: file) }
    }

    /// The message `FetchParameters.resolve` refuses `given` with (`dataset` defaults to
    /// `mine`), or nil when it accepts them.
    static func parameterMessage(_ given: [String: [String]]) -> String? {
        do {
            _ = try FetchParameters.resolve(given.merging(["dataset": ["mine"]]) { a, _ in a })
            return nil
        } catch {
            return error.description
        }
    }

    /// Fetch options for a catalog dataset from the mirror into a new temporary folder.
    static func options(_ dataset: String, output: URL? = nil, catalog: URL = catalogURL) -> FetchStage.Options {
        var parameters = FetchParameters()
        parameters.dataset = dataset
        parameters.catalog = catalog.path
        parameters.mirror = [mirror.path]
        parameters.cache = TestSupport.temporaryFolder("cache").path
        return FetchStage.Options(parameters: parameters, output: output ?? TestSupport.temporaryFolder("fetch").appendingPathComponent("out"),
                                  command: ["fetch", "--dataset", dataset])
    }

    /// A fetched dataset read back from its `.npy` files.
    struct Fetched {
        var meta: DatasetMeta
        var output: URL
        var features: [Float]
        var labels: [UInt8]
        var n: Int { meta.statistics.instances }
        var d: Int { meta.statistics.features }
        var q: Int { meta.statistics.labels }
    }

    /// Runs the fetch stage for `dataset` and reads the artifacts back.
    static func fetch(_ dataset: String) throws -> Fetched {
        let options = options(dataset)
        let meta = try FetchStage.run(options)
        let features = try NpyFile.read(options.output.appendingPathComponent("features.npy"))
        let labels = try NpyFile.read(options.output.appendingPathComponent("labels.npy"))
        precondition(features.shape == [meta.statistics.instances, meta.statistics.features])
        return Fetched(meta: meta, output: options.output, features: try features.values(as: Float.self), labels: try labels.values(as: UInt8.self))
    }

    /// Runs a Python script (python3 with the standard library) and fails on a non-zero exit.
    static func python(_ script: String, _ arguments: [String]) throws {
        let result = try TestSupport.python(script, arguments)
        if result.status != 0 { throw DatasetError.output(path: "python", reason: result.standardError) }
    }

    /// The paths of the files below `folder` (relative, sorted), hidden ones included.
    static func listing(_ folder: URL) -> [String] {
        ((FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []).sorted()
    }

    /// A catalog + mirror holding one tar.gz with the given member files, for bad-input cases.
    static func badDataset(_ files: [String: String], data: [String], xml: String?, layout: String) throws -> FetchStage.Options {
        let mirror = TestSupport.temporaryFolder("bad-mirror")
        let archive = mirror.appendingPathComponent("bad.tar.gz")
        let script = """
            import io, sys, tarfile, json
            with tarfile.open(sys.argv[1], "w:gz") as tar:
                for name, text in json.loads(sys.argv[2]).items():
                    data = text.encode(); info = tarfile.TarInfo(name); info.size = len(data); tar.addfile(info, io.BytesIO(data))
            """
        try python(script, [archive.path, String(decoding: try JSONSerialization.data(withJSONObject: files), as: UTF8.self)])
        return try catalogued(archive, data: data, xml: xml, layout: layout)
    }

    /// Fetch options for a catalog entry `bad` whose archive is `archive` (in its own mirror folder).
    static func catalogued(_ archive: URL, data: [String], xml: String?, layout: String) throws -> FetchStage.Options {
        let mirror = archive.deletingLastPathComponent()
        let sha = try SHA256.hex(ofFile: archive)
        let catalog = mirror.appendingPathComponent("catalog.yaml")
        try """
            datasets:
              - name: bad
                layout: \(layout)
                archive: \(archive.lastPathComponent)
                sha256: \(sha)
                data: [\(data.joined(separator: ", "))]
            \(xml.map { "    xml: \($0)" } ?? "")
            """.write(to: catalog, atomically: true, encoding: .utf8)
        var catalogued = Self.options("bad", catalog: catalog)
        catalogued.parameters.mirror = [mirror.path]
        return catalogued
    }
}
