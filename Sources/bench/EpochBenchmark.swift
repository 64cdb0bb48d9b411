import Formats
import ArgumentParser
import Foundation
import Models
import SeededRandom
import Tensors

/// Seconds per training epoch (batch 128, Adam) of mlp on corel5k- and scene-sized data,
/// clif and dela on scene-sized data and mpvae on both, achieved GEMM GFLOP/s against measured
/// cblas_sgemm, and peak memory of clif on corel5k size. Data are random with the real shapes and
/// label densities. The mpvae rows also run `scripts/bench_mpvae.py` (PyTorch) on the same shapes.
struct EpochBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "epoch", abstract: "Training-epoch speed of mlp, clif, dela and mpvae.")

    @Option(help: "OpenBLAS threads.") var threads = 2
    @Option(help: "Epochs per workload (the first is a warm-up; the median of the rest is reported).") var epochs = 4
    @Option(help: "Training steps of clif on corel5k size for the peak-memory measurement (0 skips it).")
    var memorySteps = 3
    @Option(help: "Comma-separated subset of the workloads: mlp-corel5k, mlp-scene, clif-scene, dela-scene, mpvae-corel5k, mpvae-scene (default: all).")
    var workloads: String?
    @Option(help: "Run the PyTorch reference of the mpvae rows (true|false).") var reference = true
    @Option(help: "Python interpreter with torch for the mpvae reference.") var python = "python3"
    @Option(help: "The mpvae reference script.") var mpvaeScript = "scripts/bench_mpvae.py"
    @Option(help: "Write the results as JSON to this file.") var json: String?

    struct Workload {
        let name: String, model: String, rows: Int, features: Int, labels: Int, density: Double
        /// GEMM flops of one training step on `batch` rows (forward and backward).
        let stepFlops: (Int) -> Double
    }

    static func mlpFlops(d: Int, q: Int, hidden: Int = 256) -> (Int) -> Double {
        { b in
            let forward = 2.0 * Double(b) * Double(d * hidden + hidden * hidden + hidden * q)
            return 3 * forward - 2.0 * Double(b) * Double(d * hidden)  // no input gradient for the first layer
        }
    }

    static func clifFlops(d: Int, q: Int, hidden: Int = 768) -> (Int) -> Double {
        { b in
            let feature = 2.0 * Double(b) * Double(d * hidden + 2 * hidden * hidden)
            let joint = 2.0 * Double(b * q) * Double(hidden * hidden)
            return 3 * (feature + joint) - 2.0 * Double(b) * Double(d * hidden)
        }
    }

    static func delaFlops(d: Int, q: Int) -> (Int) -> Double {
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
    static func mpvaeFlops(d: Int, q: Int, latent: Int = 50, samples: Int = 100) -> (Int) -> Double {
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
    }

    func run() throws {
        BLAS.setThreads(threads)
        BLAS.warmUp()
        let sgemmSquare = BLAS.measureGFLOPS(m: 1024, n: 1024, k: 1024, repeats: 5)
        let sgemmClif = BLAS.measureGFLOPS(m: 768, n: 768, k: 768, repeats: 9)
        print("cblas_sgemm GFLOP/s (\(threads) threads): 1024³ \(format(sgemmSquare)), 768³ \(format(sgemmClif))")
        let all = [
            Workload(name: "mlp corel5k", model: "mlp", rows: 5000, features: 499, labels: 374, density: 3.522 / 374,
                     stepFlops: Self.mlpFlops(d: 499, q: 374)),
            Workload(name: "mlp scene", model: "mlp", rows: 2407, features: 294, labels: 6, density: 1.074 / 6,
                     stepFlops: Self.mlpFlops(d: 294, q: 6)),
            Workload(name: "clif scene", model: "clif", rows: 2407, features: 294, labels: 6, density: 1.074 / 6,
                     stepFlops: Self.clifFlops(d: 294, q: 6)),
            Workload(name: "dela scene", model: "dela", rows: 2407, features: 294, labels: 6, density: 1.074 / 6,
                     stepFlops: Self.delaFlops(d: 294, q: 6)),
            Workload(name: "mpvae corel5k", model: "mpvae", rows: 5000, features: 499, labels: 374, density: 3.522 / 374,
                     stepFlops: Self.mpvaeFlops(d: 499, q: 374)),
            Workload(name: "mpvae scene", model: "mpvae", rows: 2407, features: 294, labels: 6, density: 1.074 / 6,
                     stepFlops: Self.mpvaeFlops(d: 294, q: 6)),
        ]
        let wanted = workloads.map { Set($0.split(separator: ",").map(String.init)) }
        let selected = all.filter { wanted?.contains($0.name.replacingOccurrences(of: " ", with: "-")) ?? true }
        var results: [[String: Any]] = []
        print("workload       seconds/epoch  samples/s  GEMM GFLOP/s  % of sgemm 768³")
        for workload in selected {
            let (seconds, all, cpuSeconds) = try timeEpochs(workload)
            var flops = 0.0
            var start = 0
            while start < workload.rows {
                flops += workload.stepFlops(min(128, workload.rows - start))
                start += 128
            }
            let gflops = flops / seconds / 1e9
            print("\(workload.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(format(seconds, 4).leftPad(13))  "
                  + "\(format(Double(workload.rows) / seconds, 0).leftPad(9))  \(format(gflops).leftPad(12))  "
                  + "\(format(100 * gflops / sgemmClif, 0).leftPad(14))%")
            var row: [String: Any] = ["workload": workload.name, "model": workload.model, "rows": workload.rows,
                                      "features": workload.features, "labels": workload.labels, "batch": 128,
                                      "epoch_seconds_median": seconds, "epoch_seconds_all": all,
                                      "samples_per_second": Double(workload.rows) / seconds, "gemm_gflop_per_epoch": flops / 1e9,
                                      "gemm_gflops": gflops, "epoch_cpu_seconds_median": cpuSeconds]
            if workload.model == "mpvae" && reference {
                // Both sides run one thread; CPU seconds are robust to other load on the machine.
                let pytorch = try pytorchEpochSeconds(workload)
                print("  ours \(format(seconds, 4)) s/epoch wall, \(format(cpuSeconds, 4)) s CPU; PyTorch \(pytorch.version): "
                      + "\(format(pytorch.seconds, 4)) s wall, \(format(pytorch.cpuSeconds, 4)) s CPU; ours is "
                      + "\(format(pytorch.seconds / seconds, 2))× faster by wall time, \(format(pytorch.cpuSeconds / cpuSeconds, 2))× by CPU time")
                row["pytorch_epoch_seconds_median"] = pytorch.seconds
                row["pytorch_epoch_seconds_all"] = pytorch.all
                row["pytorch_epoch_cpu_seconds_median"] = pytorch.cpuSeconds
                row["speedup_over_pytorch"] = pytorch.seconds / seconds
                row["cpu_speedup_over_pytorch"] = pytorch.cpuSeconds / cpuSeconds
            }
            results.append(row)
        }
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
            let document: [String: Any] = [
                "bench": "epoch", "threads": threads, "epochs": epochs,
                "sgemm_gflops": ["1024^3": sgemmSquare, "768^3": sgemmClif],
                "workloads": results, "memory": memory,
            ]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }

    /// Median seconds per epoch of the PyTorch mpvae reference on random data of the workload's shape.
    func pytorchEpochSeconds(_ w: Workload) throws -> (seconds: Double, all: [Double], cpuSeconds: Double, version: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, mpvaeScript, "--rows", "\(w.rows)", "--features", "\(w.features)", "--labels", "\(w.labels)",
                             "--density", "\(w.density)", "--epochs", "\(epochs)", "--threads", "\(threads)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seconds = object["epoch_seconds_median"] as? Double, let cpuSeconds = object["epoch_cpu_seconds_median"] as? Double else {
            throw ValidationError("the mpvae reference \(mpvaeScript) failed under '\(python)' (needs torch; --python PATH, --reference false)")
        }
        return (seconds, object["epoch_seconds_all"] as? [Double] ?? [], cpuSeconds, object["torch"] as? String ?? "?")
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

    /// Median seconds per epoch after the first, every epoch's seconds, and the median CPU
    /// seconds of this thread per epoch.
    func timeEpochs(_ w: Workload) throws -> (Double, [Double], Double) {
        let (features, labels) = makeData(w)
        let model = try ModelFactory.make(ModelKind(rawValue: w.model)!, inputDimension: w.features, labelCount: w.labels, seed: 1)
        let session = TrainingSession(model: model, learningRate: 1e-4, weightDecay: 1e-4)
        var generator = SeededGenerator(seed: 1, stream: "bench.order")
        var batchX = [Float](repeating: 0, count: 128 * w.features), batchY = [Float](repeating: 0, count: 128 * w.labels)
        var times: [Double] = [], cpuTimes: [Double] = []
        for _ in 0..<max(epochs, 2) {
            let order = generator.permutation(w.rows)
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = Self.threadCPUSeconds()
            var first = 0
            while first < w.rows {
                let count = min(128, w.rows - first)
                gather(order[first..<(first + count)], features, w.features, into: &batchX)
                gather(order[first..<(first + count)], labels, w.labels, into: &batchY)
                batchX.withUnsafeBufferPointer { x in
                    batchY.withUnsafeBufferPointer { y in
                        _ = session.step(features: UnsafeBufferPointer(rebasing: x[0..<(count * w.features)]),
                                         targets: UnsafeBufferPointer(rebasing: y[0..<(count * w.labels)]), batchSize: count)
                    }
                }
                first += count
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            cpuTimes.append(Self.threadCPUSeconds() - cpuStart)
        }
        let steady = times.dropFirst().sorted(), steadyCPU = cpuTimes.dropFirst().sorted()
        return (steady[steady.count / 2], times, steadyCPU[steadyCPU.count / 2])
    }

    /// CPU seconds consumed by the calling thread (with one OpenBLAS thread, all of a step's work).
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Median seconds per training step over `steps` steps (after one warm-up step).
    func timeSteps(_ w: Workload, steps: Int) throws -> Double {
        let (features, labels) = makeData(Workload(name: w.name, model: w.model, rows: 128, features: w.features,
                                                   labels: w.labels, density: w.density, stepFlops: w.stepFlops))
        let model = try ModelFactory.make(ModelKind(rawValue: w.model)!, inputDimension: w.features, labelCount: w.labels, seed: 1)
        let session = TrainingSession(model: model, learningRate: 1e-4, weightDecay: 1e-4)
        var times: [Double] = []
        for _ in 0...steps {
            let start = DispatchTime.now().uptimeNanoseconds
            session.step(features: features, targets: labels, batchSize: 128)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let steady = times.dropFirst().sorted()
        return steady[steady.count / 2]
    }

    func gather(_ rows: ArraySlice<Int>, _ source: [Float], _ width: Int, into target: inout [Float]) {
        source.withUnsafeBufferPointer { s in
            target.withUnsafeMutableBufferPointer { t in
                for (r, row) in rows.enumerated() {
                    (t.baseAddress! + r * width).update(from: s.baseAddress! + row * width, count: width)
                }
            }
        }
    }

    /// VmHWM (peak resident set) of this process from /proc/self/status, in bytes.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
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
