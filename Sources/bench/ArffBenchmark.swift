import ArgumentParser
import Datasets
import Foundation

/// `bench arff`: ARFF parse throughput (MB/s) of our parser against liac-arff on the same files.
struct ArffBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arff",
        abstract: "ARFF parse throughput (MB/s) on corel5k and enron (and dense scene), side by side with liac-arff.",
        discussion: "Unpacks the Mulan archives from the mirror into a temporary folder, reads and parses each file into "
            + "a dense matrix (best of --repeats), then runs scripts/bench_arff.py (pip install liac-arff) on the same files "
            + "(reading and decoding every row, best of --reference-repeats). MB = 10^6 bytes of ARFF text.")

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

    /// (dataset, archive in the mirror, ARFF member).
    static let cases = [
        ("corel5k", "mulan/corel5k.zip", "corel5k/Corel5k.arff"),
        ("enron", "mulan/enron.tar.bz2", "enron/enron.arff"),
        ("scene", "mulan/scene.tar.gz", "scene/scene-train.arff"),
    ]

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
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(["arff": rows]).write(to: URL(fileURLWithPath: json))
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
