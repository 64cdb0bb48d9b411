import Artifacts
import Formats
import Foundation
import NumpyIO
import StageKit

/// The split stage: reads a fetch folder's label matrix and writes `folds.npy`, `roles.npy`,
/// `split-report.json` and, last, `manifest.json`.
public enum SplitStage {
    /// Runs the stage and returns the report it wrote.
    @discardableResult
    public static func run(_ invocation: StageInvocation<SplitContract>) throws -> SplitReport {
        let parameters = invocation.parameters
        let dataset = invocation.input("dataset")
        let labelsURL = dataset.appendingPathComponent(DatasetFiles.labels)
        let matrix = try SplitInput.readLabels(labelsURL, datasetFolder: dataset)
        let options = SplitOptions(folds: parameters.folds, order: parameters.order, validationFraction: parameters.validation,
                                   holdoutFraction: parameters.holdout, seed: parameters.seed, restarts: parameters.restarts)
        // The authors' filter runs on the whole dataset, before the folds are made.
        let filter = try parameters.dropLabelsAtMost.map { threshold throws(StratificationError) in
            try LabelFilter(labels: matrix, dropAtMost: threshold)
        }
        let kept = filter?.kept ?? Array(0..<matrix.labels)
        let stratified = filter == nil ? matrix : matrix.keepingLabels(kept)
        let split = try StratifiedSplit(labels: stratified, options: options)
        let labelNames = FileManager.default.fileExists(atPath: dataset.appendingPathComponent(DatasetFiles.meta).path)
            ? try DatasetMeta.read(from: dataset).labelNames : []
        let report = SplitReport(labels: stratified, split: split, labelFilter: filter?.report(labelNames: labelNames))

        let folder = try StageFolder<SplitContract>(invocation.output)
        try NpyFile.write(split.folds, shape: [split.rows], to: folder.file(SplitFiles.folds))
        try NpyFile.write(split.roles, shape: [split.heldOutCount, split.rows], to: folder.file(SplitFiles.roles))
        try NpyFile.write(kept.map(Int32.init), shape: [kept.count], to: folder.file(SplitFiles.keptLabels))
        try JSONFiles.write(report, to: folder.file(SplitFiles.report))
        try folder.complete(parameters: parameters,
                            inputs: [.init(name: "labels", path: labelsURL.path, sha256: try SHA256.hex(ofFile: labelsURL))],
                            command: invocation.command)
        return report
    }
}
