import Artifacts
import Formats
import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// The built `pipeline` executable with the real fetch and split stages on emotions from the
/// offline mirror (stages run in-process as `pipeline stage …` children).
@Suite struct ExecutableTests {
    let folder = TestSupport.temporaryFolder("pipeline-e2e")

    /// A fetch → split pipeline on emotions; `folds` varies the split parameter.
    func writePipeline(folds: Int = 3, extra: String = "") throws -> URL {
        let catalog = TestSupport.packageRoot.appendingPathComponent("Datasets/catalog.yaml").path
        let yaml = """
        name: tiny
        seed: 3
        stages:
          fetch:
            uses: fetch
            with: { dataset: emotions, catalog: \(catalog), mirror: \(TestSupport.datasetsMirror.path) }
          split:
            uses: split
            needs: [fetch]
            with: { folds: \(folds), restarts: 1 }
        \(extra)
        """
        let url = folder.appendingPathComponent("Pipelines/tiny.yaml")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The `extra` of ``writePipeline(folds:extra:)`` that adds two short trains and an analyze
    /// stage; `analyze` is added to the analyze stage's `with`.
    static func trainAndAnalyze(epochs: Int = 2, analyze: String = "") -> String {
        """
          train:
            uses: train
            needs: [split]
            matrix: { selector: [random, uncertainty] }
            with: { fold: 0, epochs: \(epochs), batch_size: 64, warmup_epochs: 1, threads: 1 }
          analyze:
            uses: analyze
            needs: [train]
            with: { drift_epochs: [1, 2]\(analyze) }
        """
    }

    func pipeline(_ arguments: String...) throws -> TestSupport.ProcessResult {
        try TestSupport.runProduct("pipeline", arguments, currentDirectory: folder)
    }

    @Test func cachedRunsEditsSelectionAndStatus() throws {
        _ = try writePipeline()
        let first = try pipeline("run", "Pipelines/tiny.yaml")
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        #expect(first.standardOutput.contains("2 built, 0 up to date, 0 failed, 0 not run"))
        for file in ["fetch/default/features.npy", "fetch/default/stage.log", "split/default/folds.npy", "split/default/manifest.json", "pipeline.lock"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("Artifacts/tiny/" + file).path), "\(file)")
        }

        let second = try pipeline("run", "Pipelines/tiny.yaml")
        #expect(second.status == 0)
        #expect(second.standardOutput.contains("0 built, 2 up to date"))

        _ = try writePipeline(folds: 4)
        let status = try pipeline("status", "tiny")
        #expect(status.standardOutput.contains("fetch/default  up to date"))
        #expect(status.standardOutput.contains("split/default  stale: parameters changed: folds: 3 → 4"))
        let plan = try pipeline("run", "tiny", "--dry-run")
        #expect(plan.standardOutput.contains("skip   fetch/default  up to date"))
        #expect(plan.standardOutput.contains("run    split/default  stale: parameters changed: folds: 3 → 4"))
        let edited = try pipeline("run", "tiny")
        #expect(edited.standardOutput.contains("up to date  fetch/default"))
        #expect(edited.standardOutput.contains("1 built, 1 up to date"))

        // Forcing one stage reruns it alone; fetch is deterministic, so split stays valid.
        let forced = try pipeline("run", "tiny", "--stage", "fetch", "--force")
        #expect(forced.standardOutput.contains("1 built, 0 up to date"), "\(forced.standardOutput)")
        #expect(try pipeline("status", "tiny").standardOutput.contains("2 of 2 up to date"))

        let inspect = try pipeline("inspect", "Artifacts/tiny/fetch/default/labels.npy")
        #expect(inspect.standardOutput.contains("dtype: uint8 (|u1)   shape: [593, 6]"))
        let manifest = try pipeline("inspect", "Artifacts/tiny/split/default/manifest.json")
        #expect(manifest.standardOutput.contains("rerun: "))
        #expect(manifest.standardOutput.contains("folds"))
    }

    @Test func fullChainRebuildsOnlyWhatAnEditTouches() throws {
        _ = try writePipeline(extra: Self.trainAndAnalyze(epochs: 2))
        let first = try pipeline("run", "tiny", "--jobs", "2")
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        #expect(first.standardOutput.contains("5 built, 0 up to date, 0 failed, 0 not run"))
        #expect(first.standardOutput.contains("report: Artifacts/tiny/analyze/default/report.html"))
        #expect(try pipeline("run", "tiny").standardOutput.contains("0 built, 5 up to date"))

        _ = try writePipeline(extra: Self.trainAndAnalyze(epochs: 3))
        let edited = try pipeline("run", "tiny")
        #expect(edited.status == 0, "\(edited.standardOutput)\(edited.standardError)")
        #expect(edited.standardOutput.contains("up to date  fetch/default\nup to date  split/default\n"))
        #expect(edited.standardOutput.contains("3 built, 2 up to date"))
        let log = try String(contentsOf: folder.appendingPathComponent("Artifacts/tiny/train/selector=uncertainty/stage.log"), encoding: .utf8)
        #expect(log.contains("epoch 3/3 "))

        let one = try pipeline("run", "tiny", "--stage", "train[selector=random]", "--force")
        #expect(one.standardOutput.contains("1 built, 0 up to date"), "\(one.standardOutput)")
    }

    /// A truncated predictions.npy used to pass as up to date, and `run --stage analyze --force`
    /// exited 0 with that run silently missing from results.csv. Now `status --verify` names the
    /// damaged file, analyze refuses the run it cannot read unless told to skip it (and then the
    /// skip shows in results.md and the runner's summary, and the analysis stays stale), and
    /// `run --verify` rebuilds the damaged run and the analysis.
    @Test func damagedOutputsAreFoundRefusedOrSkippedAndRebuilt() throws {
        _ = try writePipeline(extra: Self.trainAndAnalyze())
        let first = try pipeline("run", "tiny", "--jobs", "2")
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")
        let predictions = folder.appendingPathComponent("Artifacts/tiny/train/selector=random/predictions.npy")
        let bytes = try Data(contentsOf: predictions)
        try bytes.prefix(bytes.count - 64).write(to: predictions)

        #expect(try pipeline("status", "tiny").standardOutput.contains("train/selector=random       up to date"))
        let verify = try pipeline("status", "tiny", "--verify")
        #expect(verify.status == 1)
        #expect(verify.standardOutput.contains("train/selector=random       stale: damaged: predictions.npy (content differs from manifest.json)"),
                "\(verify.standardOutput)")
        #expect(verify.standardOutput.contains("1 instance is damaged; `pipeline run tiny --verify` rebuilds them"))

        let refused = try pipeline("run", "tiny", "--stage", "analyze", "--force")
        #expect(refused.status == 1)
        #expect(refused.standardOutput.contains("    | error: 1 train run cannot be read:"), "\(refused.standardOutput)")
        #expect(refused.standardOutput.contains("0 built, 0 up to date, 1 failed, 0 not run\n  failed: analyze/default"))

        _ = try writePipeline(extra: Self.trainAndAnalyze(analyze: ", skip_unreadable: true"))
        let skipped = try pipeline("run", "tiny", "--stage", "analyze")
        #expect(skipped.status == 0, "\(skipped.standardOutput)\(skipped.standardError)")
        #expect(skipped.standardOutput.contains("warning: analyze/default left out 1 unreadable train run (skip_unreadable):\n    "
                                                + folder.appendingPathComponent("Artifacts/tiny/train/selector=random").path), "\(skipped.standardOutput)")
        let results = try String(contentsOf: folder.appendingPathComponent("Artifacts/tiny/analyze/default/results.md"), encoding: .utf8)
        #expect(results.contains("## Skipped runs") && results.contains("predictions.npy"))
        #expect(try pipeline("status", "tiny").standardOutput.contains("analyze/default             stale: built without 1 unreadable input it skipped"))

        let repaired = try pipeline("run", "tiny", "--verify")
        #expect(repaired.status == 0, "\(repaired.standardOutput)\(repaired.standardError)")
        #expect(repaired.standardOutput.contains("2 built, 3 up to date, 0 failed, 0 not run"), "\(repaired.standardOutput)")
        let clean = try pipeline("status", "tiny", "--verify")
        #expect(clean.status == 0 && clean.standardOutput.contains("5 of 5 up to date\nverified:"), "\(clean.standardOutput)")
    }

    @Test func yamlErrorNamesFileLineAndColumn() throws {
        _ = try writePipeline(extra: "  train: { uses: trian }")
        let result = try pipeline("run", "Pipelines/tiny.yaml")
        #expect(result.status == 1)
        #expect(result.standardError == "error: Pipelines/tiny.yaml:11:18: unknown stage type `trian`; valid: fetch, split, train, analyze\n")
        let selection = try pipeline("run", "Pipelines/tiny.yaml", "--stage", "split[fold=1]")
        #expect(selection.status == 1)
        let usage = try pipeline("run", "tiny", "--jobs", "0")
        #expect(usage.status == 64)
    }

    @Test func secondRunIsRefusedWhileTheFolderIsLocked() throws {
        _ = try writePipeline()
        let lock = try ArtifactLock(folder: folder.appendingPathComponent("Artifacts/tiny"), wait: false)
        let refused = try pipeline("run", "tiny")
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("is in use by another `pipeline` run (PID \(getpid())). Wait for it to finish, or pass --wait"))
        withExtendedLifetime(lock) {}
    }

    @Test func killedRunCompletesWhenRerun() throws {
        _ = try writePipeline()
        let process = Process()
        process.executableURL = TestSupport.productsFolder.appendingPathComponent("pipeline")
        process.arguments = ["run", "tiny"]
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let started = folder.appendingPathComponent("Artifacts/tiny/fetch/default/stage.log").path
        while !FileManager.default.fileExists(atPath: started) && process.isRunning { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let rerun = try pipeline("run", "tiny", "--wait")
        #expect(rerun.status == 0, "\(rerun.standardOutput)\(rerun.standardError)")
        #expect(try pipeline("status", "tiny").standardOutput.contains("2 of 2 up to date"))
    }

    @Test func cleanRemovesStaleThenEverything() throws {
        _ = try writePipeline()
        #expect(try pipeline("run", "tiny").status == 0)
        _ = try writePipeline(folds: 5)
        let orphan = folder.appendingPathComponent("Artifacts/tiny/split/folds=9")
        try FileManager.default.createDirectory(at: orphan, withIntermediateDirectories: true)
        let stale = try pipeline("clean", "tiny", "--stale")
        #expect(stale.standardOutput == "removed Artifacts/tiny/split/default\nremoved Artifacts/tiny/split/folds=9\nremoved 2 entries\n")
        let status = try pipeline("status", "tiny").standardOutput
        #expect(status.contains("fetch/default  up to date"))
        #expect(status.contains("split/default  missing (never built)"))
        #expect(try pipeline("clean", "tiny").status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("Artifacts/tiny").path) == [".lock"])
    }

    /// Issue 20, item 3: the hidden temporary files of atomic writes that a kill interrupted
    /// (`.<name>.tmp-<pid>-<random>`) used to stay in the folder for good. The next run of the
    /// instance deletes them; `clean --stale` lists and deletes those in kept folders and in the root.
    @Test func temporaryFilesOfKilledWritesAreRemovedByTheNextRunAndByClean() throws {
        _ = try writePipeline()
        #expect(try pipeline("run", "tiny").status == 0)
        let root = folder.appendingPathComponent("Artifacts/tiny")
        let split = root.appendingPathComponent("split/default")
        func plant(_ path: String) throws { try Data("half".utf8).write(to: root.appendingPathComponent(path)) }
        // A split killed while writing folds.npy and its manifest: incomplete, resumed in place.
        try FileManager.default.removeItem(at: split.appendingPathComponent("manifest.json"))
        try plant("split/default/.folds.npy.tmp-4242-123456789")
        try plant("split/default/.manifest.json.tmp-4242-987654321")
        let rerun = try pipeline("run", "tiny")
        #expect(rerun.standardOutput.contains("1 built, 1 up to date"), "\(rerun.standardOutput)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: split.path).filter { $0.contains(".tmp-") }.isEmpty)

        try plant("fetch/default/.meta.json.tmp-17-42")
        try plant(".pipeline.lock.tmp-17-43")
        try plant("fetch/default/.keep.tmp-file")  // not the name of a temporary file: kept
        let clean = try pipeline("clean", "tiny", "--stale")
        #expect(clean.standardOutput == "removed Artifacts/tiny/.pipeline.lock.tmp-17-43\nremoved Artifacts/tiny/fetch/default/.meta.json.tmp-17-42\n"
            + "removed 2 entries\n", "\(clean.standardOutput)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("fetch/default").path)
            .filter { $0.hasPrefix(".") && $0 != ".pipeline-key" && $0 != ".stage.lock" } == [".keep.tmp-file"])
        #expect(try pipeline("status", "tiny").standardOutput.contains("2 of 2 up to date"))
    }

    /// `clean` deletes nothing while a stage process of an earlier run still writes a folder, or
    /// while a Slurm job recorded in one may still run.
    @Test func cleanRefusesFoldersSomethingMayStillWrite() throws {
        _ = try writePipeline()
        #expect(try pipeline("run", "tiny").status == 0)
        let root = folder.appendingPathComponent("Artifacts/tiny")
        let split = root.appendingPathComponent("split/default")
        do {
            let held = try StageLock(folder: split)
            let refused = try pipeline("clean", "tiny")
            #expect(refused.status == 1)
            #expect(refused.standardError.contains("still being written by PID \(getpid())"), "\(refused.standardError)")
            withExtendedLifetime(held) {}
        }
        try SlurmJobRecord(jobId: "4242", name: "tiny/split/default", command: ["pipeline"], submittedAt: "2026-11-30T00:00:00Z").write(in: split)
        let unknown = try TestSupport.runProduct("pipeline", ["clean", "tiny"], environment: ["PATH": "/nonexistent"], currentDirectory: folder)
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("recorded job 4242 here, and whether it still runs cannot be checked"), "\(unknown.standardError)")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("fetch/default/manifest.json").path))
        #expect(try pipeline("status", "tiny").standardOutput.contains("2 of 2 up to date"))
        SlurmJobRecord.remove(in: split)
        #expect(try pipeline("clean", "tiny").status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == [".lock"])
    }

    @Test func dagPrintsTextAndDot() throws {
        let text = try TestSupport.runProduct("pipeline", ["dag", "Pipelines/corel5k.yaml"], currentDirectory: TestSupport.packageRoot)
        #expect(text.standardOutput.contains("train    uses train, 30 instances (matrix selector × 6, fold × 5)  ← split"))
        let dot = try TestSupport.runProduct("pipeline", ["dag", "quickstart", "--dot"], currentDirectory: TestSupport.packageRoot)
        #expect(dot.standardOutput.hasPrefix("digraph \"quickstart\" {"))
        #expect(dot.standardOutput.contains("\"split\" -> \"train\";"))
    }

    /// The artifact lock ends with the runner (close-on-exec): after the runner alone is killed,
    /// the next run starts instead of blaming a dead PID, and only the instance an orphaned
    /// stage is still writing is refused, naming that process; once it has exited, the instance
    /// can be run again.
    @Test func killedRunnerLeavesNoLockButItsOrphanKeepsItsFolder() throws {
        _ = try writePipeline(extra: """
          train:
            uses: train
            needs: [split]
            with: { epochs: 100000, warmup_epochs: 1, batch_size: 64, threads: 1 }
        """)
        // The runner is spawned and reaped directly (Foundation's Process can miss the end of a SIGKILLed child).
        let executable = TestSupport.productsFolder.appendingPathComponent("pipeline").path
        let arguments = [executable, "run", folder.appendingPathComponent("Pipelines/tiny.yaml").path, "--plain",
                         "--artifacts", folder.appendingPathComponent("Artifacts").path]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var runner: pid_t = 0
        try #require(posix_spawn(&runner, executable, &actions, nil, argv, environ) == 0)
        let train = folder.appendingPathComponent("Artifacts/tiny/train/default")
        // Wait (without a time limit) until the train stage holds its folder and has finished an epoch.
        var status: Int32 = 0
        while StageLock.holder(of: train) == nil || ProgressEvent.latest(in: train) == nil {
            guard waitpid(runner, &status, WNOHANG) == 0 else { Issue.record("the runner ended before train started"); return }
            usleep(50_000)
        }
        let orphan = try #require(StageLock.holder(of: train)?.pid)
        kill(runner, SIGKILL)
        waitpid(runner, &status, 0)

        let second = try pipeline("run", "tiny", "--plain")
        #expect(second.status == 1)
        #expect(!second.standardError.contains("in use by another"), "\(second.standardError)")
        #expect(second.standardOutput.contains("still being written by PID \(orphan)"), "\(second.standardOutput)")
        #expect(second.standardOutput.contains("up to date  fetch/default"))

        kill(orphan, SIGKILL)
        while StageLock.holder(of: train) != nil { usleep(50_000) }
        let third = try pipeline("run", "tiny", "--dry-run")
        #expect(third.status == 0 && third.standardOutput.contains("run    train/default  incomplete"), "\(third.standardOutput)")
    }

    /// A relative path written in a pipeline file is relative to that file's folder, whatever the
    /// working folder: here an archive beside the pipeline file, given as `url: data/Music.arff`.
    @Test func relativeURLsResolveAgainstThePipelineFile() throws {
        let pipelines = folder.appendingPathComponent("Pipelines")
        try FileManager.default.createDirectory(at: pipelines.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestSupport.datasetsMirror.appendingPathComponent("meka/Music.arff"),
                                         to: pipelines.appendingPathComponent("data/Music.arff"))
        try """
        name: local
        stages:
          fetch:
            uses: fetch
            with: { dataset: mine, catalog: none.yaml, url: data/Music.arff, layout: meka, data: [Music.arff],
                    sha256: 276be786e33b2ec11b91147483aa5758d8df6eb8b55f8ac82e5e0b231f0270b5 }
        """.write(to: pipelines.appendingPathComponent("local.yaml"), atomically: true, encoding: .utf8)
        let result = try pipeline("run", "Pipelines/local.yaml", "--plain")
        #expect(result.status == 0, "\(result.standardOutput)")
        let manifest = try Manifest.read(from: folder.appendingPathComponent("Artifacts/local/fetch/default"))
        #expect(manifest.parameters["url"] == "Pipelines/data/Music.arff" && manifest.parameters["catalog"] == "Pipelines/none.yaml")
    }

    /// Two pipeline files with the same `name:` would share Artifacts/<name>: the second is refused.
    @Test func twoFilesWithOneNameAreRefused() throws {
        _ = try writePipeline()
        try FileManager.default.copyItem(at: folder.appendingPathComponent("Pipelines/tiny.yaml"),
                                         to: folder.appendingPathComponent("Pipelines/copy.yaml"))
        #expect(try pipeline("run", "tiny").status == 0)
        let copy = try pipeline("run", "copy")
        #expect(copy.status == 1)
        #expect(copy.standardError.contains("Pipelines/tiny.yaml, whose `name:` is also `tiny`")
                && copy.standardError.contains("give Pipelines/copy.yaml another `name:`"), "\(copy.standardError)")
    }

    /// `clean` of a second file with the same `name:` deletes nothing of the first file's artifacts
    /// (it used to delete them all; `clean --stale` already refused).
    @Test func cleanOfASecondFileWithOneNameDeletesNothing() throws {
        _ = try writePipeline()
        try FileManager.default.copyItem(at: folder.appendingPathComponent("Pipelines/tiny.yaml"),
                                         to: folder.appendingPathComponent("Pipelines/copy.yaml"))
        #expect(try pipeline("run", "tiny").status == 0)
        for arguments in [["clean", "copy"], ["clean", "copy", "--stale"]] {
            let clean = try TestSupport.runProduct("pipeline", arguments, currentDirectory: folder)
            #expect(clean.status == 1)
            #expect(clean.standardError.contains("Pipelines/tiny.yaml, whose `name:` is also `tiny`")
                    && clean.standardError.contains("give Pipelines/copy.yaml another `name:`"), "\(clean.standardError)")
        }
        #expect(try pipeline("status", "tiny").standardOutput.contains("2 of 2 up to date"))
    }
}
