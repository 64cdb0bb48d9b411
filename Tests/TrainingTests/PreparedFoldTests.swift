import StageKit
import Formats
import Artifacts
import Foundation
import NumpyIO
import Testing
import TestSupport
@testable import Training

/// A tiny dataset and split artifact written by the test: 6 rows, 3 features, 3 labels, one fold.
private func writeTinyArtifacts(into folder: URL) throws -> (dataset: URL, split: URL) {
    let dataset = folder.appendingPathComponent("fetch"), split = folder.appendingPathComponent("split")
    // Column 0 spans [0, 10] on the training rows; column 1 is constant; column 2 is large.
    let features: [Float] = [
        0, 5, 100,  // train
        10, 5, 200,  // train
        5, 5, 300,  // train
        20, 5, 0,  // validation: outside the training range on column 0
        -10, 5, 0,  // test
        2, 5, 50,  // train
    ]
    let labels: [UInt8] = [
        1, 0, 1,
        1, 0, 0,
        0, 0, 1,
        1, 1, 0,
        0, 1, 1,
        1, 0, 0,
    ]
    try NpyFile.write(features, shape: [6, 3], to: dataset.appendingPathComponent("features.npy"))
    try NpyFile.write(labels, shape: [6, 3], to: dataset.appendingPathComponent("labels.npy"))
    let statistics = DatasetStatistics(instances: 6, features: 3, labels: 3, cardinality: 1.5, density: 0.5, distinctLabelSets: 5,
                                       imbalanceRatio: [1, 2, 1.33], meanImbalanceRatio: 1.44)
    let meta = DatasetMeta(name: "tiny", layout: "meka", source: .init(archive: "tiny.arff", sha256: "", files: ["tiny.arff"], labelSource: "meka:-C 3",
                                                                        sparseRows: false),
                           featureNames: ["x", "y", "z"], labelNames: ["a", "b", "c"], attributes: [], statistics: statistics,
                           missingValues: "error", warnings: [])
    try AtomicFile.write(try meta.encoded(), to: dataset.appendingPathComponent(DatasetFiles.meta))
    try NpyFile.write([UInt8(0), 0, 0, 1, 2, 0], shape: [1, 6], to: split.appendingPathComponent("roles.npy"))
    try NpyFile.write([Int32(0), 1, 2], shape: [3], to: split.appendingPathComponent(SplitFiles.keptLabels))
    return (dataset, split)
}

private func close(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 }
}

@Suite struct PreparedFoldTests {
    @Test func scalesWithTrainingStatisticsOnly() throws {
        let (dataset, split) = try writeTinyArtifacts(into: TestSupport.temporaryFolder())
        let fold = try PreparedFold.load(dataset: dataset, split: split, fold: 0)
        #expect(fold.trainRows == [0, 1, 2, 5])
        #expect(fold.validationRows == [3] && fold.testRows == [4])
        // Column 0: (x − 0) / 10; column 1 is constant → 0; column 2: (x − 50) / 250.
        #expect(close(fold.trainFeatures, [0, 0, 0.2, 1, 0, 0.6, 0.5, 0, 1, 0.2, 0, 0]))
        #expect(close(fold.validationFeatures, [2, 0, -0.2]))
        #expect(close(fold.testFeatures, [-1, 0, -0.2]))
        #expect(fold.trainLabels == [1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0])
        #expect(fold.labelNames == ["a", "b", "c"] && fold.datasetName == "tiny")
    }

    @Test func usesTheSplitsKeptLabelsAndSelectsFeaturesOnTheTrainingPart() throws {
        let (dataset, split) = try writeTinyArtifacts(into: TestSupport.temporaryFolder())
        // The split kept labels a and c (b was dropped by its label filter).
        try NpyFile.write([Int32(0), 2], shape: [2], to: split.appendingPathComponent(SplitFiles.keptLabels))
        // Training column sums: 17, 20, 650 → a fraction 0.34 keeps ⌈1.02⌉ = 2 columns: 1 and 2.
        let fold = try PreparedFold.load(dataset: dataset, split: split, fold: 0, featureFraction: 0.34)
        #expect(fold.keptLabels == [0, 2] && fold.labelNames == ["a", "c"])
        #expect(fold.keptFeatures == [1, 2])
        #expect(fold.trainLabels == [1, 1, 1, 0, 0, 1, 1, 0])
        for bad: [Int32] in [[2, 0], [0, 3], []] {
            try NpyFile.write(bad, shape: [bad.count], to: split.appendingPathComponent(SplitFiles.keptLabels))
            #expect(throws: TrainingInputError.self) { try PreparedFold.load(dataset: dataset, split: split, fold: 0) }
        }
    }

    @Test func rejectsBadFoldsAndShapes() throws {
        let (dataset, split) = try writeTinyArtifacts(into: TestSupport.temporaryFolder())
        let error = #expect(throws: TrainingInputError.self) { try PreparedFold.load(dataset: dataset, split: split, fold: 3) }
        #expect(error?.description.contains("folds 0…0") == true)
        try NpyFile.write([UInt8](repeating: 0, count: 5), shape: [1, 5], to: split.appendingPathComponent("roles.npy"))
        let shape = #expect(throws: TrainingInputError.self) { try PreparedFold.load(dataset: dataset, split: split, fold: 0) }
        #expect(shape?.description.contains("roles.npy") == true)
    }

    /// ±3e38 values in a column overflow its min–max range (they gave NaN features, then "training
    /// diverged … lower the learning rate"): refused naming the file, the column and the feature.
    @Test func rangeBeyondFloat32IsRefusedNamingTheColumn() throws {
        let (dataset, split) = try writeTinyArtifacts(into: TestSupport.temporaryFolder())
        var features = try NpyFile.read(dataset.appendingPathComponent("features.npy")).values(as: Float.self)
        features[0 * 3 + 2] = -3e38
        features[1 * 3 + 2] = 3e38
        try NpyFile.write(features, shape: [6, 3], to: dataset.appendingPathComponent("features.npy"))
        let error = #expect(throws: TrainingInputError.self) { try PreparedFold.load(dataset: dataset, split: split, fold: 0) }
        #expect(error == .rangeOverflow(path: dataset.appendingPathComponent("features.npy").path, column: 2, name: "z", minimum: -3e38, maximum: 3e38))
        #expect(error?.description.contains("column 2 (feature 'z') holds values of ±3e38 scale, from -3e+38 to 3e+38 on the training rows") == true,
                "\(String(describing: error))")
        // A large but representable range is scaled as usual.
        features[0 * 3 + 2] = 0
        try NpyFile.write(features, shape: [6, 3], to: dataset.appendingPathComponent("features.npy"))
        let fold = try PreparedFold.load(dataset: dataset, split: split, fold: 0)
        #expect(!fold.trainFeatures.contains { !$0.isFinite })
    }

    /// An explicit `history_every` thins predictions.npy alone; correlation.npy keeps every epoch.
    @Test func keptPredictionEpochsIncludeTheLast() throws {
        let folder = TestSupport.temporaryFolder()
        let parameters = TrainParameters().with { $0.epochs = 10; $0.warmupEpochs = 2; $0.historyEvery = 4; $0.historyDtype = .float16 }
        let plan = HistoryPlan(parameters: parameters, trainCount: 2, labelCount: 1)
        _ = try HistoryWriters(folder: folder, plan: plan, trainCount: 2, labelCount: 1, drawsPerEpoch: 2, encoding: .float16,
                               recordsCorrelation: true, resume: false)
        #expect(plan.predictionEpochs == [2, 6, 10] && plan.correlationEpochs == Array(1...10))
        #expect(try MappedNpyFile(NpySliceWriter.partialURL(for: folder.appendingPathComponent(TrainFiles.predictions))).header.shape == [3, 2, 1])
        #expect(try MappedNpyFile(NpySliceWriter.partialURL(for: folder.appendingPathComponent(TrainFiles.correlation))).header.shape == [10, 1, 1])
    }

    /// Wall times go to timings.csv, so epochs.csv is the same for the same inputs.
    @Test func epochCSVHasTheContractHeaderAndNoWallTimes() throws {
        let folder = TestSupport.temporaryFolder()
        try EpochRecord.writeCSV([EpochRecord(epoch: 1, trainLoss: 0.5, validationLoss: 0.25, validationMacroAUC: 0.75,
                                              pressure: 100, seconds: 1.23456, selectionSeconds: 0.01234)], into: folder)
        #expect(try String(contentsOf: folder.appendingPathComponent(TrainFiles.epochs), encoding: .utf8)
            == "epoch,train_loss,validation_loss,validation_macro_auc,pressure\n1,0.5,0.25,0.75,100.0\n")
        #expect(try String(contentsOf: folder.appendingPathComponent(TrainFiles.timings), encoding: .utf8)
            == "epoch,seconds,selection_seconds\n1,1.235,0.0123\n")
        #expect(TrainContract.undigestedOutputs.contains(TrainFiles.timings) && !TrainContract.undigestedOutputs.contains(TrainFiles.epochs))
    }
}
