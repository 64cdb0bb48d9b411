import Formats
import ArgumentParser
import CBLAS
import Foundation
import Models
import NumpyIO
import SeededRandom
import Tensors

/// Seconds per training epoch (batch 128, Adam) of mlp on corel5k- and scene-sized data, clif and
/// dela on scene-sized data and mpvae on both, side by side with PyTorch (`scripts/bench_epoch.py`
/// on the same arrays for mlp and clif, `scripts/bench_mpvae.py` on the same shapes for mpvae),
/// achieved GEMM GFLOP/s against cblas_sgemm 768³ measured just before each workload, and peak
/// memory of clif on corel5k size. Data are random with the real shapes and label densities.
struct EpochBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epoch", abstract: "Training-epoch speed of mlp, clif, dela and mpvae, side by side with PyTorch.",
        discussion: "Each round runs, per workload: cblas_sgemm 768³, our epochs, then the PyTorch reference on the same "
            + "arrays (written to a temporary folder as .npy), and prints both medians and their ratio. Rounds repeat "
            + "the whole sequence, so load changes show up as spread between rounds rather than as a skewed ratio.")

    @Option(help: "OpenBLAS threads (and torch threads for the reference).") var threads = 2
    @Option(help: "Epochs per workload (the first is a warm-up; the median of the rest is reported).") var epochs = 4
    @Option(help: "Training steps of clif on corel5k size for the peak-memory measurement (0 skips it).")
    var memorySteps = 3
    @Option(help: "Comma-separated subset of the workloads: mlp-corel5k, mlp-scene, clif-scene, dela-scene, mpvae-corel5k, mpvae-scene (default: all).")
    var workloads: String?
    @Option(help: "Times to repeat the whole side-by-side sequence.") var rounds = 1
    @Option(help: "Run the PyTorch reference (true|false); dela has none.") var reference = true
    @Option(help: "Python interpreter with torch and numpy for the reference.") var python = "python3"
    @Option(help: "The reference script of the mlp and clif rows.") var script = "scripts/bench_epoch.py"
    @Option(help: "The reference script of the mpvae rows.") var mpvaeScript = "scripts/bench_mpvae.py"
    @Option(help: "Write the results as JSON to this file.") var json: String?

    struct Workload: Sendable {
        let name: String, model: String, rows: Int, features: Int, labels: Int, density: Double
        /// GEMM flops of one training step on `batch` rows (forward and backward).
        let stepFlops: @Sendable (Int) -> Double
    }

    static func mlpFlops(d: Int, q: Int, hidden: Int = 256) -> @Sendable (Int) -> Double {
        { b in
            let forward = 2.0 * Double(b) * Double(d * hidden + hidden * hidden + hidden * q)
            return 3 * forward - 2.0 * Double(b) * Double(d * hidden)  // no input gradient for the first layer
        }
    }

    static func clifFlops(d: Int, q: Int, hidden: Int = 768) -> @Sendable (Int) -> Double {
        { b in
            let feature = 2.0 * Double(b) * Double(d * hidden + 2 * hidden * hidden)
            let joint = 2.0 * Double(b * q) * Double(hidden * hidden)
            return 3 * (feature + joint) - 2.0 * Double(b) * Double(d * hidden)
        }
    }

    static func delaFlops(d: Int, q: Int) -> @Sendable (Int) -> Double {
        { b in
            let latent = (d + 1) / 2
            let perSample = d * 256 + 256 * 512 + 512 * 256 + 2 * 256 * latent + d * 256
            let perLabel = latent * 256 + 256 * 512
            let forward = 2.0 * Double(b) * Double(perSample) + 2.0 * Double(b * q) * Double(perLabel)
            return 3 * forward - 4.0 * Double(b) * Double(d * 256)  // no input gradient where x enters
        }
    }

    /// GEMM flops of one mpvae training step (published widths 512/256, L = 50, r = q, S = 100): the
    /// shared projection ε·Rᵀ and its weight gradient, 4·S·b·r·q, plus the networks.
    static func mpvaeFlops(d: Int, q: Int, latent: Int = 50, samples: Int = 100) -> @Sendable (Int) -> Double {
        { b in
            let first = (d + q) * 512 + d * 256 + d * 256  // layers reading x or y: no input gradient
            let rest = 512 * 256 + 2 * 256 * latent + 256 * 512 + 512 * 256 + 2 * 256 * latent
                + 2 * (latent * 256 + 256 * 512) + 2 * 512 * q
            let network = 2.0 * Double(b) * Double(3 * rest + 2 * first)
            return network + 4.0 * Double(samples * b) * Double(q * q)
        }
    }

    func validate() throws {
        let known: Set = ["mlp-corel5k", "mlp-scene", "clif-scene", "dela-scene", "mpvae-corel5k", "mpvae-scene"]
        for name in workloads?.split(separator: ",").map(String.init) ?? [] where !known.contains(name) {
            throw ValidationError("unknown workload '\(name)'; choose from \(known.sorted().joined(separator: ", "))")
        }
        guard epochs >= 2 else { throw ValidationError("--epochs must be at least 2 (the first is a warm-up)") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    static let all = [
        Workload(name: "mlp corel5k", model: "mlp", rows: 5000, features: 499, labels: 374, density: 3.522 / 374,
                 stepFlops: mlpFlops(d: 499, q: 374)),
        Workload(name: "mlp scene", model: "mlp", rows: 2407, features: 294, labels: 6, density: 1.074 / 6,
                 stepFlops: mlpFlops(d: 294, q: 6)),
        Workload(name: "clif scene", model: "clif", rows: 2407, features: 294, labels: 6, density: 1.074 / 6,
                 stepFlops: clifFlops(d: 294, q: 6)),
        Workload(name: "dela scene", model: "dela", rows: 2407, features: 294, labels: 6, density: 1.074 / 6,
                 stepFlops: delaFlops(d: 294, q: 6)),
        Workload(name: "mpvae corel5k", model: "mpvae", rows: 5000, features: 499, labels: 374, density: 3.522 / 374,
                 stepFlops: mpvaeFlops(d: 499, q: 374)),
        Workload(name: "mpvae scene", model: "mpvae", rows: 2407, features: 294, labels: 6, density: 1.074 / 6,
                 stepFlops: mpvaeFlops(d: 294, q: 6)),
    ]

    func run() throws {
        BLAS.setThreads(threads)
        BLAS.warmUp()
        let wanted = workloads.map { Set($0.split(separator: ",").map(String.init)) }
        let selected = Self.all.filter { wanted?.contains($0.name.replacingOccurrences(of: " ", with: "-")) ?? true }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bench-epoch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var results: [[String: Any]] = []
        print("\(threads) thread(s); medians of \(epochs - 1) epochs after a warm-up. wall = elapsed seconds, cpu = CPU seconds "
              + "(\(threads == 1 ? "of the thread doing the work" : "of the process"); less sensitive to other load). sgemm = cblas_sgemm 768³ GFLOP/s (cpu) just before the "
              + "workload; GEMM % = GEMM flops of an epoch / our cpu seconds / sgemm")
        print("round  workload     sgemm  ours wall   cpu  torch wall    cpu  speed-up wall   cpu  GEMM GFLOP/s  GEMM %")
        for round in 1...rounds {
            for workload in selected {
                let sgemm = Self.sgemmGFLOPS(size: 768, repeats: 9, threads: threads)
                let (features, labels) = makeData(workload)
                let ours = try timeEpochs(workload, features: features, labels: labels)
                var flops = 0.0
                var start = 0
                while start < workload.rows {
                    flops += workload.stepFlops(min(128, workload.rows - start))
                    start += 128
                }
                let gflops = flops / ours.cpu / 1e9
                var torch: [String: Any]? = nil
                if reference && workload.model != "dela" {
                    torch = try runReference(workload, features: features, labels: labels, scratch: scratch)
                }
                let torchWall = torch?["epoch_seconds_median"] as? Double, torchCPU = torch?["epoch_cpu_seconds_median"] as? Double
                func cell(_ value: Double?, _ digits: Int, _ width: Int, suffix: String = "") -> String {
                    (value.map { format($0, digits) + suffix } ?? "-").leftPad(width)
                }
                print("\(String(round).leftPad(5))  \(workload.name.padding(toLength: 11, withPad: " ", startingAt: 0))"
                      + "\(format(sgemm.cpu).leftPad(6))  \(format(ours.wall, 4).leftPad(9))  \(format(ours.cpu, 4))"
                      + "\(cell(torchWall, 4, 12))  \(cell(torchCPU, 4, 6))"
                      + "\(cell(torchWall.map { $0 / ours.wall }, 2, 15, suffix: "x"))  \(cell(torchCPU.map { $0 / ours.cpu }, 2, 5, suffix: "x"))"
                      + "\(format(gflops).leftPad(14))  \(format(100 * gflops / sgemm.cpu, 0).leftPad(5))%")
                var row: [String: Any] = [
                    "round": round, "workload": workload.name, "model": workload.model, "rows": workload.rows,
                    "features": workload.features, "labels": workload.labels, "batch": 128,
                    "sgemm_768_gflops": sgemm.wall, "sgemm_768_cpu_gflops": sgemm.cpu,
                    "epoch_seconds_median": ours.wall, "epoch_cpu_seconds_median": ours.cpu, "epoch_seconds_all": ours.all,
                    "samples_per_second": Double(workload.rows) / ours.wall, "gemm_gflop_per_epoch": flops / 1e9,
                    "gemm_cpu_gflops": gflops, "gemm_share_of_sgemm": gflops / sgemm.cpu,
                ]
                if let torch, let torchWall, let torchCPU {
                    row["reference"] = torch
                    row["speedup"] = torchWall / ours.wall
                    row["speedup_cpu"] = torchCPU / ours.cpu
                }
                results.append(row)
            }
        }
        if rounds > 1 { printSummary(results) }
        var memory: [String: Any] = [:]
        if memorySteps > 0 {
            let workload = Workload(name: "clif corel5k", model: "clif", rows: 5000, features: 499, labels: 374,
                                    density: 3.522 / 374, stepFlops: Self.clifFlops(d: 499, q: 374))
            let stepSeconds = try timeSteps(workload, steps: memorySteps)
            let peak = Self.peakResidentBytes()
            let epochEstimate = stepSeconds * Double((workload.rows + 127) / 128)
            print("clif corel5k (batch 128): \(format(stepSeconds, 2)) s/step (≈ \(format(epochEstimate, 0)) s/epoch), "
                  + "peak resident memory (VmHWM) \(format(Double(peak) / 1_048_576, 0)) MiB")
            memory = ["workload": workload.name, "steps": memorySteps, "step_seconds_median": stepSeconds,
                      "epoch_seconds_estimate": epochEstimate, "peak_resident_bytes": peak,
                      "step_gemm_gflops": workload.stepFlops(128) / stepSeconds / 1e9]
        }
        if let json {
            let document: [String: Any] = ["bench": "epoch", "threads": threads, "epochs": epochs, "rounds": rounds,
                                           "workloads": results, "memory": memory]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }

    /// Per workload, the median and range over the rounds of the CPU speed-up and the GEMM share.
    func printSummary(_ results: [[String: Any]]) {
        func span(_ values: [Double], _ digits: Int, _ suffix: String) -> String {
            guard !values.isEmpty else { return "-" }
            let sorted = values.sorted(), middle = sorted.count / 2
            let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            return "\(format(median, digits))\(suffix) (\(format(sorted.first!, digits))–\(format(sorted.last!, digits)))"
        }
        print("over \(rounds) rounds: median (range)")
        for name in Self.all.map(\.name) {
            let rows = results.filter { $0["workload"] as? String == name }
            guard !rows.isEmpty else { continue }
            let speedups = rows.compactMap { $0["speedup_cpu"] as? Double }
            let shares = rows.compactMap { ($0["gemm_share_of_sgemm"] as? Double).map { 100 * $0 } }
            print("  \(name.padding(toLength: 13, withPad: " ", startingAt: 0))speed-up cpu \(span(speedups, 2, "x"))   GEMM % \(span(shares, 1, "%"))")
        }
    }

    /// Runs the PyTorch reference of a workload and returns its JSON object: `scripts/bench_epoch.py`
    /// on the arrays our epochs used (mlp, clif), `scripts/bench_mpvae.py` on random data of the same
    /// shape (mpvae).
    func runReference(_ w: Workload, features: [Float], labels: [Float], scratch: URL) throws -> [String: Any] {
        let arguments: [String]
        if w.model == "mpvae" {
            arguments = [mpvaeScript, "--rows", "\(w.rows)", "--features", "\(w.features)", "--labels", "\(w.labels)",
                         "--density", "\(w.density)"]
        } else {
            let x = scratch.appendingPathComponent("features.npy"), y = scratch.appendingPathComponent("labels.npy")
            try NpyFile.write(features, shape: [w.rows, w.features], to: x)
            try NpyFile.write(labels, shape: [w.rows, w.labels], to: y)
            arguments = [script, "--features", x.path, "--labels", y.path, "--model", w.model]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments + ["--threads", String(threads), "--epochs", String(epochs)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["epoch_seconds_median"] is Double, object["epoch_cpu_seconds_median"] is Double else {
            throw ValidationError("the reference \(python) \(arguments[0]) failed on \(w.name) (exit \(process.terminationStatus)); "
                                  + "it needs torch and numpy (pass --python with a suitable interpreter, or --reference false)")
        }
        return object
    }

    /// Random features in [0, 1) and Bernoulli(density) labels with the workload's shape.
    func makeData(_ w: Workload) -> (features: [Float], labels: [Float]) {
        var generator = SeededGenerator(seed: 1, stream: "bench.data")
        var features = [Float](repeating: 0, count: w.rows * w.features)
        for i in 0..<features.count { features[i] = generator.nextFloat() }
        var labels = [Float](repeating: 0, count: w.rows * w.labels)
        for i in 0..<labels.count where generator.nextDouble() < w.density { labels[i] = 1 }
        return (features, labels)
    }

    /// Median wall and process-CPU seconds per epoch after the first, and every epoch's wall seconds.
    func timeEpochs(_ w: Workload, features: [Float], labels: [Float]) throws -> (wall: Double, cpu: Double, all: [Double]) {
        let model = try ModelFactory.make(ModelHyperParameters(defaultsOf: ModelKind(rawValue: w.model)!), inputDimension: w.features,
                                          labelCount: w.labels, seed: 1)
        let session = TrainingSession(model: model, learningRate: 1e-4, weightDecay: 1e-4)
        var generator = SeededGenerator(seed: 1, stream: "bench.order")
        var batchX = [Float](repeating: 0, count: 128 * w.features), batchY = [Float](repeating: 0, count: 128 * w.labels)
        var walls: [Double] = [], cpus: [Double] = []
        for _ in 0..<max(epochs, 2) {
            let order = generator.permutation(w.rows)
            let start = Self.clocks(threads: threads)
            Self.trainEpoch(session, order: order, features: features, featureCount: w.features, labels: labels, labelCount: w.labels,
                            batchX: &batchX, batchY: &batchY)
            let end = Self.clocks(threads: threads)
            walls.append(end.wall - start.wall)
            cpus.append(end.cpu - start.cpu)
        }
        return (Self.steadyMedian(walls), Self.steadyMedian(cpus), walls)
    }

    /// One training epoch in batches of 128 rows taken from `order`, gathered into the scratch
    /// buffers `batchX` [128 · d] and `batchY` [128 · q].
    static func trainEpoch(_ session: TrainingSession, order: [Int], features: [Float], featureCount d: Int, labels: [Float], labelCount q: Int,
                           batchX: inout [Float], batchY: inout [Float]) {
        var first = 0
        while first < order.count {
            let count = min(128, order.count - first)
            gather(order[first..<(first + count)], features, d, into: &batchX)
            gather(order[first..<(first + count)], labels, q, into: &batchY)
            batchX.withUnsafeBufferPointer { x in
                batchY.withUnsafeBufferPointer { y in
                    _ = session.step(features: UnsafeBufferPointer(rebasing: x[0..<(count * d)]),
                                     targets: UnsafeBufferPointer(rebasing: y[0..<(count * q)]), batchSize: count)
                }
            }
            first += count
        }
    }

    /// The median after dropping the first (warm-up) value.
    static func steadyMedian(_ values: [Double]) -> Double {
        let steady = values.dropFirst().sorted()
        return steady[steady.count / 2]
    }

    /// Elapsed time and CPU time, in seconds. With one OpenBLAS thread all the measured work runs
    /// on the calling thread, whose CPU time is taken: the process's would also count OpenBLAS's
    /// idle worker, which spins for a while after start-up and halved the first sgemm figure of a
    /// run. With more threads, the whole process's.
    static func clocks(threads: Int) -> (wall: Double, cpu: Double) {
        var wall = timespec(), cpu = timespec()
        clock_gettime(CLOCK_MONOTONIC, &wall)
        clock_gettime(threads == 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &cpu)
        return (Double(wall.tv_sec) + Double(wall.tv_nsec) * 1e-9, Double(cpu.tv_sec) + Double(cpu.tv_nsec) * 1e-9)
    }

    /// cblas_sgemm size³ GFLOP/s by elapsed and by CPU time, medians of `repeats`.
    static func sgemmGFLOPS(size: Int, repeats: Int, threads: Int) -> (wall: Double, cpu: Double) {
        let a = [Float](repeating: 0.5, count: size * size), b = [Float](repeating: 0.25, count: size * size)
        var c = [Float](repeating: 0, count: size * size)
        var walls: [Double] = [], cpus: [Double] = []
        for _ in 0...repeats {
            let start = clocks(threads: threads)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1, a, Int32(size),
                        b, Int32(size), 0, &c, Int32(size))
            let end = clocks(threads: threads)
            walls.append(end.wall - start.wall)
            cpus.append(end.cpu - start.cpu)
        }
        let flops = 2 * pow(Double(size), 3) / 1e9
        return (flops / steadyMedian(walls), flops / steadyMedian(cpus))
    }

    /// Median seconds per training step over `steps` steps (after one warm-up step).
    func timeSteps(_ w: Workload, steps: Int) throws -> Double {
        let (features, labels) = makeData(Workload(name: w.name, model: w.model, rows: 128, features: w.features,
                                                   labels: w.labels, density: w.density, stepFlops: w.stepFlops))
        let model = try ModelFactory.make(ModelHyperParameters(defaultsOf: ModelKind(rawValue: w.model)!), inputDimension: w.features,
                                          labelCount: w.labels, seed: 1)
        let session = TrainingSession(model: model, learningRate: 1e-4, weightDecay: 1e-4)
        var times: [Double] = []
        for _ in 0...steps {
            let start = DispatchTime.now().uptimeNanoseconds
            session.step(features: features, targets: labels, batchSize: 128)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Self.steadyMedian(times)
    }

    static func gather(_ rows: ArraySlice<Int>, _ source: [Float], _ width: Int, into target: inout [Float]) {
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in
                for (r, row) in rows.enumerated() {
                    (t.baseAddress! + r * width).update(from: s.baseAddress! + row * width, count: width)
                }
            }
        }
    }

    /// VmHWM (peak resident set) of this process from /proc/self/status, in bytes.
    static func peakResidentBytes() -> Int { statusBytes("VmHWM") }

    /// A memory figure of this process from /proc/self/status (e.g. `VmHWM`, `VmRSS`), in bytes; 0 if unreadable.
    static func statusBytes(_ key: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
}

extension String {
    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
