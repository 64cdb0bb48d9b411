import ArgumentParser
import Datasets
import Formats
import Foundation
import Models
import SeededRandom
import Selectors
import StageKit
import Tensors

/// `bench scale`: the uncertainty selector's components (docs/method.md, Eq. 1–10) against one mlp
/// training epoch, on synthetic data of 2k–32k rows and 100–4,000 labels (issue 24). Per (n, q):
/// a `SyntheticDataset`, an mlp trained T epochs with an eval-mode prediction of every row after each
/// (the real window), then per round one more training epoch and each component on that window.
struct ScaleBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale", abstract: "The selector's components against an mlp epoch at 2k–32k rows and 100–4,000 labels.",
        discussion: "Seconds are CPU seconds of the working thread (one OpenBLAS thread: all the work runs on it), less sensitive "
            + "to other load than elapsed time (also in the JSON). MB is the growth of the peak resident set during the component "
            + "(VmHWM after resetting it through /proc/self/clear_refs, minus the resident set before), in its first round, which "
            + "also allocates the buffers later rounds reuse (as a training run's selector does).")

    @Option(help: "Comma-separated row counts n.") var rows = "2000,8000,32000"
    @Option(help: "Comma-separated label counts q.") var labels = "100,400,1000,4000"
    @Option(help: "Dense features d.") var features = 500
    @Option(help: "Hidden width of the mlp (default: the model's).") var hidden: Int?
    @Option(help: "Mean labels per row of the synthetic data.") var cardinality = 4.0
    @Option(help: "Window T: training epochs (each followed by an eval-mode prediction of every row) before the components are timed.")
    var window = 5
    @Option(help: "Rounds: each times one more training epoch and every component again on the same window; the table shows medians.")
    var rounds = 1
    @Option(help: "OpenBLAS threads.") var threads = 1
    @Option(help: "Write the results as JSON to this file.") var json: String?

    /// One timed component of one (n, q) cell.
    struct Component: Codable, Equatable {
        var name: String
        /// CPU seconds per round.
        var seconds: [Double]
        var wallSeconds: [Double]
        /// Peak resident growth in its first round, MB.
        var megabytes: Double
    }

    /// The measurements of one (n, q).
    struct Cell: Codable {
        var rows: Int, labels: Int, features: Int, hidden: Int
        /// CPU seconds of the T window-filling training epochs and of each round's epoch.
        var windowEpochSeconds: [Double]
        var predictSeconds: [Double]
        var epochSeconds: [Double]
        var components: [Component]
        /// Bytes of the prediction window T·n·q float32.
        var windowBytes: Int

        func component(_ name: String) -> Component? { components.first { $0.name == name } }
    }

    /// The timed components, in table order; `scores` is `plan` minus the others (Eq. 7–8's row
    /// sums with C's column weights and the normalisation, which the selector keeps private).
    static let componentNames = ["U", "C", "pairs", "MI", "scores", "sampler", "plan"]

    func validate() throws {
        for (name, list) in [("rows", rows), ("labels", labels)] {
            guard let values = Self.integers(list), !values.isEmpty, values.allSatisfy({ $0 >= 2 }) else {
                throw ValidationError("--\(name) '\(list)' must be comma-separated integers ≥ 2, e.g. --\(name) \(name == "rows" ? "2000,8000" : "100,400")")
            }
        }
        guard features >= 1, window >= 2, rounds >= 1, threads >= 1, (hidden ?? 1) >= 1 else {
            throw ValidationError("--features, --hidden, --rounds and --threads must be at least 1 and --window at least 2")
        }
    }

    static func integers(_ list: String) -> [Int]? {
        let values = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(nil) ? nil : values.map { $0! }
    }

    func run() throws {
        BLAS.setThreads(threads)
        BLAS.warmUp()
        let sgemm = EpochBenchmark.sgemmGFLOPS(size: 768, repeats: 9, threads: threads)
        print("bench scale: d = \(features), T = \(window), cardinality \(cardinality), mlp hidden \(hidden.map(String.init) ?? "default"), "
              + "\(threads) OpenBLAS thread(s), \(rounds) round(s); sgemm 768³ \(format(sgemm.cpu)) GFLOP/s (cpu), \(format(sgemm.wall)) (wall)")
        print("seconds: CPU seconds of the working thread (median over rounds); /ep: over the mlp training epoch; "
              + "MB: peak resident growth during the component (first round)")
        Self.printHeader()
        var cells: [Cell] = []
        for n in Self.integers(rows)! {
            for q in Self.integers(labels)! {
                let cell = try Self.measure(rows: n, labels: q, features: features, hidden: hidden, cardinality: cardinality,
                                            window: window, rounds: rounds, threads: threads)
                Self.printRow(cell)
                cells.append(cell)
            }
        }
        let exponents = Self.exponents(cells)
        print("\nfitted exponents: least-squares slope of log seconds against log n (at each q) and against log q (at each n)")
        for line in exponents { print("  \(line.text)") }
        print("\nper round: MI (C) seconds / mlp epoch seconds")
        for n in [32000] {
            for q in [4000, 1000] {
                guard let cell = cells.first(where: { $0.rows == n && $0.labels == q }), let c = cell.component("C") else {
                    print("  (n = \(n), q = \(q)) not measured")
                    continue
                }
                let ratios = zip(c.seconds, cell.epochSeconds).map { format($0 / $1, 3) }
                print("  (n = \(n), q = \(q)): " + ratios.enumerated().map { "round \($0.offset + 1) \($0.element)" }.joined(separator: ", "))
            }
        }
        if let json {
            let document = Document(threads: threads, features: features, window: window, cardinality: cardinality, rounds: rounds,
                                    sgemmGflops: sgemm.wall, sgemmCpuGflops: sgemm.cpu, cells: cells, exponents: exponents)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try encoder.encode(document).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }

    struct Document: Codable {
        var bench = "scale"
        var threads: Int, features: Int, window: Int, cardinality: Double, rounds: Int
        var sgemmGflops: Double, sgemmCpuGflops: Double
        var cells: [Cell]
        var exponents: [Exponent]
    }

    /// Trains the mlp T epochs on synthetic (n, q) data, recording eval-mode predictions of every row,
    /// then per round times one more training epoch and each component on the recorded window.
    static func measure(rows n: Int, labels q: Int, features d: Int, hidden: Int?, cardinality: Double, window: Int, rounds: Int,
                        threads: Int) throws -> Cell {
        let dataset = try SyntheticDataset.generate(SyntheticSpec(rows: n, features: d, labels: q, cardinality: cardinality, seed: 1))
        let x = dataset.features.denseValues(columns: d)
        let y = dataset.labels.map(Float.init)
        let hyperParameters = try ModelHyperParameters(.mlp, hidden.map { ["hidden_width": String($0)] } ?? [:])
        let model = try ModelFactory.make(hyperParameters, inputDimension: d, labelCount: q, seed: 1)
        let hiddenWidth = if case let .mlp(mlp) = hyperParameters { mlp.hiddenWidth } else { 0 }
        let defaults = ModelKind.mlp.defaults
        let session = TrainingSession(model: model, learningRate: defaults.lr, weightDecay: defaults.weightDecay)
        let parameters = TrainParameters().with { $0.selector = .uncertainty; $0.window = window }
        let selector = BatchSelectors.make(parameters: parameters, labels: dataset.labels, labelCount: q, seed: 7)
        var predictions = PredictionWindow(capacity: window, sampleCount: n, labelCount: q)
        var probabilities = [Float](repeating: 0, count: n * q)
        var batchX = [Float](repeating: 0, count: 128 * d), batchY = [Float](repeating: 0, count: 128 * q)
        var order = SeededGenerator(seed: 1, stream: "bench.scale.order")
        func trainEpoch() -> Double {
            let start = EpochBenchmark.clocks(threads: threads)
            EpochBenchmark.trainEpoch(session, order: order.permutation(n), features: x, featureCount: d, labels: y, labelCount: q,
                                      batchX: &batchX, batchY: &batchY)
            return EpochBenchmark.clocks(threads: threads).cpu - start.cpu
        }
        var windowEpochs: [Double] = [], predicting: [Double] = []
        for epoch in 1...window {
            windowEpochs.append(trainEpoch())
            let start = EpochBenchmark.clocks(threads: threads)
            x.withUnsafeBufferPointer { x in
                probabilities.withUnsafeMutableBufferPointer { session.predictProbabilities(features: x, rows: n, into: $0) }
            }
            predicting.append(EpochBenchmark.clocks(threads: threads).cpu - start.cpu)
            probabilities.withUnsafeBufferPointer { predictions.recordAll(values: $0) }
            selector.observe(epoch: epoch, probabilities: probabilities)
        }

        let planEpoch = parameters.warmupEpochs + 1
        var components = componentNames.map { Component(name: $0, seconds: [], wallSeconds: [], megabytes: 0) }
        var epochs: [Double] = []
        // U's buffer is reused across rounds, as the selector reuses its own: the first round pays for its pages.
        var u: [Float] = []
        for round in 0..<rounds {
            epochs.append(trainEpoch())
            func time(_ name: String, _ body: () -> Void) {
                let index = components.firstIndex { $0.name == name }!
                let baseline = resetPeakResident()
                let start = EpochBenchmark.clocks(threads: threads)
                body()
                let end = EpochBenchmark.clocks(threads: threads)
                components[index].seconds.append(end.cpu - start.cpu)
                components[index].wallSeconds.append(end.wall - start.wall)
                if round == 0 { components[index].megabytes = Double(max(0, EpochBenchmark.peakResidentBytes() - baseline)) / 1_048_576 }
            }
            time("U") { Uncertainty.labelUncertainty(window: predictions, lambda1: parameters.lambda1, into: &u) }
            var steps = LabelCorrelation.StepSeconds()
            time("C") {
                _ = LabelCorrelation.matrix(u: u, sampleCount: n, labelCount: q, bins: parameters.bins, mode: .mi, counting: .automatic,
                                            seconds: &steps)
            }
            // C's two steps in the thread's CPU time: the pair statistics (bins, marginals, joint counts) and the
            // mutual information from them.
            for (name, seconds) in [("pairs", steps.binning + steps.counting), ("MI", steps.information)] {
                let index = components.firstIndex { $0.name == name }!
                components[index].seconds.append(seconds)
                components[index].wallSeconds.append(seconds)
            }
            var plan: EpochPlan?
            time("plan") { plan = selector.plan(epoch: planEpoch) }
            let scores = plan!.weights.map(Double.init)
            time("sampler") {
                let weights = SelectionPressure.samplingWeights(normalisedScores: scores, pressure: SelectionPressure.pressure(epoch: planEpoch, parameters: parameters),
                                                                rounding: parameters.quantiser)
                var sampler = WeightedSampler(weights: weights)
                var draws = SeededGenerator(seed: 2)
                var indices: [Int32] = []
                indices.reserveCapacity(n + parameters.batchSize)
                for _ in 0..<((n + parameters.batchSize - 1) / parameters.batchSize) {
                    sampler.drawBatch(size: min(parameters.batchSize, n), using: &draws, into: &indices)
                }
            }
            let parts = components.filter { ["U", "C", "sampler"].contains($0.name) }
            let index = components.firstIndex { $0.name == "scores" }!, planIndex = components.firstIndex { $0.name == "plan" }!
            components[index].seconds.append(max(0, components[planIndex].seconds[round] - parts.map { $0.seconds[round] }.reduce(0, +)))
            components[index].wallSeconds.append(max(0, components[planIndex].wallSeconds[round] - parts.map { $0.wallSeconds[round] }.reduce(0, +)))
        }
        return Cell(rows: n, labels: q, features: d, hidden: hiddenWidth, windowEpochSeconds: windowEpochs,
                    predictSeconds: predicting, epochSeconds: epochs, components: components, windowBytes: window * n * q * 4)
    }

    /// Resets the peak resident set (VmHWM) to the current one; returns the current resident bytes.
    static func resetPeakResident() -> Int {
        if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            handle.write(Data("5".utf8))
            try? handle.close()
        }
        return EpochBenchmark.statusBytes("VmRSS")
    }

    /// One fitted exponent line: the slope of log seconds against log n (at a fixed q) or log q (at a fixed n).
    struct Exponent: Codable, Equatable {
        /// `n` or `q`: the variable of the fit.
        var against: String
        /// The fixed value of the other variable.
        var at: Int
        /// Slope per series (`epoch` and each component); absent with fewer than two points.
        var slopes: [String: Double]

        var text: String {
            let names = ["epoch"] + ScaleBenchmark.componentNames
            let fixed = against == "n" ? "q" : "n"
            return "vs log \(against) at \(fixed) = \(String(at).padding(toLength: 6, withPad: " ", startingAt: 0)):"
                + names.map { name in " \(name) " + (slopes[name].map { String(format: "%.2f", $0) } ?? "-") }.joined(separator: " ")
        }
    }

    /// Least-squares slope of `y` against `x`; nil with fewer than two distinct x.
    static func slope(x: [Double], y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
        var covariance = 0.0, variance = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - meanX) * (b - meanY)
            variance += (a - meanX) * (a - meanX)
        }
        return variance > 0 ? covariance / variance : nil
    }

    /// The exponents of every series against n at each q, then against q at each n (log–log slopes of
    /// the median seconds; a series with a zero time at some point is left out of that fit).
    static func exponents(_ cells: [Cell]) -> [Exponent] {
        func series(_ cell: Cell) -> [String: Double] {
            var values = ["epoch": median(cell.epochSeconds)]
            for component in cell.components { values[component.name] = median(component.seconds) }
            return values
        }
        func fit(_ group: [Cell], against: String, at: Int) -> Exponent {
            let x = group.map { log(Double(against == "n" ? $0.rows : $0.labels)) }
            var slopes: [String: Double] = [:]
            for name in ["epoch"] + componentNames {
                let y = group.map { series($0)[name] ?? 0 }
                guard y.allSatisfy({ $0 > 0 }) else { continue }
                slopes[name] = slope(x: x, y: y.map(log))
            }
            return Exponent(against: against, at: at, slopes: slopes)
        }
        let qs = Array(Set(cells.map(\.labels))).sorted(), ns = Array(Set(cells.map(\.rows))).sorted()
        return qs.map { q in fit(cells.filter { $0.labels == q }, against: "n", at: q) }
            + ns.map { n in fit(cells.filter { $0.rows == n }, against: "q", at: n) }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func printHeader() {
        print("     n      q  epoch s  window MB |" + componentNames.map { " \($0.padding(toLength: 7, withPad: " ", startingAt: 0)) s    /ep     MB |" }.joined())
    }

    static func printRow(_ cell: Cell) {
        let epoch = median(cell.epochSeconds)
        var line = String(format: "%6d %6d %8.3f %10.0f |", cell.rows, cell.labels, epoch, Double(cell.windowBytes) / 1_048_576)
        for name in componentNames {
            guard let component = cell.component(name) else { continue }
            let seconds = median(component.seconds)
            line += String(format: " %9.4f %6.3f %6.0f |", seconds, seconds / epoch, component.megabytes)
        }
        print(line)
    }

    func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
}
