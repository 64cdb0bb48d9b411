import Formats
import Foundation
import Testing
import TestSupport

/// Whether a Slurm cluster is there to submit to: `sbatch` on PATH and a controller that answers.
/// `.ci/run` starts a single-node one on loopback before the tests and stops it afterwards.
enum SlurmCluster {
    /// Why the cluster tests are skipped, or nil when they can run.
    static let unavailable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/sbatch") }) else {
            return "sbatch is not on PATH; these tests submit to a real Slurm cluster (.ci/run installs slurm-wlm and starts one)"
        }
        guard (try? TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["scontrol", "ping"]))?.status == 0 else {
            let conf = ProcessInfo.processInfo.environment["SLURM_CONF"] ?? "unset"
            return "sbatch is installed but no Slurm controller answers `scontrol ping` (SLURM_CONF=\(conf)); start one as .ci/run does"
        }
        return nil
    }()
}

/// `pipeline run --executor slurm` against a real Slurm cluster, on a small pipeline shaped like
/// the quickstart (emotions, two selectors, few epochs). Serialized: the tests share the cluster.
@Suite(.serialized, .enabled(if: SlurmCluster.unavailable == nil, Comment(rawValue: SlurmCluster.unavailable ?? "")))
struct SlurmClusterTests {
    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    let folder = TestSupport.temporaryFolder("slurm")

    /// Writes `Pipelines/NAME.yaml` into `folder`: fetch → split → train (matrix) → analyze.
    func writePipeline(_ name: String, in folder: URL, epochs: Int, matrix: String = "selector: [random, uncertainty]",
                       executor: String = "") throws {
        let yaml = """
        name: \(name)
        seed: 5
        \(executor)
        stages:
          fetch:
            uses: fetch
            with: { dataset: emotions, catalog: \(TestSupport.packageRoot.path)/Datasets/catalog.yaml, mirror: \(TestSupport.datasetsMirror.path) }
          split: { uses: split, needs: [fetch], with: { folds: 2, restarts: 1 } }
          train:
            uses: train
            needs: [split]
            matrix: { \(matrix) }
            with: { epochs: \(epochs), batch_size: 64, warmup_epochs: 1, threads: 1 }
          analyze: { uses: analyze, needs: [train], with: { drift_epochs: [1, 2] } }
        """
        let url = folder.appendingPathComponent("Pipelines/\(name).yaml")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
    }

    func pipeline(_ arguments: String..., in folder: URL? = nil) throws -> TestSupport.ProcessResult {
        try TestSupport.runProduct("pipeline", arguments, currentDirectory: folder ?? self.folder)
    }

    /// Starts `pipeline run NAME --executor slurm --plain` in the background, its output in `output`.
    func startRun(_ name: String, output: URL) throws -> Process {
        let process = Process()
        process.executableURL = TestSupport.productsFolder.appendingPathComponent("pipeline")
        process.arguments = ["run", name, "--executor", "slurm", "--plain"]
        process.currentDirectoryURL = folder
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        try process.run()
        return process
    }

    /// Polls `condition` until it holds; fails naming `what` after a generous timeout.
    func wait(for what: String, timeout: TimeInterval = 600, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else { throw Timeout(description: "no \(what) after \(Int(timeout)) s") }
            usleep(100_000)
        }
    }

    /// The Slurm job ids in a runner's output (`queued  x  (Slurm job 12, afterok:10:11)`,
    /// `start  x  (Slurm job 12)`, `adopted  x  (Slurm job 12, running)`), by instance.
    static func jobIDs(in output: String) -> [String: String] {
        var ids: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 5, ["queued", "start", "adopted"].contains(words[0]), words[2] == "(Slurm", words[3] == "job" else { continue }
            ids[String(words[1])] = String(words[4].prefix { $0.isNumber })
        }
        return ids
    }

    /// `JobState` of a job as `scontrol show job` reports it.
    static func jobState(_ id: String) throws -> String {
        let answer = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["scontrol", "--oneliner", "show", "job", id]).standardOutput
        return answer.split(separator: " ").first { $0.hasPrefix("JobState=") }.map { String($0.dropFirst(9)) } ?? "unknown"
    }

    /// Output file → SHA-256 of every instance folder under `Artifacts/NAME`, from the manifests.
    func outputs(_ name: String, in folder: URL) throws -> [String: String] {
        let root = folder.appendingPathComponent("Artifacts/\(name)")
        var result: [String: String] = [:]
        for instance in ["fetch/default", "split/default", "train/selector=random", "train/selector=uncertainty", "analyze/default"] {
            for (file, digest) in try Manifest.read(from: root.appendingPathComponent(instance)).outputs {
                result[instance + "/" + file] = digest
            }
        }
        return result
    }

    /// Every instance folder's `stage.log` has one header line per launch.
    func launches(_ name: String) throws -> [String: Int] {
        let root = folder.appendingPathComponent("Artifacts/\(name)")
        var result: [String: Int] = [:]
        for stage in try FileManager.default.contentsOfDirectory(atPath: root.path) where !stage.contains(".") {
            for instance in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(stage).path) {
                let log = try String(contentsOf: root.appendingPathComponent("\(stage)/\(instance)/stage.log"), encoding: .utf8)
                result["\(stage)/\(instance)"] = log.split(separator: "\n").filter { $0.hasPrefix("=== ") }.count
            }
        }
        return result
    }

    @Test func aRunThroughSlurmBuildsWhatALocalRunBuilds() throws {
        try writePipeline("tiny", in: folder, epochs: 3)
        let slurm = try pipeline("run", "tiny", "--executor", "slurm", "--plain")
        #expect(slurm.status == 0, "\(slurm.standardOutput)\(slurm.standardError)")
        #expect(slurm.standardOutput.contains("5 built, 0 up to date, 0 failed, 0 not run"))
        #expect(Self.jobIDs(in: slurm.standardOutput).count == 5, "\(slurm.standardOutput)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("Artifacts/tiny/train/selector=random/slurm.sh").path))

        let local = TestSupport.temporaryFolder("slurm-local")
        try writePipeline("tiny", in: local, epochs: 3)
        let built = try pipeline("run", "tiny", in: local)
        #expect(built.status == 0, "\(built.standardOutput)\(built.standardError)")
        // Every output is the same, except the files that record wall time: epochs.csv's last two
        // columns (seconds, selection_seconds) and report.html's run table differ between any two runs.
        let (viaSlurm, here) = (try outputs("tiny", in: folder), try outputs("tiny", in: local))
        #expect(viaSlurm.count == here.count)
        let timed = viaSlurm.keys.filter { $0.hasSuffix("epochs.csv") || $0.hasSuffix("report.html") }
        #expect(timed.count == 3)
        for (file, digest) in viaSlurm where !timed.contains(file) { #expect(here[file] == digest, "\(file)") }
        for file in timed where file.hasSuffix("epochs.csv") {
            let untimed = { (root: URL) in
                try String(contentsOf: root.appendingPathComponent("Artifacts/tiny/" + file), encoding: .utf8)
                    .split(separator: "\n").map { $0.split(separator: ",").dropLast(2).joined(separator: ",") }
            }
            #expect(try untimed(folder) == untimed(local), "\(file)")
        }

        // The cache does not care which executor built an instance; an up-to-date rerun submits nothing.
        #expect(try pipeline("status", "tiny").standardOutput.contains("5 of 5 up to date"))
        #expect(try pipeline("run", "tiny").standardOutput.contains("0 built, 5 up to date"))
        let rerun = try pipeline("run", "tiny", "--executor", "slurm", "--plain")
        #expect(rerun.status == 0)
        #expect(rerun.standardOutput.contains("0 built, 5 up to date"))
        #expect(!rerun.standardOutput.contains("Slurm job"))
        #expect(try launches("tiny").values.allSatisfy { $0 == 1 })
        let fromLocal = try pipeline("run", "tiny", "--executor", "slurm", "--plain", in: local)
        #expect(fromLocal.standardOutput.contains("0 built, 5 up to date"))
    }

    @Test func aFailedJobShowsItsLogAndItsDependentsAreCancelled() throws {
        // A learning rate of 1e6 makes the loss run away: the stage fails when it runs.
        try writePipeline("bad", in: folder, epochs: 2, matrix: "selector: [random], lr: [1e-3, 1e6], weight_decay: [0]")
        let result = try pipeline("run", "bad", "--executor", "slurm", "--plain")
        #expect(result.status == 1, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("failed  train/selector=random,lr=1e6,weight_decay=0: exit status 1 after "), "\(output)")
        #expect(output.contains("    | error: training diverged at epoch 1"))
        #expect(output.contains("not run  analyze/default  (upstream train/selector=random,lr=1e6,weight_decay=0 failed; cancelled Slurm job "))
        #expect(output.contains("3 built, 0 up to date, 1 failed, 1 not run"))
        let analyze = try #require(Self.jobIDs(in: output)["analyze/default"])
        #expect(try Self.jobState(analyze) == "CANCELLED")
    }

    @Test func interruptingTheRunnerCancelsItsJobs() throws {
        try writePipeline("long", in: folder, epochs: 100_000)
        let output = folder.appendingPathComponent("run.out")
        let runner = try startRun("long", output: output)
        let log = folder.appendingPathComponent("Artifacts/long/train/selector=random/stage.log")
        try wait(for: "epoch line from the running train job in \(log.path)") {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("epoch 1/")
        }
        kill(runner.processIdentifier, SIGINT)
        runner.waitUntilExit()
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(runner.terminationStatus == 130, "\(text)")
        #expect(text.contains("interrupted (signal 2)"))
        let ids = Self.jobIDs(in: text)
        #expect(ids.count == 5, "\(text)")
        for instance in ["train/selector=random", "train/selector=uncertainty", "analyze/default"] {
            #expect(try Self.jobState(try #require(ids[instance])) == "CANCELLED", "\(instance)")
        }
        let queue = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["squeue", "--noheader", "--format=%i"]).standardOutput
        #expect(Set(queue.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }).isDisjoint(with: ids.values))
    }

    /// The runner is killed with every job held in the queue (`extra: [--hold]`), so the jobs are
    /// certainly still queued when the next run starts.
    @Test func jobsOfAKilledRunnerAreAdoptedNotSubmittedAgain() throws {
        try writePipeline("kept", in: folder, epochs: 3, executor: "executor: { extra: [--hold] }")
        let runner = try startRun("kept", output: folder.appendingPathComponent("run.out"))
        let record = folder.appendingPathComponent("Artifacts/kept/analyze/default/.slurm-job")
        try wait(for: "job record \(record.path)") { FileManager.default.fileExists(atPath: record.path) }
        kill(runner.processIdentifier, SIGKILL)
        runner.waitUntilExit()
        let submitted = Self.jobIDs(in: try String(contentsOf: folder.appendingPathComponent("run.out"), encoding: .utf8))
        #expect(submitted.count == 5)

        let local = try pipeline("run", "kept")
        #expect(local.status == 1)
        #expect(local.standardError.contains("is still building this instance; run with `--executor slurm` to adopt it"), "\(local.standardError)")
        let clean = try pipeline("clean", "kept")
        #expect(clean.status == 1)
        #expect(clean.standardError.contains("of an earlier run is still building this instance; wait for it, or cancel it"), "\(clean.standardError)")

        let release = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["scontrol", "release", submitted.values.sorted().joined(separator: ",")])
        #expect(release.status == 0, "\(release.standardError)")
        let rerun = try pipeline("run", "kept", "--executor", "slurm", "--plain")
        #expect(rerun.status == 0, "\(rerun.standardOutput)\(rerun.standardError)")
        #expect(Self.jobIDs(in: rerun.standardOutput) == submitted, "\(rerun.standardOutput)")
        #expect(!rerun.standardOutput.contains("queued  "))
        #expect(rerun.standardOutput.contains("5 built, 0 up to date, 0 failed, 0 not run"))
        #expect(try launches("kept") == Dictionary(uniqueKeysWithValues: submitted.keys.map { ($0, 1) }))
        #expect(try pipeline("status", "kept").standardOutput.contains("5 of 5 up to date"))
    }
}
