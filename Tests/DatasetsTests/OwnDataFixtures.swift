import Artifacts
import Datasets
import Formats
import Foundation
import NumpyIO
import StageKit
import TestSupport

/// Helpers for the tests of `--format npy|npz|csv|tsv|xmlc`: small real files in a temporary
/// folder, fetched through the whole fetch stage (locator, SHA-256, unpacker, loader, writer).
enum OwnData {
    /// The outputs of one fetch.
    struct Fetched {
        var meta: DatasetMeta
        var output: URL

        func bytes(_ name: String) throws -> Data { try Data(contentsOf: output.appendingPathComponent(name)) }
        func array(_ name: String) throws -> NpyArray { try NpyFile.read(output.appendingPathComponent(name)) }
    }

    /// Fetches `file` (a local path, verified by its real SHA-256) as `format`, with `extra`
    /// parameters (e.g. `["labels": ["a,b"]]`), into a new folder. No catalog and no mirror.
    static func fetch(_ file: URL, format: String, _ extra: [String: [String]] = [:]) throws -> Fetched {
        let given: [String: [String]] = ["dataset": ["mine"], "catalog": ["/nonexistent/catalog.yaml"],
                                         "cache": [TestSupport.temporaryFolder("cache").path], "url": [file.path],
                                         "sha256": [try SHA256.hex(ofFile: file)], "format": [format]]
        let parameters = try FetchParameters.resolve(given.merging(extra) { _, new in new })
        let output = TestSupport.temporaryFolder("own-data").appendingPathComponent("out")
        let meta = try FetchStage.run(FetchStage.Options(parameters: parameters, output: output, command: ["fetch"]))
        return Fetched(meta: meta, output: output)
    }

    /// The message of the error fetching `file` throws (nil when it loads); the output folder
    /// must not be left behind.
    static func refusal(_ file: URL, format: String, _ extra: [String: [String]] = [:]) -> String? {
        do {
            let fetched = try fetch(file, format: format, extra)
            try? FileManager.default.removeItem(at: fetched.output)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Writes `text` to a new file called `name` in a fresh folder.
    static func write(_ text: String, name: String) throws -> URL {
        let url = TestSupport.temporaryFolder("own-data-file").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A zip archive (`name`, ending in .zip) holding `.npy` members: `NpzFile` writes exactly
    /// that layout, and a `.zip` name makes the fetch stage unpack it into `<member>.npy` files.
    static func zip(_ arrays: [(String, NpyArray)], name: String = "arrays.zip") throws -> URL {
        let url = TestSupport.temporaryFolder("own-data-zip").appendingPathComponent(name)
        try NpzFile.write(arrays, to: url)
        return url
    }

    /// A tar archive of `files`, each stored under its file name (Python's tarfile).
    static func tar(_ files: [URL], name: String = "files.tar") throws -> URL {
        let url = TestSupport.temporaryFolder("own-data-tar").appendingPathComponent(name)
        try Fixtures.python("import sys, tarfile, os\nwith tarfile.open(sys.argv[1], 'w') as t:\n    for f in sys.argv[2:]: t.add(f, arcname=os.path.basename(f))",
                            [url.path] + files.map(\.path))
        return url
    }
}
