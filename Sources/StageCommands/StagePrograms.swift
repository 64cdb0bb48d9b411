import Analysis
import Datasets
import Formats
import Foundation
import StageKit
import Stratification
import Training

/// `fetch`: catalog name → verified archive → normalised dataset.
public enum FetchProgram: StageProgram {
    public static func run(_ invocation: StageInvocation<FetchContract>) throws -> String {
        let display = TerminalProgress()
        defer { display.finish() }
        let meta = try FetchStage.run(FetchStage.Options(invocation)) { display.update($0) }
        for warning in meta.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let s = meta.statistics
        return "\(meta.name): \(s.instances) instances, \(s.features) features, \(s.labels) labels, "
            + "cardinality \(String(format: "%.3f", s.cardinality)) -> \(invocation.output.path)"
    }
}

/// `split`: stratified folds of a fetched dataset.
public enum SplitProgram: StageProgram {
    public static func run(_ invocation: StageInvocation<SplitContract>) throws -> String {
        let report = try SplitStage.run(invocation)
        let measures = report.measures
        return String(format: "split: %d instances, %d labels, %@ -> ED=%.3f LD=%.5f FZ=%d FLZ=%d (lower bound %d)",
                      report.instances, report.labels, report.parts.map { "\($0.name)=\($0.size)" }.joined(separator: " "),
                      measures.ED, measures.LD, measures.FZ, measures.FLZ, measures.FLZ_lower_bound)
    }
}

/// `train`: one (fold, model, selector) run; progress lines on stdout.
public enum TrainProgram: StageProgram {
    public static var helpAppendix: String { "\n" + ModelKind.hyperParameterTable + "\n" + ModelKind.defaultsTable }

    public static func run(_ invocation: StageInvocation<TrainContract>) throws -> String {
        let summary = try TrainStage.run(invocation) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        let metrics = summary.testMetrics
        return String(format: "best epoch %d: test macro_auc=%.4f%@ -> %@", metrics.bestEpoch, metrics[.macroAUC] ?? .nan,
                      summary.resumedFromEpoch > 0 ? " (resumed after epoch \(summary.resumedFromEpoch))" : "", invocation.output.path)
    }
}

/// `analyze`: tables, statistics, plots and report.html; warnings on stderr.
public enum AnalyzeProgram: StageProgram {
    public static func run(_ invocation: StageInvocation<AnalyzeContract>) throws -> String {
        let outcome = try Analyzer.run(invocation) { message in
            let line = message.hasPrefix("warning:") ? message : "warning: \(message)"
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        for warning in outcome.didNotLearn { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let notes = (outcome.skipped.isEmpty ? [] : ["\(outcome.skipped.count) skipped as unreadable"])
            + (outcome.warnings.isEmpty ? [] : ["\(outcome.warnings.count) warnings"])
        return "analyzed \(outcome.runCount) runs\(notes.isEmpty ? "" : " (" + notes.joined(separator: ", ") + ")")\n"
            + "report: \(outcome.report.path)"
    }
}
