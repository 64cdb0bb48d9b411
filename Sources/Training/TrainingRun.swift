import StageKit
import Artifacts
import Formats
import Foundation
import Metrics
import Models
import NumpyIO
import SeededRandom
import Selectors
import Tensors

/// What a finished run reports.
public struct TrainingSummary: Sendable {
    public var testMetrics: TestMetrics
    public var resumedFromEpoch: Int
}

/// What a run trains and how it picks its batches: ``named`` builds the model `model:` and the
/// selector `selector:` name; a model or selector of one's own can be tried in their place before it
/// is registered (docs/how-to-model.md, docs/how-to-selector.md).
public struct TrainingComponents {
    /// The model to train on a fold with these parameters (seeded initialisation).
    public var makeModel: (PreparedFold, TrainParameters) throws -> any MultiLabelModel
    /// The batch selector of the fold's training rows.
    public var makeSelector: (PreparedFold, TrainParameters) -> any BatchSelector

    /// The model and the selector the parameters name.
    public static var named: TrainingComponents {
        TrainingComponents(
            makeModel: { fold, parameters in
                try ModelFactory.make(parameters.modelHyperParameters(), inputDimension: fold.featureCount, labelCount: fold.labelCount,
                                      seed: parameters.seed, trainingLabels: fold.trainLabels)
            },
            makeSelector: { fold, parameters in
                let features = parameters.selector == .hardImbalance
                return BatchSelectors.make(parameters: parameters, labels: fold.trainLabels, labelCount: fold.labelCount,
                                    features: features ? fold.trainFeatures : [], featureCount: features ? fold.featureCount : 0,
                                    seed: parameters.seed)
            })
    }
}

/// One training run of the protocol of docs/method.md §8–9 on a prepared fold: the selector plans each epoch's
/// batches, the model trains on them with Adam (linear learning-rate warm-up over the warm-up
/// epochs), and after every epoch an eval-mode pass over the training rows feeds the selector and
/// the prediction history; the epoch with the best validation Macro-AUC (or, with `test-epoch last`,
/// the last epoch) gives the test metrics and `model.npz`.
///
/// Every epoch ends with a checkpoint, so a killed run resumes from its last completed epoch and
/// produces the same arrays as an uninterrupted one (all randomness is derived per epoch from
/// the seed).
public final class TrainingRun {
    public let parameters: TrainParameters
    public let fold: PreparedFold
    public let output: URL
    /// Fingerprint of configuration and inputs; a checkpoint with another one is not resumed.
    public let fingerprint: String
    private let components: TrainingComponents
    private let log: (String) -> Void

    /// - Parameters:
    ///   - inputDigest: a digest of the input artifacts (part of the resume fingerprint).
    ///   - components: the model and the selector (by default those the parameters name).
    ///   - log: receives one progress line per epoch (the structured ``ProgressEvent`` goes to
    ///     the output folder's progress file).
    public init(parameters: TrainParameters, fold: PreparedFold, output: URL, inputDigest: String,
                components: TrainingComponents = .named, log: @escaping (String) -> Void) {
        self.parameters = parameters
        self.components = components
        self.fold = fold
        self.output = output
        self.log = log
        let texts = parameters.canonicalTexts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        fingerprint = SHA256.hex(of: Data((texts + [inputDigest]).joined(separator: "\n").utf8))
    }

    /// Runs (or resumes) all epochs and writes every artifact except `manifest.json` and `run.json`.
    public func run() throws -> TrainingSummary {
        let n = fold.trainCount, q = fold.labelCount, d = fold.featureCount
        let epochs = parameters.epochs
        let model = try components.makeModel(fold, parameters)
        let session = TrainingSession(model: model, learningRate: parameters.learningRate, weightDecay: parameters.decay,
                                      weightDecayMode: parameters.weightDecayMode)
        let selector = components.makeSelector(fold, parameters)

        // Resume from the last checkpoint when it was made by the same command on the same inputs.
        var state = Checkpoint.State(epoch: 0, records: [], bestEpoch: 0, bestValidationAUC: -.infinity,
                                     bestTestMetrics: [:], trainingSteps: 0, fingerprint: fingerprint)
        if let saved = try Checkpoint.load(from: output), saved.state.fingerprint == fingerprint, saved.state.epoch < epochs {
            try ParameterArchive.load(model, from: saved.folder.appendingPathComponent("model.npz"))
            try ParameterArchive.loadOptimizer(session.optimizer, from: saved.folder.appendingPathComponent("optimizer.npz"))
            try selector.restore(SelectorState.read(from: saved.folder))
            state = saved.state
        } else {
            Checkpoint.remove(from: output)
        }
        let resumedFrom = state.epoch
        let writers = try HistoryWriters(folder: output, epochs: epochs, trainCount: n, labelCount: q,
                                         drawsPerEpoch: parameters.drawsPerEpoch(trainCount: n),
                                         encoding: parameters.historyDtype, recordsCorrelation: parameters.recordsCorrelation,
                                         keepEvery: parameters.historyEvery,
                                         resume: resumedFrom > 0)
        try NpyFile.write(fold.trainRows, shape: [n], to: output.appendingPathComponent(TrainFiles.trainIndices))
        let events = parameters.tensorboard
            ? try TrainingEvents(folder: output, hyperParameters: parameters.canonicalTexts.merging(["dataset": fold.datasetName]) { $1 },
                                 completed: state.records)
            : nil

        let trainTargets = fold.trainLabels.map(Float.init)
        let validationTargets = fold.validationLabels.map(Float.init)
        let batchCapacity = min(parameters.batchSize, n)
        var batchFeatures = [Float](repeating: 0, count: batchCapacity * d)
        var batchTargets = [Float](repeating: 0, count: batchCapacity * q)
        var batchProbabilities = [Float](repeating: 0, count: batchCapacity * q)
        var trainProbabilities = [Float](repeating: 0, count: n * q)
        var validationProbabilities = [Float](repeating: 0, count: fold.validationRows.count * q)
        let stepsPerEpoch = (n + parameters.batchSize - 1) / parameters.batchSize
        let schedule = try LearningRateSchedule(decay: parameters.lrSchedule, stepFactor: Float(parameters.lrStepFactor),
                                                stepEvery: parameters.lrStepEvery, floor: Float(parameters.lrFloor),
                                                warmupEpochs: parameters.warmupEpochs, stepsPerEpoch: stepsPerEpoch, epochs: epochs)
        let recordsBatch = parameters.history == .batch

        for epoch in (resumedFrom + 1)..<(epochs + 1) {
            let started = Date()
            model.noiseGenerator = SeededGenerator(seed: parameters.seed, stream: "model-noise", index: epoch)
            var selectionClock = StageClock()
            let plan = selectionClock.measure { selector.plan(epoch: epoch) }
            var lossSum = 0.0, rowSum = 0
            for k in 0..<plan.batchCount {
                let rows = plan.batch(k)
                let b = rows.count
                gather(rows, from: fold.trainFeatures, width: d, into: &batchFeatures)
                gather(rows, from: trainTargets, width: q, into: &batchTargets)
                state.trainingSteps += 1
                let scale = schedule.factor(step: state.trainingSteps)
                let weights = selectionClock.measure { selector.lossWeights(rows: rows) }
                let loss = batchFeatures.withUnsafeBufferPointer { x in
                    batchTargets.withUnsafeBufferPointer { y in
                        batchProbabilities.withUnsafeMutableBufferPointer { p in
                            let probabilities = recordsBatch ? UnsafeMutableBufferPointer(rebasing: p[0..<(b * q)]) : nil
                            let features = UnsafeBufferPointer(rebasing: x[0..<(b * d)])
                            let targets = UnsafeBufferPointer(rebasing: y[0..<(b * q)])
                            if let weights {
                                return weights.withUnsafeBufferPointer {
                                    session.step(features: features, targets: targets, batchSize: b, elementWeights: $0,
                                                 learningRateScale: scale, probabilities: probabilities)
                                }
                            }
                            return session.step(features: features, targets: targets, batchSize: b,
                                                learningRateScale: scale, probabilities: probabilities)
                        }
                    }
                }
                try DivergenceCheck.check(loss: loss, epoch: epoch, batch: k, learningRate: parameters.learningRate)
                if recordsBatch {
                    selectionClock.measure { selector.observe(rows: rows, probabilities: Array(batchProbabilities[0..<(b * q)])) }
                }
                lossSum += Double(loss) * Double(b)
                rowSum += b
            }

            // Eval-mode history over the training part, then validation.
            fold.trainFeatures.withUnsafeBufferPointer { x in
                trainProbabilities.withUnsafeMutableBufferPointer { session.predictProbabilities(features: x, rows: n, into: $0) }
            }
            selectionClock.measure { selector.observe(epoch: epoch, probabilities: trainProbabilities) }
            let m = fold.validationRows.count
            fold.validationFeatures.withUnsafeBufferPointer { x in
                validationProbabilities.withUnsafeMutableBufferPointer { session.predictProbabilities(features: x, rows: m, into: $0) }
            }
            let validationLoss = fold.validationFeatures.withUnsafeBufferPointer { x in
                validationTargets.withUnsafeBufferPointer { session.evaluationLoss(features: x, targets: $0, rows: m) }
            }
            let validationAUC = RankingMetrics.macroAUC(scores: validationProbabilities, labels: fold.validationLabels,
                                                        sampleCount: m, labelCount: q)
            let tested = switch parameters.testEpoch {
            case .best: validationAUC > state.bestValidationAUC || state.bestEpoch == 0
            case .last: epoch == epochs
            }
            if tested {
                state.bestEpoch = epoch
                state.bestValidationAUC = validationAUC.isNaN ? -.infinity : validationAUC
                state.bestTestMetrics = testMetrics(session)
                try ParameterArchive.save(model, to: output.appendingPathComponent(TrainFiles.model))
                try ParameterArchive.saveSafetensors(model, to: output.appendingPathComponent(TrainFiles.safetensors))
            }

            try trainProbabilities.withUnsafeBufferPointer { p in
                try plan.correlation.withUnsafeBufferPointer { c in
                    try plan.weights.withUnsafeBufferPointer { w in
                        try plan.selectionCounts.withUnsafeBufferPointer { s in
                            try writers.record(epoch: epoch, probabilities: p, correlation: c, weights: w, selectionCounts: s,
                                               drawnRows: plan.indices)
                        }
                    }
                }
            }
            try writers.synchronize()
            let record = EpochRecord(epoch: epoch, trainLoss: rowSum > 0 ? lossSum / Double(rowSum) : 0,
                                     validationLoss: validationLoss, validationMacroAUC: validationAUC,
                                     pressure: plan.pressure, seconds: Date().timeIntervalSince(started),
                                     selectionSeconds: selectionClock.seconds)
            state.records.append(record)
            state.epoch = epoch
            try EpochRecord.writeCSV(state.records, into: output)
            try events?.record(record)
            if epoch < epochs {
                let previous = Checkpoint.currentFolder(in: output)
                try Checkpoint.save(state, in: output) { folder in
                    try ParameterArchive.save(model, to: folder.appendingPathComponent("model.npz"))
                    try ParameterArchive.saveOptimizer(session.optimizer, to: folder.appendingPathComponent("optimizer.npz"))
                    try SelectorState.write(selector.checkpoint(), into: folder, previous: previous)
                }
            }
            let recent = state.records.suffix(5).map(\.seconds)
            let eta = recent.reduce(0, +) / Double(max(1, recent.count)) * Double(epochs - epoch)
            ProgressEvent(record: record, epochs: epochs, etaSeconds: eta).append(to: output)
            log(String(format: "epoch %d/%d loss=%.4f val_loss=%.4f val_auc=%.4f pressure=%.1f eta=%.0fs",
                       epoch, epochs, record.trainLoss, validationLoss, validationAUC, plan.pressure, eta))
        }

        try writers.finish()
        let metrics = TestMetrics(bestEpoch: state.bestEpoch, bestValidationMacroAUC: state.bestValidationAUC,
                                  metrics: state.bestTestMetrics)
        try metrics.write(to: output.appendingPathComponent(TrainFiles.testMetrics))
        try events?.finish(metrics)
        Checkpoint.remove(from: output)
        return TrainingSummary(testMetrics: metrics, resumedFromEpoch: resumedFrom)
    }

    private func testMetrics(_ session: TrainingSession) -> [MetricName: Double] {
        let m = fold.testRows.count, q = fold.labelCount
        let probabilities = session.predictProbabilities(features: fold.testFeatures, rows: m)
        let metrics = MultiLabelMetrics(scores: probabilities, labels: fold.testLabels, sampleCount: m, labelCount: q)
        return Dictionary(uniqueKeysWithValues: MetricName.allCases.map { ($0, metrics.value(of: $0)) })
    }

    /// Copies rows of a row-major matrix of the given width into the front of `buffer`.
    private func gather(_ rows: ArraySlice<Int32>, from matrix: [Float], width: Int, into buffer: inout [Float]) {
        matrix.withUnsafeBufferPointer { source in
            buffer.withUnsafeMutableBufferPointer { target in
                for (slot, row) in rows.enumerated() {
                    let from = source.baseAddress! + Int(row) * width
                    (target.baseAddress! + slot * width).update(from: from, count: width)
                }
            }
        }
    }
}

/// Accumulates the wall time of the measured calls.
struct StageClock {
    private(set) var seconds = 0.0

    mutating func measure<T>(_ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }
}

/// A selector checkpoint as `.npy` files in the checkpoint folder, written straight from memory. The
/// prediction window [T, n, q], the largest array of a checkpoint, is one file per slot; a slot whose
/// revision (rows written into it) equals the one in the previous checkpoint is hard-linked from
/// there instead of written again: with `history: epoch` one slot of T changes per epoch.
public enum SelectorState {
    static func write(_ state: SelectorCheckpoint, into folder: URL, previous: URL?) throws {
        func save<T: NpyElement>(_ name: String, _ values: [T]) throws {
            try NpyFile.write(values, shape: [values.count], to: folder.appendingPathComponent("selector-\(name).npy"))
        }
        let revisions = state.windowSlotRevisions
        let previousRevisions = previous.flatMap { try? load("window-revisions", Int64.self, from: $0) }
        let slotSize = revisions.isEmpty ? 0 : state.window.count / revisions.count
        try state.window.withUnsafeBufferPointer { window in
            for (slot, revision) in revisions.enumerated() {
                let target = folder.appendingPathComponent("selector-window-slot-\(slot).npy")
                if let previous, previousRevisions?.count == revisions.count, previousRevisions?[slot] == revision,
                   (try? FileManager.default.linkItem(at: previous.appendingPathComponent(target.lastPathComponent), to: target)) != nil {
                    continue
                }
                try NpyFile.write(UnsafeBufferPointer(rebasing: window[(slot * slotSize)..<((slot + 1) * slotSize)]),
                                  shape: [slotSize], to: target)
            }
        }
        try save("window-revisions", revisions)
        try save("window-next-slot", state.windowNextSlot)
        try save("window-filled", state.windowFilled)
        try save("moment-count", state.momentCount)
        try save("moment-mean", state.momentMean)
        try save("moment-m2", state.momentM2)
    }

    /// The selector state saved in a checkpoint folder (`checkpoint-<epoch>/` of a train folder).
    public static func read(from folder: URL) throws -> SelectorCheckpoint {
        var revisions: [Int64] = [], window: [Float] = []
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("selector-window.npy").path) {
            window = try load("window", Float.self, from: folder)  // a checkpoint from before per-slot files
        } else {
            revisions = try load("window-revisions", Int64.self, from: folder)
            for slot in revisions.indices { window += try load("window-slot-\(slot)", Float.self, from: folder) }
        }
        return SelectorCheckpoint(window: window, windowNextSlot: try load("window-next-slot", Int32.self, from: folder),
                                  windowFilled: try load("window-filled", Int32.self, from: folder),
                                  windowSlotRevisions: revisions, momentCount: try load("moment-count", Int32.self, from: folder),
                                  momentMean: try load("moment-mean", Double.self, from: folder),
                                  momentM2: try load("moment-m2", Double.self, from: folder))
    }

    private static func load<T: NpyElement>(_ name: String, _ type: T.Type, from folder: URL) throws -> [T] {
        let url = folder.appendingPathComponent("selector-\(name).npy")
        return try NpyFile.read(url).values(as: type, path: url.path)
    }
}
