import StageKit
import Formats
import ArgumentParser
import CBLAS
import Foundation
import Metrics
import SeededRandom
import Selectors
import Training

/// `bench selectors`: per-epoch cost of the batch-selection bookkeeping at corel5k size.
struct SelectorBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selectors",
        abstract: "Seconds per epoch of the selectors' bookkeeping (corel5k size by default).")

    @Option(help: "Training rows n.") var samples = 3200
    @Option(help: "Labels q.") var labels = 374
    @Option(help: "Feature dimension d for the hard-imbalance k-NN.") var features = 499
    @Option(help: "Window T.") var window = 5
    @Option(help: "Batch size b.") var batchSize = 128
    @Option(help: "Validation rows scored by the metrics.") var validation = 500
    @Option(help: "Repetitions per measurement (the median is reported).") var repeats = 5
    @Option(help: "OpenBLAS threads.") var threads = 2
    @Option(help: "Reference seconds of one mlp training epoch, for the ratio column (default: PyTorch 2.13 CPU on corel5k, 5000 rows, docs/performance.md).")
    var referenceEpochSeconds = 0.296
    @Option(help: ArgumentHelp("A checkpoint folder of an interrupted uncertainty run (train's checkpoint-<epoch>/): "
                               + "time U, C and the whole plan on its real prediction window instead of synthetic data."))
    var checkpoint: String?
    @Option(help: "The epoch the --checkpoint plan is made for (sets the selection pressure).") var checkpointEpoch = 50
    @Option(help: "Write the results as JSON to this path.") var json: String?

    func validate() throws {
        guard samples >= 10, labels >= 2, features >= 1, window >= 1, batchSize >= 1, repeats >= 1, threads >= 1 else {
            throw ValidationError("sizes, repeats and threads must be positive (samples ≥ 10, labels ≥ 2)")
        }
    }

    func run() throws {
        openblas_set_num_threads(Int32(threads))
        warmUpBLAS()
        let n = samples, q = labels
        var rows: [(name: String, seconds: Double, cpu: Double)] = []
        func measure(_ name: String, _ body: () -> Void) {
            var times: [Double] = [], cpus: [Double] = []
            for _ in 0..<repeats {
                let start = EpochBenchmark.clocks(threads: threads)
                body()
                let end = EpochBenchmark.clocks(threads: threads)
                times.append(end.wall - start.wall)
                cpus.append(end.cpu - start.cpu)
            }
            rows.append((name, times.sorted()[times.count / 2], cpus.sorted()[cpus.count / 2]))
        }
        if let checkpoint {
            try measureRealWindow(folder: URL(fileURLWithPath: checkpoint), measure)
            return report(rows)
        }
        let history = simulatedHistory(epochs: window + 1, n: n, q: q)
        let truth = simulatedLabels(n: n, q: q)

        var predictionWindow = PredictionWindow(capacity: window, sampleCount: n, labelCount: q)
        measure("record one epoch in the window [T,n,q]") {
            history[0].withUnsafeBufferPointer { predictionWindow.recordAll(values: $0) }
        }
        for epoch in history { epoch.withUnsafeBufferPointer { predictionWindow.recordAll(values: $0) } }
        // Three prediction regimes: uniform (p ~ U(0, 1) every epoch, as `pytorch_epoch.py bookkeeping`),
        // spread (logits ~ N(−3, 2²) drifting: U fills every bin) and confident (N(−7, 2²): most labels
        // confidently negative, as later in training).
        for (regime, level) in [("uniform", Double.nan), ("spread", -3.0), ("confident", -7.0)] {
            let regimeHistory = level.isNaN ? uniformHistory(epochs: window + 1, n: n, q: q)
                : level == -3 ? history : simulatedHistory(epochs: window + 1, n: n, q: q, level: level)
            var regimeWindow = PredictionWindow(capacity: window, sampleCount: n, labelCount: q)
            for epoch in regimeHistory { epoch.withUnsafeBufferPointer { regimeWindow.recordAll(values: $0) } }
            var u: [Float] = []
            measure("\(regime): uncertainty U (Eq. 1, 4, 5)") {
                Uncertainty.labelUncertainty(window: regimeWindow, lambda1: 0.5, into: &u)
            }
            var c: [Float] = []
            for counting in [LabelCorrelation.PairCounting.dense, .sparse, .automatic] {
                measure("\(regime): correlation C (Eq. 6), \(counting) counting") {
                    c = LabelCorrelation.matrix(u: u, sampleCount: n, labelCount: q, bins: 5, mode: .mi, counting: counting)
                }
            }
            var ubar: [Float] = []
            measure("\(regime): Ū = U·C (Eq. 7)") {
                LabelCorrelation.correlate(u: u, correlation: c, sampleCount: n, labelCount: q, into: &ubar)
            }
            let uncertainty = try makeSelector(.uncertainty, truth: truth, history: regimeHistory)
            measure("\(regime): uncertainty selector, whole epoch plan") { _ = uncertainty.plan(epoch: 6) }
        }

        var scores = [Double](repeating: 0, count: n)
        var generator = SeededGenerator(seed: 1)
        for i in 0..<n { scores[i] = generator.nextDouble() }
        let pressure = SelectionPressure.pressure(epoch: 20, s0: 100, warmupEpochs: 5, epochs: 100)
        measure("sampler: one epoch of ⌈n/b⌉ batches (Eq. 9-10)") {
            var sampler = WeightedSampler(weights: SelectionPressure.samplingWeights(normalisedScores: scores, pressure: pressure))
            var draws = SeededGenerator(seed: 2)
            var indices: [Int32] = []
            indices.reserveCapacity(n + batchSize)
            for _ in 0..<((n + batchSize - 1) / batchSize) {
                sampler.drawBatch(size: min(batchSize, n), using: &draws, into: &indices)
            }
        }
        var moments = RunningMoments(sampleCount: n, labelCount: q)
        measure("active-bias: record one epoch (Welford)") {
            history[0].withUnsafeBufferPointer { moments.record(rows: 0..<Int32(n), values: $0) }
        }
        measure("active-bias: scores") { moments.activeBiasScores(into: &scores) }
        measure("recency-bias: window entropy") { Uncertainty.recencyEntropy(window: predictionWindow, into: &scores) }
        let activeBias = try makeSelector(.activeBias, truth: truth, history: history)
        measure("active-bias selector: whole epoch plan") { _ = activeBias.plan(epoch: 6) }
        let recencyBias = try makeSelector(.recencyBias, truth: truth, history: history)
        measure("recency-bias selector: whole epoch plan") { _ = recencyBias.plan(epoch: 6) }

        let featureMatrix = simulatedFeatures(n: n, d: features)
        let everyRow = (0..<Int32(n)).map { $0 }
        measure("k-NN, all n rows, d=\(features) (blocked sgemm)") {
            _ = NearestNeighbours.search(features: featureMatrix, sampleCount: n, featureCount: features,
                                         queries: everyRow, k: 5)
        }
        measure("hard-imbalance a_i (k-NN of minority positives)") {
            _ = ImbalanceWeights.weights(labels: truth, sampleCount: n, labelCount: q, features: featureMatrix,
                                         featureCount: features)
        }
        let m = min(validation, n)
        let validationScores = Array(history[window][0..<(m * q)]), validationLabels = Array(truth[0..<(m * q)])
        measure("metrics: all eight on \(m) validation rows") {
            _ = MultiLabelMetrics(scores: validationScores, labels: validationLabels, sampleCount: m, labelCount: q)
        }
        report(rows)
    }

    /// U and C, and each sampled selector's plan and observation of an epoch, on the prediction
    /// window saved in a train checkpoint folder (its slots replayed as the last T epochs).
    private func measureRealWindow(folder: URL, _ measure: (String, () -> Void) -> Void) throws {
        let state = try SelectorState.read(from: folder)
        let storage = state.window, nextSlot = state.windowNextSlot, filled = state.windowFilled
        let n = nextSlot.count, q = n > 0 ? storage.count / (window * n) : 0
        guard n > 0, storage.count == window * n * q, Set(nextSlot).count == 1, Set(filled) == [Int32(window)],
              let realWindow = PredictionWindow(capacity: window, sampleCount: n, labelCount: q, storage: storage,
                                                nextSlot: nextSlot, filled: filled) else {
            throw ValidationError("\(folder.path) holds no full prediction window of T = \(window) recorded per epoch")
        }
        // The slots, oldest first: the next slot to write holds the oldest record.
        let slots = (0..<window).map { age in
            let slot = (Int(nextSlot[0]) + age) % window
            return Array(storage[(slot * n * q)..<((slot + 1) * n * q)])
        }
        var u: [Float] = []
        measure("checkpoint (n=\(n), q=\(q)): uncertainty U (Eq. 1, 4, 5)") {
            Uncertainty.labelUncertainty(window: realWindow, lambda1: 0.5, into: &u)
        }
        measure("checkpoint: correlation C (Eq. 6), automatic counting") {
            _ = LabelCorrelation.matrix(u: u, sampleCount: n, labelCount: q, bins: 5, mode: .mi)
        }
        let features = simulatedFeatures(n: n, d: self.features)
        for kind in [SelectorKind.uncertainty, .activeBias, .recencyBias, .hardImbalance] {
            let selector = BatchSelectors.make(
                parameters: TrainParameters().with { $0.selector = kind; $0.window = window; $0.batchSize = batchSize },
                labels: [UInt8](repeating: 0, count: n * q), labelCount: q,
                features: kind == .hardImbalance ? features : [], featureCount: kind == .hardImbalance ? self.features : 0,
                seed: 7)
            for (age, values) in slots.enumerated() { selector.observe(epoch: age + 1, probabilities: values) }
            measure("checkpoint: \(kind.rawValue) plan of epoch \(checkpointEpoch) + observing an epoch") {
                _ = selector.plan(epoch: checkpointEpoch)
                selector.observe(epoch: checkpointEpoch, probabilities: slots[window - 1])
            }
        }
    }

    private func makeSelector(_ kind: SelectorKind, truth: [UInt8], history: [[Float]]) throws -> any BatchSelector {
        let selector = BatchSelectors.make(
            parameters: TrainParameters().with { $0.selector = kind; $0.window = window; $0.batchSize = batchSize }, labels: truth,
            labelCount: labels, seed: 7)
        for (epoch, values) in history.prefix(5).enumerated() { selector.observe(epoch: epoch + 1, probabilities: values) }
        return selector
    }

    private func report(_ rows: [(name: String, seconds: Double, cpu: Double)]) {
        print("selectors: n = \(samples), q = \(labels), T = \(window), b = \(batchSize), OpenBLAS threads = \(threads), "
            + "median of \(repeats)")
        print("ratio = seconds / \(referenceEpochSeconds) s (reference mlp training epoch)")
        let width = rows.map(\.name.count).max() ?? 10
        print("\("step".padding(toLength: width, withPad: " ", startingAt: 0))  seconds   ratio  cpu seconds")
        for row in rows {
            print("\(row.name.padding(toLength: width, withPad: " ", startingAt: 0))  "
                + String(format: "%7.4f  %6.3f  %7.4f", row.seconds, row.seconds / referenceEpochSeconds, row.cpu))
        }
        guard let json else { return }
        let object: [String: Any] = [
            "bench": "selectors", "samples": samples, "labels": labels, "window": window, "batchSize": batchSize,
            "features": features, "threads": threads, "repeats": repeats, "referenceEpochSeconds": referenceEpochSeconds,
            "results": rows.map {
                ["step": $0.name, "seconds": $0.seconds, "cpu_seconds": $0.cpu, "ratio": $0.seconds / referenceEpochSeconds]
            },
        ]
        do {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json), options: .atomic)
        } catch {
            FileHandle.standardError.write(Data("error: cannot write \(json): \(error)\n".utf8))
        }
    }

    /// One large sgemm: OpenBLAS runs small products ~3× slower until a large one has run.
    private func warmUpBLAS() {
        let size = 512
        let a = [Float](repeating: 1, count: size * size)
        var product = [Float](repeating: 0, count: size * size)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1, a, Int32(size),
                    a, Int32(size), 0, &product, Int32(size))
    }

    /// Labels at corel5k's density (≈ 3.5 of 374 labels per row), with a skewed label frequency.
    private func simulatedLabels(n: Int, q: Int) -> [UInt8] {
        var generator = SeededGenerator(seed: 3)
        var result = [UInt8](repeating: 0, count: n * q)
        for i in 0..<n {
            for j in 0..<q where generator.nextDouble() < 0.035 / (1 + Double(j) / 40) * 3 { result[i * q + j] = 1 }
        }
        return result
    }

    /// Model-like probabilities: σ(logit) with a per-(row, label) logit ~ N(level, 2²) plus
    /// epoch-to-epoch noise; level −3 spreads U over all bins, −7 is a confident model.
    private func simulatedHistory(epochs: Int, n: Int, q: Int, level mean: Double = -3) -> [[Float]] {
        var generator = SeededGenerator(seed: 4)
        var level = [Float](repeating: 0, count: n * q)
        for k in level.indices { level[k] = Float(generator.nextGaussian() * 2 + mean) }
        var result: [[Float]] = []
        for _ in 0..<epochs {
            var values = [Float](repeating: 0, count: n * q)
            for k in values.indices {
                level[k] += Float(generator.nextGaussian() * 0.3)
                values[k] = 1 / (1 + exp(-level[k]))
            }
            result.append(values)
        }
        return result
    }

    private func uniformHistory(epochs: Int, n: Int, q: Int) -> [[Float]] {
        var generator = SeededGenerator(seed: 6)
        return (0..<epochs).map { _ in
            var values = [Float](repeating: 0, count: n * q)
            for k in values.indices { values[k] = generator.nextFloat() }
            return values
        }
    }

    private func simulatedFeatures(n: Int, d: Int) -> [Float] {
        var generator = SeededGenerator(seed: 5)
        var result = [Float](repeating: 0, count: n * d)
        for k in result.indices { result[k] = generator.nextFloat() }
        return result
    }
}
