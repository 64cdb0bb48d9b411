import Formats
import Foundation
import Metrics
import Models
import SeededRandom
import Selectors
import Tensors

/// The epochs of one training run (docs/method.md §8–9): the model, its Adam session and the
/// selector, the history writers and the buffers every epoch reuses. ``TrainingRun`` makes one
/// when epochs remain (a new run, or one resumed from a checkpoint).
///
/// Each epoch trains on the selector's batches, runs the eval-mode pass over the training rows
/// (for the selector and the prediction history) and over the validation rows, keeps the tested
/// epoch's model and test metrics, records the epoch and ends with a checkpoint; the last
/// epoch's checkpoint (its state alone) is the point from which ``TrainingRun`` finishes the run.
final class EpochTrainer {
    private let parameters: TrainParameters
    private let fold: PreparedFold
    private let output: URL
    private let log: (String) -> Void
    private let model: any MultiLabelModel
    private let session: TrainingSession
    private let selector: any BatchSelector
    private let writers: HistoryWriters
    private let schedule: LearningRateSchedule
    private let validationTargets: [Float]
    private var batchFeatures: [Float]
    private var batchTargets: [Float]
    private var batchProbabilities: [Float]
    private var trainProbabilities: [Float]
    private var validationProbabilities: [Float]

    /// Makes the model, session and selector, restored from the arrays of `checkpoint` (the folder
    /// of a resumed run's checkpoint) or fresh, and opens the history writers.
    init(parameters: TrainParameters, fold: PreparedFold, history: HistoryPlan, output: URL, components: TrainingComponents,
         restoringFrom checkpoint: URL?, log: @escaping (String) -> Void) throws {
        let n = fold.trainCount, q = fold.labelCount, d = fold.featureCount
        self.parameters = parameters
        self.fold = fold
        self.output = output
        self.log = log
        model = try components.makeModel(fold, parameters)
        session = TrainingSession(model: model, learningRate: parameters.learningRate, weightDecay: parameters.decay,
                                  weightDecayMode: parameters.weightDecayMode)
        selector = components.makeSelector(fold, parameters)
        if let checkpoint {
            try ParameterArchive.load(model, from: checkpoint.appendingPathComponent("model.npz"))
            try ParameterArchive.loadOptimizer(session.optimizer, from: checkpoint.appendingPathComponent("optimizer.npz"))
            try selector.restore(SelectorState.read(from: checkpoint))
        }
        writers = try HistoryWriters(folder: output, plan: history, trainCount: n, labelCount: q,
                                     drawsPerEpoch: parameters.drawsPerEpoch(trainCount: n),
                                     encoding: parameters.historyDtype, recordsCorrelation: parameters.recordsCorrelation,
                                     resume: checkpoint != nil)
        schedule = try LearningRateSchedule(decay: parameters.lrSchedule, stepFactor: Float(parameters.lrStepFactor),
                                            stepEvery: parameters.lrStepEvery, floor: Float(parameters.lrFloor),
                                            warmupEpochs: parameters.warmupEpochs,
                                            stepsPerEpoch: (n + parameters.batchSize - 1) / parameters.batchSize, epochs: parameters.epochs)
        validationTargets = fold.validationLabels.map(Float.init)
        let batchCapacity = min(parameters.batchSize, n)
        batchFeatures = [Float](repeating: 0, count: batchCapacity * d)
        batchTargets = [Float](repeating: 0, count: batchCapacity * q)
        batchProbabilities = [Float](repeating: 0, count: batchCapacity * q)
        trainProbabilities = [Float](repeating: 0, count: n * q)
        validationProbabilities = [Float](repeating: 0, count: fold.validationRows.count * q)
    }

    /// Trains the epochs after `state.epoch` up to the last, updating `state` and checkpointing after each.
    func train(_ state: inout Checkpoint.State, events: TrainingEvents?) throws {
        for epoch in (state.epoch + 1)...parameters.epochs {
            try runEpoch(epoch, &state, events: events)
        }
    }

    private func runEpoch(_ epoch: Int, _ state: inout Checkpoint.State, events: TrainingEvents?) throws {
        let started = Date()
        model.noiseGenerator = SeededGenerator(seed: parameters.seed, stream: "model-noise", index: epoch)
        var selectionClock = StageClock()
        let plan = selectionClock.measure { selector.plan(epoch: epoch) }
        let trainLoss = try trainBatches(of: plan, steps: &state.trainingSteps, clock: &selectionClock)
        let validation = evaluate(epoch: epoch, clock: &selectionClock)
        let tested = switch parameters.testEpoch {
        case .best: validation.macroAUC > state.bestValidationAUC || state.bestEpoch == 0
        case .last: epoch == parameters.epochs
        }
        if tested {
            state.bestEpoch = epoch
            state.bestValidationAUC = validation.macroAUC.isNaN ? -.infinity : validation.macroAUC
            state.bestTestMetrics = testMetrics()
            try ParameterArchive.save(model, to: output.appendingPathComponent(TrainFiles.model))
            try ParameterArchive.saveSafetensors(model, to: output.appendingPathComponent(TrainFiles.safetensors))
        }
        try recordHistory(of: plan)
        let record = EpochRecord(epoch: epoch, trainLoss: trainLoss, validationLoss: validation.loss,
                                 validationMacroAUC: validation.macroAUC, pressure: plan.pressure,
                                 seconds: Date().timeIntervalSince(started), selectionSeconds: selectionClock.seconds)
        state.records.append(record)
        state.epoch = epoch
        try EpochRecord.writeCSV(state.records, into: output)
        try events?.record(record)
        try saveCheckpoint(state)
        report(record, records: state.records)
    }

    /// Trains on the batches of `plan`; returns the mean training loss per row.
    private func trainBatches(of plan: EpochPlan, steps: inout Int, clock: inout StageClock) throws -> Double {
        let d = fold.featureCount, q = fold.labelCount
        var lossSum = 0.0, rowSum = 0
        for k in 0..<plan.batchCount {
            let rows = plan.batch(k)
            let b = rows.count
            gather(rows, from: fold.trainFeatures, width: d, into: &batchFeatures)
            gatherTargets(rows)
            steps += 1
            let scale = schedule.factor(step: steps)
            let weights = clock.measure { selector.lossWeights(rows: rows) }
            let loss = step(rows: b, learningRateScale: scale, weights: weights)
            try DivergenceCheck.check(loss: loss, epoch: plan.epoch, batch: k, learningRate: parameters.learningRate)
            if parameters.history == .batch {
                clock.measure { selector.observe(rows: rows, probabilities: Array(batchProbabilities[0..<(b * q)])) }
            }
            lossSum += Double(loss) * Double(b)
            rowSum += b
        }
        return rowSum > 0 ? lossSum / Double(rowSum) : 0
    }

    /// One optimiser step on the first `b` rows of the batch buffers (keeping their train-mode
    /// probabilities with `history: batch`); returns the batch loss.
    private func step(rows b: Int, learningRateScale scale: Float, weights: [Float]?) -> Float {
        let d = fold.featureCount, q = fold.labelCount
        let recordsBatch = parameters.history == .batch
        return batchFeatures.withUnsafeBufferPointer { x in
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
    }

    /// The eval-mode pass over the training rows (into the history and the selector), then over
    /// the validation rows: their loss and Macro-AUC.
    private func evaluate(epoch: Int, clock: inout StageClock) -> (loss: Double, macroAUC: Double) {
        let n = fold.trainCount, m = fold.validationRows.count
        fold.trainFeatures.withUnsafeBufferPointer { x in
            trainProbabilities.withUnsafeMutableBufferPointer { session.predictProbabilities(features: x, rows: n, into: $0) }
        }
        clock.measure { selector.observe(epoch: epoch, probabilities: trainProbabilities) }
        fold.validationFeatures.withUnsafeBufferPointer { x in
            validationProbabilities.withUnsafeMutableBufferPointer { session.predictProbabilities(features: x, rows: m, into: $0) }
        }
        let loss = fold.validationFeatures.withUnsafeBufferPointer { x in
            validationTargets.withUnsafeBufferPointer { session.evaluationLoss(features: x, targets: $0, rows: m) }
        }
        let macroAUC = RankingMetrics.macroAUC(scores: validationProbabilities, labels: fold.validationLabels,
                                               sampleCount: m, labelCount: fold.labelCount)
        return (loss, macroAUC)
    }

    /// The test metrics of the model as it is now.
    private func testMetrics() -> [MetricName: Double] {
        let m = fold.testRows.count, q = fold.labelCount
        let probabilities = session.predictProbabilities(features: fold.testFeatures, rows: m)
        let metrics = MultiLabelMetrics(scores: probabilities, labels: fold.testLabels, sampleCount: m, labelCount: q)
        return Dictionary(uniqueKeysWithValues: MetricName.allCases.map { ($0, metrics.value(of: $0)) })
    }

    /// Writes the epoch's slices of the history files and flushes them (before the checkpoint records the epoch).
    private func recordHistory(of plan: EpochPlan) throws {
        try trainProbabilities.withUnsafeBufferPointer { p in
            try plan.correlation.withUnsafeBufferPointer { c in
                try plan.weights.withUnsafeBufferPointer { w in
                    try plan.selectionCounts.withUnsafeBufferPointer { s in
                        try writers.record(epoch: plan.epoch, probabilities: p, correlation: c, weights: w, selectionCounts: s,
                                           drawnRows: plan.indices)
                    }
                }
            }
        }
        try writers.synchronize()
    }

    /// Saves the checkpoint of a completed epoch: model, optimiser and selector arrays with the
    /// state, except after the last epoch, where the state alone is what finishing needs.
    private func saveCheckpoint(_ state: Checkpoint.State) throws {
        guard state.epoch < parameters.epochs else {
            try Checkpoint.save(state, in: output) { _ in }
            return
        }
        let previous = Checkpoint.currentFolder(in: output)
        try Checkpoint.save(state, in: output) { folder in
            try ParameterArchive.save(model, to: folder.appendingPathComponent("model.npz"))
            try ParameterArchive.saveOptimizer(session.optimizer, to: folder.appendingPathComponent("optimizer.npz"))
            try SelectorState.write(selector.checkpoint(), into: folder, previous: previous)
        }
    }

    /// Appends the epoch's progress event and logs its line, with an ETA from the last five epochs.
    private func report(_ record: EpochRecord, records: [EpochRecord]) {
        let epochs = parameters.epochs
        let recent = records.suffix(5).map(\.seconds)
        let eta = recent.reduce(0, +) / Double(max(1, recent.count)) * Double(epochs - record.epoch)
        ProgressEvent(record: record, epochs: epochs, etaSeconds: eta).append(to: output)
        log(String(format: "epoch %d/%d loss=%.4f val_loss=%.4f val_auc=%.4f pressure=%.1f eta=%.0fs",
                   record.epoch, epochs, record.trainLoss, record.validationLoss, record.validationMacroAUC, record.pressure, eta))
    }

    /// Copies the labels of `rows`, as 0/1 floats, into the front of `batchTargets` (the training
    /// labels are not held as floats: at q = 4,000 that copy alone was 4·n·q bytes).
    private func gatherTargets(_ rows: ArraySlice<Int32>) {
        let q = fold.labelCount
        fold.trainLabels.withUnsafeBufferPointer { source in
            batchTargets.withUnsafeMutableBufferPointer { target in
                for (slot, row) in rows.enumerated() {
                    let from = source.baseAddress! + Int(row) * q, to = target.baseAddress! + slot * q
                    for j in 0..<q { to[j] = Float(from[j]) }
                }
            }
        }
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
