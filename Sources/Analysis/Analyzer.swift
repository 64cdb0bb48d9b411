import Artifacts
import Foundation
import NumpyIO

/// Parameters of one analysis.
public struct AnalysisOptions: Sendable {
    public var runs: [URL]
    public var output: URL
    /// Epochs (1-based) whose consecutive pairs get a correlation difference.
    public var driftEpochs: [Int]
    /// Fractions of the final validation Macro-AUC for the convergence-speed table.
    public var convergenceLevels: [Double]
    /// Label pairs listed per run and epoch pair in `drift/drift-pairs.csv`.
    public var topPairs: Int
    /// The command line recorded in the manifest.
    public var command: [String]

    public init(runs: [URL], output: URL, driftEpochs: [Int] = [30, 70], convergenceLevels: [Double] = [0.9, 0.95, 0.99],
                topPairs: Int = 10, command: [String] = []) {
        self.runs = runs
        self.output = output
        self.driftEpochs = driftEpochs
        self.convergenceLevels = convergenceLevels
        self.topPairs = topPairs
        self.command = command
    }

    var parameters: [String: String] {
        ["runs": runs.map(\.path).joined(separator: ","), "drift-epochs": driftEpochs.map(String.init).joined(separator: ","),
         "convergence-levels": convergenceLevels.map { "\($0)" }.joined(separator: ","), "top-pairs": "\(topPairs)"]
    }
}

/// What an analysis produced.
public struct AnalysisOutcome: Sendable {
    public var runCount: Int
    public var warnings: [String]
    public var report: URL
    /// One line per result row that did not learn (also in `flags.json`), for the caller to print.
    public var didNotLearn: [String]
}

/// The analyze stage: reads train folders, writes tables, drift arrays, plots, report.html and
/// manifest.json (last). Outputs of a previous analysis in the same folder are replaced.
public enum Analyzer {
    /// Runs the analysis. `warn` receives one message per excluded run or skipped item.
    /// Throws ``AnalysisError/nothingUsable(problems:)`` only when no run is usable.
    public static func run(_ options: AnalysisOptions, warn: (String) -> Void) throws -> AnalysisOutcome {
        let started = Date()
        let folders = try RunLoader.discover(options.runs)
        let collection = RunCollection(folders: folders)
        var warnings = collection.problems.map(\.description)
        warnings.forEach(warn)
        guard !collection.runs.isEmpty else { throw AnalysisError.nothingUsable(problems: collection.problems.count) }
        let output = options.output.standardizedFileURL
        try clearPrevious(output)
        let writer = OutputWriter(folder: output)

        let runs = collection.runs
        try writer.text(Convergence.longTable(runs).text, "convergence.csv")
        let curves = Convergence.curves(runs)
        try writer.text(Convergence.summaryTable(curves).text, "convergence-summary.csv")
        let speeds = Convergence.speeds(runs, levels: options.convergenceLevels)
        try writer.text(Convergence.speedTable(speeds).text, "convergence-speed.csv")

        let drift = try DriftOutputs.write(runs, pairs: Drift.pairs(options.driftEpochs), topPairs: options.topPairs, writer: writer) { message in
            warnings.append(message)
            warn(message)
        }
        let results = Results(runs)
        try writer.text(results.csv.text, "results.csv")
        try writer.text(results.statisticsCSV.text, "statistics.csv")
        try writer.text(ResultsDocument.markdown(results), "results.md")
        try writer.text(results.floor.json, "flags.json")

        var figures: [DatasetModel: Figures] = [:]
        for group in collection.datasetModels {
            let groupRuns = collection.runs(of: group)
            let f = Figures(
                convergence: Figures.convergence(group, curves: curves.filter { $0.group == group }),
                driftNorms: Figures.driftNorms(group, rows: drift.norms.filter { $0.key.dataset == group.dataset && $0.key.model == group.model }),
                correlation: drift.snapshots[group].map(Figures.correlation),
                selection: try Figures.selection(group, runs: groupRuns))
            try writer.text(f.convergence, "convergence-\(group.stem).svg")
            try writer.text(f.driftNorms, "drift-\(group.stem).svg")
            if let svg = f.correlation { try writer.text(svg, "correlation-\(group.stem).svg") }
            try writer.text(f.selection, "selection-\(group.stem).svg")
            figures[group] = f
        }
        let report = Report(collection: collection, options: options, warnings: warnings, speeds: speeds,
                            results: results, drift: drift, figures: figures, outputs: writer.written)
        try writer.text(report.html, "report.html")

        let inputs = runs.map { run in
            Manifest.Input(name: "train \(run.key)", path: run.folder.path, sha256: run.manifest.outputDigest)
        }
        let manifest = Manifest(stage: "analyze", parameters: options.parameters, inputs: inputs,
                                outputs: try Manifest.hashOutputs(in: output), startedAt: started, finishedAt: Date(),
                                command: options.command)
        try manifest.write(into: output)
        return AnalysisOutcome(runCount: runs.count, warnings: warnings, report: output.appendingPathComponent("report.html"),
                               didNotLearn: results.floor.flagged.map(\.warning))
    }

    /// Removes manifest.json first (the folder is then visibly incomplete) and the files a
    /// previous analysis listed in it.
    static func clearPrevious(_ output: URL) throws {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        guard let previous = try? Manifest.read(from: output) else { return }
        try FileManager.default.removeItem(at: output.appendingPathComponent(Manifest.fileName))
        guard previous.stage == "analyze" else { return }
        for name in previous.outputs.keys where !name.contains("..") {
            try? FileManager.default.removeItem(at: output.appendingPathComponent(name))
        }
    }
}

/// Writes output files atomically and remembers their relative names.
final class OutputWriter {
    let folder: URL
    private(set) var written: [String] = []

    init(folder: URL) { self.folder = folder }

    func text(_ text: String, _ name: String) throws {
        try AtomicFile.write(text, to: folder.appendingPathComponent(name))
        written.append(name)
    }

    func array(_ values: [Float], shape: [Int], _ name: String) throws {
        try NpyFile.write(values, shape: shape, to: folder.appendingPathComponent(name))
        written.append(name)
    }
}
