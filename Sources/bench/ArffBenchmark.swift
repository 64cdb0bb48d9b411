import Formats
import ArgumentParser
import Datasets
import Foundation

/// `bench arff`: ARFF parse throughput (MB/s) of our parser against liac-arff on the same files.
struct ArffBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arff",
        abstract: "ARFF throughput (MB/s): parsing side by side with liac-arff, and loading every catalog dataset.",
        discussion: "Unpacks the Mulan archives from the mirror into a temporary folder, reads and parses each file "
            + "(best of --repeats), then runs scripts/bench_arff.py (pip install liac-arff) on the same files "
            + "(reading and decoding every row, best of --reference-repeats). Then loads every catalog dataset found in "
            + "the mirror as fetch does (parse, label XML or -C, encoding into features and labels; best of --load-repeats), "
            + "and with --synthetic DIR also two seeded sparse files written there (983 labels; 121,000 rows x 1001 "
            + "features). MB = 10^6 bytes of ARFF text.")

    @Option(help: "Mirror folder holding mulan/*.zip etc. (default: first MLBATCH_MIRROR entry, else ../shared/datasets).")
    var mirror: String?

    @Option(help: "Timed parses per file (the best is kept).")
    var repeats: Int = 20

    @Option(help: "Timed liac-arff loads per file (the best is kept).")
    var referenceRepeats: Int = 3

    @Option(help: "Run the liac-arff reference (true|false).")
    var reference: Bool = true

    @Option(help: "The reference script.")
    var script: String = "scripts/bench_arff.py"

    @Option(help: "Write the figures as JSON to this path.")
    var json: String?

    @Option(help: "The dataset catalog whose datasets are loaded.")
    var catalog: String = "Datasets/catalog.yaml"

    @Option(help: "Timed loads per catalog dataset (the best is kept).")
    var loadRepeats: Int = 5

    @Option(help: "Folder for the synthetic sparse ARFF files (written once, then reused); omitted: not timed.")
    var synthetic: String?

    /// (dataset, archive in the mirror, ARFF member).
    static let cases = [
        ("corel5k", "mulan/corel5k.zip", "corel5k/Corel5k.arff"),
        ("enron", "mulan/enron.tar.bz2", "enron/enron.arff"),
        ("scene", "mulan/scene.tar.gz", "scene/scene-train.arff"),
    ]

    /// One dataset loaded as fetch loads it.
    struct LoadRow: Codable {
        var dataset: String
        var bytes: Int
        var seconds: Double
        var megabytesPerSecond: Double
    }

    struct Row: Codable {
        var dataset: String
        var file: String
        var bytes: Int
        var seconds: Double
        var megabytesPerSecond: Double
        var referenceSeconds: Double?
        var referenceMegabytesPerSecond: Double?
        var ratio: Double?
    }

    func run() throws {
        let mirrorFolder = URL(fileURLWithPath: mirror
            ?? ProcessInfo.processInfo.environment["MLBATCH_MIRROR"]?.split(separator: ":").first.map(String.init)
            ?? "../shared/datasets")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-arff-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var rows: [Row] = []
        var files: [URL] = []
        for (dataset, archive, member) in Self.cases {
            let folder = work.appendingPathComponent(dataset)
            try Unpacker().unpack(mirrorFolder.appendingPathComponent(archive), into: folder)
            let file = folder.appendingPathComponent(member)
            let bytes = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
            var best = Double.infinity
            var checksum = 0
            for _ in 0..<max(1, repeats) {
                let start = ContinuousClock.now
                let table = try ArffParser.parse(contentsOf: file, displayName: member)
                let elapsed = ContinuousClock.now - start
                checksum &+= table.rowCount
                best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }
            precondition(checksum > 0)
            rows.append(Row(dataset: dataset, file: member, bytes: bytes, seconds: best,
                            megabytesPerSecond: Double(bytes) / 1e6 / best))
            files.append(file)
        }
        if reference {
            let figures = try runReference(files)
            for (index, file) in files.enumerated() {
                guard let seconds = figures[file.path] else { continue }
                rows[index].referenceSeconds = seconds
                rows[index].referenceMegabytesPerSecond = Double(rows[index].bytes) / 1e6 / seconds
                rows[index].ratio = seconds / rows[index].seconds
            }
        }
        printTable(rows)
        let loads = try loadCatalog(mirror: mirrorFolder, work: work) + (try loadSynthetic())
        printLoads(loads)
        if let json {
            struct Figures: Encodable { var arff: [Row]; var load: [LoadRow] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(Figures(arff: rows, load: loads)).write(to: URL(fileURLWithPath: json))
        }
    }

    /// Loads every catalog dataset whose archive is in the mirror (best of --load-repeats).
    private func loadCatalog(mirror: URL, work: URL) throws -> [LoadRow] {
        var loads: [LoadRow] = []
        for entry in try Catalog.load(URL(fileURLWithPath: catalog)).entries {
            let archive = mirror.appendingPathComponent(entry.archive)
            guard FileManager.default.fileExists(atPath: archive.path) else { continue }
            let folder = work.appendingPathComponent("load-\(entry.name)")
            try Unpacker().unpack(archive, into: folder)
            let bytes = try entry.data.reduce(0) { $0 + (try size(of: folder.appendingPathComponent($1))) }
            loads.append(try timeLoad(entry, from: folder, bytes: bytes, repeats: loadRepeats))
        }
        return loads
    }

    /// Loads the synthetic sparse files (written into --synthetic on first use).
    private func loadSynthetic() throws -> [LoadRow] {
        guard let synthetic else { return [] }
        let folder = URL(fileURLWithPath: synthetic)
        return try [SyntheticArff.manyLabels, SyntheticArff.manyRows].map { shape in
            let file = try shape.write(into: folder)
            let entry = CatalogEntry(name: shape.name, layout: .meka, archive: shape.name, sha256: "",
                                     data: [file.lastPathComponent])
            return try timeLoad(entry, from: folder, bytes: try size(of: file), repeats: max(1, loadRepeats / 2))
        }
    }

    private func timeLoad(_ entry: CatalogEntry, from folder: URL, bytes: Int, repeats: Int) throws -> LoadRow {
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = Self.threadCPUSeconds()
            let loaded = try DatasetLoader.load(entry, from: folder, origin: .catalog(catalog))
            best = min(best, Self.threadCPUSeconds() - start)
            precondition(loaded.dataset.count > 0)
        }
        return LoadRow(dataset: entry.name, bytes: bytes, seconds: best, megabytesPerSecond: Double(bytes) / 1e6 / best)
    }

    /// CPU time of the calling thread: unlike wall time, it does not grow when other processes
    /// share the cores (the load is single-threaded).
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private func size(of file: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
    }

    private func printLoads(_ loads: [LoadRow]) {
        print("\nload as fetch does (parse + labels + encoding), best of \(loadRepeats), thread CPU time:")
        print("dataset".padding(toLength: 24, withPad: " ", startingAt: 0) + "      MB CPU ms    MB/s")
        for load in loads {
            print(load.dataset.padding(toLength: 24, withPad: " ", startingAt: 0)
                  + String(format: "%8.2f %6.0f %7.1f", Double(load.bytes) / 1e6, load.seconds * 1e3, load.megabytesPerSecond))
        }
    }

    /// Runs the Python reference; returns file path → best seconds.
    private func runReference(_ files: [URL]) throws -> [String: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--repeats", String(referenceRepeats)] + files.map(\.path)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let results = object["files"] as? [String: [String: Any]] else {
            throw ValidationError("the reference script \(script) failed (is liac-arff installed? pip install liac-arff)")
        }
        if let reader = object["reader"] as? String { print("reference: \(reader)") }
        return results.compactMapValues { $0["seconds"] as? Double }
    }

    private func printTable(_ rows: [Row]) {
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
        print("file".padding(toLength: 26, withPad: " ", startingAt: 0) + pad("MB", 7) + pad("ours ms", 10) + pad("ours MB/s", 11)
              + pad("liac ms", 10) + pad("liac MB/s", 11) + pad("ratio", 9))
        for row in rows {
            var line = row.file.padding(toLength: 26, withPad: " ", startingAt: 0)
            line += pad(String(format: "%.2f", Double(row.bytes) / 1e6), 7)
            line += pad(String(format: "%.2f", row.seconds * 1e3), 10) + pad(String(format: "%.1f", row.megabytesPerSecond), 11)
            if let seconds = row.referenceSeconds, let speed = row.referenceMegabytesPerSecond, let ratio = row.ratio {
                line += pad(String(format: "%.0f", seconds * 1e3), 10) + pad(String(format: "%.2f", speed), 11)
                    + pad(String(format: "%.0fx", ratio), 9)
            }
            print(line)
        }
    }
}
