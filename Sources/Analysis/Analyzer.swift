import Artifacts
import Formats
import Foundation
import NumpyIO
import StageKit

/// What an analysis produced.
public struct AnalysisOutcome: Sendable {
    public var runCount: Int
    public var warnings: [String]
    public var report: URL
    /// One line per result row that did not learn (also in `flags.json`), for the caller to print.
    public var didNotLearn: [String]
    /// The runs left out because they could not be read (`skip_unreadable`), each with why.
    public var skipped: [Manifest.Skipped]
}

/// The analyze stage: reads train folders, writes tables, drift arrays, plots, report.html and
/// manifest.json (last). Outputs of a previous analysis in the same folder are replaced.
public enum Analyzer {
    /// Runs the analysis. `warn` receives one message per excluded run or skipped item.
    /// Throws ``AnalysisError/unreadableRuns(_:)`` when a run cannot be read and `skip_unreadable`
    /// is off, ``AnalysisError/nothingUsable(problems:)`` when no run is usable.
    public static func run(_ invocation: StageInvocation<AnalyzeContract>, warn: (String) -> Void) throws -> AnalysisOutcome {
        let options = invocation.parameters
        let folders = try RunLoader.discover(invocation.inputs["runs"] ?? [])
        let collection = RunCollection(folders: folders)
        if !collection.unreadable.isEmpty && !options.skipUnreadable {
            throw AnalysisError.unreadableRuns(collection.unreadable.map(\.error.description))
        }
        let skipped = collection.unreadable.map { Manifest.Skipped(path: $0.folder.path, reason: $0.error.description) }
        skipped.forEach { warn("skipped (skip_unreadable): " + $0.reason) }
        var warnings = collection.problems.map(\.description)
        warnings.forEach(warn)
        guard !collection.runs.isEmpty else { throw AnalysisError.nothingUsable(problems: skipped.count + collection.problems.count) }
        let output = invocation.output.standardizedFileURL
        try clearPrevious(output)
        let folder = try StageFolder<AnalyzeContract>(output)
        let writer = OutputWriter(folder: output)

        let runs = collection.runs
        try writer.text(Convergence.longTable(runs).text, AnalysisFiles.convergence)
        let curves = Convergence.curves(runs)
        try writer.text(Convergence.summaryTable(curves).text, AnalysisFiles.convergenceSummary)
        let speeds = Convergence.speeds(runs, levels: options.convergenceLevels)
        try writer.text(Convergence.speedTable(speeds).text, AnalysisFiles.convergenceSpeed)

        let drift = try DriftOutputs.write(runs, pairs: Drift.pairs(options.driftEpochs), topPairs: options.topPairs, writer: writer) { message in
            warnings.append(message)
            warn(message)
        }
        let results = Results(runs)
        let comparisons = Comparisons(runs, declared: options.comparisons)
        for problem in comparisons.problems {
            warnings.append(problem)
            warn(problem)
        }
        try writer.text(results.csv.text, AnalysisFiles.results)
        try writer.text(results.statisticsCSV.text, AnalysisFiles.statistics)
        if !comparisons.declared.isEmpty { try writer.text(comparisons.csv.text, AnalysisFiles.comparisons) }
        try writer.text(ResultsDocument.markdown(results, comparisons: comparisons, skipped: skipped), AnalysisFiles.resultsMarkdown)
        try writer.text(String(decoding: try JSONFiles.encode(results.floor.flags), as: UTF8.self) + "\n", AnalysisFiles.flags)

        var figures: [DatasetModel: Figures] = [:]
        for group in collection.datasetModels {
            let groupRuns = collection.runs(of: group)
            let f = Figures(
                convergence: Figures.convergence(group, curves: curves.filter { $0.group == group }),
                driftNorms: Figures.driftNorms(group, rows: drift.norms.filter { $0.key.dataset == group.dataset && $0.key.model == group.model }),
                correlation: drift.snapshots[group].map(Figures.correlation),
                selection: try Figures.selection(group, runs: groupRuns))
            try writer.text(f.convergence, "convergence-\(group.stem).svg")
            if let svg = f.driftNorms { try writer.text(svg, "drift-\(group.stem).svg") }
            if let svg = f.correlation { try writer.text(svg, "correlation-\(group.stem).svg") }
            try writer.text(f.selection, "selection-\(group.stem).svg")
            figures[group] = f
        }
        let report = Report(collection: collection, invocation: invocation, folder: output, skipped: skipped, warnings: warnings, speeds: speeds,
                            results: results, comparisons: comparisons, drift: drift, figures: figures, outputs: writer.written)
        try writer.text(report.html, AnalysisFiles.report)

        let inputs = runs.map { run in
            Manifest.Input(name: "train \(run.key)", path: run.folder.path, sha256: run.manifest.outputDigest)
        }
        try folder.complete(parameters: options, inputs: inputs, command: invocation.command, skipped: skipped.isEmpty ? nil : skipped)
        return AnalysisOutcome(runCount: runs.count, warnings: warnings, report: folder.file(AnalysisFiles.report),
                               didNotLearn: results.floor.flagged.map(\.warning), skipped: skipped)
    }

    /// Removes the files a previous analysis listed in its manifest (the stage folder then
    /// removes the manifest itself).
    static func clearPrevious(_ output: URL) throws {
        guard let previous = try? Manifest.read(from: output), previous.stage == AnalyzeContract.name else { return }
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
