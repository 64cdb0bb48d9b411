import Artifacts
import Formats
import Foundation
import NumpyIO
import Selectors
import StageKit

/// The train stage: one (fold, model, selector) run of docs/method.md's protocol on a fetch
/// folder and a split folder, writing every per-epoch artifact, `run.json` and, last,
/// `manifest.json`. A rerun of the same command resumes from the last completed epoch.
public enum TrainStage {
    /// Runs (or resumes) the stage. `log` receives a start line and one line per epoch.
    @discardableResult
    public static func run(_ invocation: StageInvocation<TrainContract>, log: @escaping (String) -> Void) throws -> TrainingSummary {
        // The model's defaults, stated: the manifest, run.json and the checkpoint name the values the run trains with.
        let parameters = invocation.parameters.withModelDefaults
        TrainingEnvironment.prepare(threads: parameters.threads)
        let dataset = invocation.input("dataset"), split = invocation.input("split")
        let inputs = [
            Manifest.Input(name: "dataset", path: dataset.path, sha256: try Manifest.read(from: dataset).outputDigest),
            Manifest.Input(name: "split", path: split.path, sha256: try Manifest.read(from: split).outputDigest),
        ]
        let prepared = try PreparedFold.load(dataset: dataset, split: split, fold: parameters.fold,
                                             featureFraction: parameters.featureFraction)
        let folder = try StageFolder<TrainContract>(invocation.output)
        let run = TrainingRun(parameters: parameters, fold: prepared, output: folder.url,
                              inputDigest: inputs.map(\.sha256).joined(separator: ",") + ",fold=\(parameters.fold)", log: log)
        log("train: \(prepared.datasetName) fold \(parameters.fold), \(parameters.model.rawValue) + \(parameters.selector.rawValue), "
            + "n_train=\(prepared.trainCount) d=\(prepared.featureCount) q=\(prepared.labelCount)")
        let applied = invocation.parameters.unstatedModelDefaults
        if !applied.isEmpty {
            log("train: \(parameters.model.rawValue)'s defaults, not stated: "
                + applied.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let notice = run.history.notice { log(notice) }
        let summary: TrainingSummary
        do {
            summary = try run.run()
        } catch let error as TrainingDiverged {
            // A diverged run cannot be resumed usefully: leave nothing of it behind but its log.
            try folder.discardOutputs()
            throw error
        }
        try RunDescription(dataset: prepared.datasetName, labelNames: prepared.labelNames, trainCount: prepared.trainCount,
                           parameters: parameters, modelDefaults: invocation.parameters.unstatedModelDefaults,
                           historyThinning: run.history.thinning).write(to: folder.file(TrainFiles.run))
        TestKillPoint.reached(TrainFiles.run)
        try folder.complete(parameters: parameters, inputs: inputs, command: invocation.command)
        TestKillPoint.reached(Manifest.fileName)
        return summary
    }
}
