import Artifacts
import Formats
import Foundation
import Models
import NumpyIO
import Selectors
import StageKit

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
/// the last epoch) gives the test metrics and `model.npz` (``EpochTrainer``).
///
/// Every epoch ends with a checkpoint, so a killed run resumes from its last completed epoch and
/// produces the same arrays as an uninterrupted one (all randomness is derived per epoch from
/// the seed). The last epoch's checkpoint starts the finish (the history files renamed into
/// place, `test-metrics.json`, the test events), which a killed run does again from the start:
/// each of its steps gives the same result when repeated (docs/reliability.md, "Finishing a train run").
public final class TrainingRun {
    public let parameters: TrainParameters
    public let fold: PreparedFold
    public let output: URL
    /// Fingerprint of configuration and inputs; a checkpoint with another one is not resumed.
    public let fingerprint: String
    /// Which epochs the history arrays keep (`history_every`, `history_budget`).
    public let history: HistoryPlan
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
        history = HistoryPlan(parameters: parameters, trainCount: fold.trainCount, labelCount: fold.labelCount)
        let texts = parameters.canonicalTexts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        fingerprint = SHA256.hex(of: Data((texts + [inputDigest]).joined(separator: "\n").utf8))
    }

    /// Runs (or resumes, or finishes) all epochs and writes every artifact except `manifest.json` and `run.json`.
    public func run() throws -> TrainingSummary {
        let saved = try resumableCheckpoint()
        var state = saved?.state ?? Checkpoint.State(epoch: 0, records: [], bestEpoch: 0, bestValidationAUC: -.infinity,
                                                      bestTestMetrics: [:], trainingSteps: 0, fingerprint: fingerprint)
        let resumedFrom = state.epoch
        let trainer = state.epoch < parameters.epochs
            ? try EpochTrainer(parameters: parameters, fold: fold, history: history, output: output, components: components,
                               restoringFrom: saved?.folder, log: log)
            : nil
        try NpyFile.write(fold.trainRows, shape: [fold.trainCount], to: output.appendingPathComponent(TrainFiles.trainIndices))
        let events = parameters.tensorboard
            ? try TrainingEvents(folder: output, hyperParameters: parameters.canonicalTexts.merging(["dataset": fold.datasetName]) { $1 },
                                 completed: state.records)
            : nil
        try trainer?.train(&state, events: events)
        return TrainingSummary(testMetrics: try finish(state, events: events), resumedFromEpoch: resumedFrom)
    }

    /// The current checkpoint when the same command on the same inputs made it; otherwise every
    /// checkpoint file is removed and the run starts over.
    private func resumableCheckpoint() throws -> (state: Checkpoint.State, folder: URL)? {
        if let saved = try Checkpoint.load(from: output), saved.state.fingerprint == fingerprint, saved.state.epoch <= parameters.epochs {
            return saved
        }
        Checkpoint.remove(from: output)
        return nil
    }

    /// Finishes a run whose last epoch is checkpointed: renames the history files into place, writes
    /// `test-metrics.json` and the test events, then removes the checkpoint. Every step repeats
    /// harmlessly, so a finish that a kill interrupted is done again from the start.
    private func finish(_ state: Checkpoint.State, events: TrainingEvents?) throws -> TestMetrics {
        TestKillPoint.reached("finish")
        try HistoryWriters.finish(folder: output, plan: history, recordsCorrelation: parameters.recordsCorrelation)
        let metrics = TestMetrics(bestEpoch: state.bestEpoch, bestValidationMacroAUC: state.bestValidationAUC,
                                  metrics: state.bestTestMetrics)
        try metrics.write(to: output.appendingPathComponent(TrainFiles.testMetrics))
        TestKillPoint.reached(TrainFiles.testMetrics)
        if let events {
            try events.finish(metrics)
            TestKillPoint.reached(TrainFiles.events)
        }
        Checkpoint.remove(from: output)
        TestKillPoint.reached("checkpoint-removed")
        return metrics
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
            for slot in revisions.indices {
                let values = try load("window-slot-\(slot)", Float.self, from: folder)
                if slot == 0 { window.reserveCapacity(values.count * revisions.count) }  // no growth copies of T·n·q floats
                window += values
            }
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
