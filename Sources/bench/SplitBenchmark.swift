import ArgumentParser
import Foundation
import NumpyIO
import Stratification

/// `bench split`: our stratified 5-fold splitter against scikit-multilearn (`skml_o1`) and
/// iterative-stratification (`iterstrat`), side by side: time at the speed seed, quality (ED, LD,
/// FLZ and its lower bound) averaged over the quality seeds, and the targets.
struct SplitBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Stratified k-fold splitting: speed and quality against the Python tools.")

    @Option(help: "Working folder (label matrices, reference results).")
    var workdir = "/tmp/mlbatch-bench-split"
    @Option(help: "Reference script that prepares the data and runs the Python splitters.")
    var script = "scripts/bench_split.py"
    @Option(help: "Run the reference script first (true|false); false uses what the workdir holds.")
    var reference = true
    @Option(help: "Datasets (comma-separated).")
    var datasets = "corel5k,scene,yeast,enron,emotions"
    @Option(help: "Seeds averaged for quality (comma-separated).")
    var seeds = "0,1,2,3,4"
    @Option(help: "Seed of the timed runs.")
    var speedSeed: UInt64 = 42
    @Option(help: "Rows of the replicated-corel5k dataset (0: skip).")
    var largeRows = 100_000
    @Option(help: "Stratification order.")
    var order = 1
    @Option(help: "Runs of the stratifier per split (best kept).")
    var restarts = BestOfRuns.defaultRuns
    @Option(help: "Timed repetitions (best reported).")
    var repeats = 20
    @Option(help: "Write the results as JSON to this path.")
    var json: String?

    static let folds = 5

    func run() throws {
        let seedList = seeds.split(separator: ",").compactMap { UInt64($0) }
        var names = datasets.split(separator: ",").map(String.init)
        if reference {
            let status = try runScript()
            guard status == 0 else { throw ValidationError("reference script \(script) failed with status \(status)") }
        }
        if largeRows > 0 { names.append("corel5k-\(largeRows / 1000)k") }
        let referenceResults = (try? Data(contentsOf: URL(fileURLWithPath: workdir).appendingPathComponent("reference.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]

        var rows: [SplitBenchmarkRow] = []
        for name in names {
            let url = URL(fileURLWithPath: workdir).appendingPathComponent("\(name).labels.npy")
            let array = try NpyFile.read(url)
            let matrix = try LabelMatrix(dense: try array.values(as: UInt8.self, path: url.path),
                                         rows: array.shape[0], labels: array.shape[1])
            let ours = try measureOurs(matrix, name: name, seeds: name.hasPrefix("corel5k-") ? [speedSeed] : seedList)
            rows.append(ours)
            let entry = referenceResults[name] as? [String: Any] ?? [:]
            for method in ["iterstrat", "skml_o1"] {
                if let row = SplitBenchmarkRow(reference: entry[method] as? [String: Any], dataset: name, method: method,
                                               speedSeed: speedSeed, seeds: name.hasPrefix("corel5k-") ? [speedSeed] : seedList) {
                    rows.append(row)
                }
            }
        }
        SplitBenchmarkRow.printTable(rows)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(rows).write(to: URL(fileURLWithPath: json))
        }
    }

    private func runScript() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--workdir", workdir, "--datasets", datasets, "--seeds", seeds,
                             "--speed-seed", String(speedSeed), "--large-rows", String(largeRows)]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func measureOurs(_ matrix: LabelMatrix, name: String, seeds: [UInt64]) throws -> SplitBenchmarkRow {
        let k = Self.folds
        let proportions = [Double](repeating: 1 / Double(k), count: k)
        let desired = [Double](repeating: Double(matrix.rows) / Double(k), count: k)
        func split(_ seed: UInt64) throws -> [Int32] {
            try BestOfRuns.assign(matrix, order: order, proportions: proportions, desiredSizes: desired,
                                  runs: restarts, seed: seed, stream: "split.folds")
        }
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try split(speedSeed)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        var qualities: [SplitQuality] = []
        for seed in seeds {
            qualities.append(SplitQuality(matrix, parts: try split(seed), desiredSizes: desired, includePairs: false))
        }
        let count = Double(qualities.count)
        return SplitBenchmarkRow(dataset: name, method: order == 1 ? "ours" : "ours_o2", seconds: best,
                                 ed: qualities.map(\.examplesDistribution).reduce(0, +) / count,
                                 ld: qualities.map(\.labels.distribution).reduce(0, +) / count,
                                 flz: qualities.map { Double($0.labels.zeroCells) }.reduce(0, +) / count,
                                 flzLowerBound: qualities[0].labels.zeroLowerBound, seeds: seeds.count, error: nil)
    }
}
