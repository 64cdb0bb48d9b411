import Formats
import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// The Slurm executor's pieces that need no cluster: the `executor:` block, the batch script,
/// and reading `scontrol` answers.
@Suite struct SlurmTests {
    static let stages = """
    stages:
      fetch: { uses: fetch, with: { dataset: emotions } }
      split: { uses: split, needs: fetch }
      train: { uses: train, needs: split, with: { threads: 2 } }
    """

    @Test func executorBlockWithPerStageTypeOverrides() throws {
        let yaml = """
        executor:
          type: slurm
          partition: short
          account: proj1
          qos: normal
          time: 1:00:00
          mem: 2G
          extra: [--constraint=avx2, --comment="a b"]
          prologue: module load openblas
          train: { time: 1-00:00:00, cpus_per_task: 4, extra: [] }
        \(Self.stages)
        """
        let settings = try PipelineParser.parse(yaml: yaml, file: "x.yaml").executor
        #expect(settings.kind == .slurm)
        let fetch = settings.resources(for: .fetch)
        #expect([fetch.partition, fetch.account, fetch.qos, fetch.time, fetch.mem] == ["short", "proj1", "normal", "1:00:00", "2G"])
        #expect(fetch.extra == ["--constraint=avx2", "--comment=\"a b\""])
        #expect(fetch.prologue == ["module load openblas"])
        #expect(fetch.cpusPerTask == nil)
        let train = settings.resources(for: .train)
        #expect(train.time == "1-00:00:00")
        #expect(train.partition == "short")
        #expect(train.cpusPerTask == 4)
        #expect(train.extra == [])
        // No block: local, nothing set; the block never enters a cache key.
        let plain = try PipelineParser.parse(yaml: Self.stages, file: "x.yaml")
        #expect(plain.executor == ExecutorSettings())
        let keyed = try PipelineParser.parse(yaml: yaml, file: "x.yaml")
        let keys = { (definition: PipelineDefinition) in
            try CacheState(plan: PipelinePlan(definition), root: URL(fileURLWithPath: "/nonexistent")).fingerprint(of: 0)?.key
        }
        #expect(try keys(plain) == keys(keyed))
    }

    @Test func executorBlockErrorsNameTheLineAndColumn() {
        let parser = ParserTests()
        parser.expectError("executor: { type: slurm, partiton: short }\n" + Self.stages, line: 1, column: 26,
                           "unknown key `partiton` in `executor`", "valid keys: type, partition, account, qos, time, mem, cpus_per_task, extra, prologue, fetch, split, train, analyze")
        parser.expectError("executor: { type: pbs }\n" + Self.stages, line: 1, column: 19, "unknown executor `pbs`; valid: local, slurm")
        parser.expectError("executor:\n  time: soon\n" + Self.stages, line: 2, column: 9, "`time` must be a Slurm time limit", "not `soon`")
        parser.expectError("executor:\n  mem: 4GB\n" + Self.stages, line: 2, column: 8, "`mem` must be a size such as 4000 (megabytes), 500M, 4G or 1T, not `4GB`")
        parser.expectError("executor:\n  cpus_per_task: 0\n" + Self.stages, line: 2, column: 18, "`cpus_per_task` must be an integer ≥ 1, not `0`")
        parser.expectError("executor:\n  partition: my queue\n" + Self.stages, line: 2, column: 14, "`partition` must be one word")
        parser.expectError("executor:\n  extra: [avx2]\n" + Self.stages, line: 2, column: 11, "each `extra` entry is one sbatch option")
        parser.expectError("executor:\n  train: { type: slurm }\n" + Self.stages, line: 2, column: 12,
                           "unknown key `type` in `executor.train`", "valid keys: partition, account")
    }

    @Test func slurmTimeFormats() {
        for valid in ["30", "30:00", "2:00:00", "1-12", "1-12:30", "1-12:30:00", "UNLIMITED", "infinite"] {
            #expect(NodeReader.isSlurmTime(valid), "\(valid)")
        }
        for invalid in ["", "2h", "1:2:3:4", "-1", "1-", "1-2-3"] {
            #expect(!NodeReader.isSlurmTime(invalid), "\(invalid)")
        }
    }

    static let job = StageJob(
        index: 2, id: InstanceID(stage: "train", name: "selector=a b"), type: .train, name: "demo/train/selector=a%20b",
        command: ["/opt/mlbatch/pipeline", "stage", "train", "--output", "Artifacts/demo/train/selector=a%20b", "--model-param", "it's=1"],
        workingDirectory: "/home/me/project", folder: URL(fileURLWithPath: "/home/me/project/Artifacts/demo/train/selector=a%20b"),
        log: URL(fileURLWithPath: "/home/me/project/Artifacts/demo/train/selector=a%20b/stage.log"), threads: 2)

    @Test func batchScriptRunsTheLocalCommandInTheProjectRoot() throws {
        var resources = SlurmResources()
        resources.partition = "short"
        resources.time = "2:00:00"
        resources.extra = ["--constraint=avx2"]
        resources.prologue = ["module load openblas"]
        let text = try SlurmScript.text(for: Self.job, resources: resources)
        #expect(text == """
            #!/bin/sh
            # Stage instance demo/train/selector=a%20b, written by `pipeline run --executor slurm`, which submits it as
            # sbatch --parsable [--dependency=afterok:<job ids of its upstream instances>] slurm.sh
            #SBATCH --job-name="demo/train/selector=a%20b"
            #SBATCH --chdir="/home/me/project"
            #SBATCH --output="/home/me/project/Artifacts/demo/train/selector=a%%20b/stage.log"
            #SBATCH --open-mode=append
            #SBATCH --kill-on-invalid-dep=yes
            #SBATCH --cpus-per-task="2"
            #SBATCH --partition="short"
            #SBATCH --time="2:00:00"
            #SBATCH --constraint=avx2
            set -e
            module load openblas
            exec '/opt/mlbatch/pipeline' 'stage' 'train' '--output' 'Artifacts/demo/train/selector=a%20b' '--model-param' 'it'\\''s=1'

            """)
        resources.cpusPerTask = 3
        #expect(try SlurmScript.text(for: Self.job, resources: resources).contains("#SBATCH --cpus-per-task=\"3\"\n"))
        var quoted = Self.job
        quoted.workingDirectory = "/home/me/\"project\""
        #expect(throws: PipelineError.self) { try SlurmScript.text(for: quoted, resources: resources) }
    }

    @Test func scontrolAnswersBecomeJobStates() throws {
        func state(_ line: String) throws -> JobState { try #require(SlurmJobInfo(scontrol: line)).state }
        let head = "JobId=17 JobName=demo/fetch/default UserId=root(0) Priority=1"
        #expect(try state("\(head) JobState=COMPLETED Reason=None Dependency=(null) ExitCode=0:0 RunTime=00:00:01") == .finished(.exited(0)))
        #expect(try state("\(head) JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0") == .finished(.exited(3)))
        #expect(try state("\(head) JobState=CANCELLED Reason=None ExitCode=0:15") == .finished(.stopped("cancelled")))
        #expect(try state("\(head) JobState=CANCELLED Reason=DependencyNeverSatisfied ExitCode=0:0")
                == .finished(.stopped("cancelled (DependencyNeverSatisfied)")))
        #expect(try state("\(head) JobState=FAILED Reason=NonZeroExitCode ExitCode=0:9") == .finished(.signalled(9)))
        #expect(try state("\(head) JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15")
                == .finished(.stopped("time limit reached (TIMEOUT): raise `time` in the executor block")))
        #expect(try state("\(head) JobState=NODE_FAIL Reason=NodeDown ExitCode=0:0") == .finished(.stopped("ended by Slurm: NODE_FAIL (NodeDown)")))
        #expect(try state("\(head) JobState=PENDING Reason=Dependency ExitCode=0:0") == .queued)
        #expect(try state("\(head) JobState=COMPLETING Reason=None ExitCode=0:0") == .running)
        #expect(try #require(SlurmJobInfo(scontrol: "\(head) JobState=RUNNING")).name == "demo/fetch/default")
        #expect(SlurmJobInfo(scontrol: "slurm_load_jobs error: Invalid job id specified") == nil)
    }
}

/// `pipeline run --executor slurm --dry-run` needs no cluster: it submits nothing.
@Suite struct SlurmDryRunTests {
    @Test func dryRunPrintsTheBatchScriptsAndTheDependencyGraph() throws {
        let folder = TestSupport.temporaryFolder("slurm-dry")
        let yaml = """
        name: dry
        executor: { type: slurm, partition: short, train: { time: "4:00:00" } }
        stages:
          fetch: { uses: fetch, with: { dataset: emotions } }
          split: { uses: split, needs: fetch }
          train: { uses: train, needs: split, matrix: { fold: [0, 1] }, with: { threads: 2 } }
        """
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Pipelines"), withIntermediateDirectories: true)
        try yaml.write(to: folder.appendingPathComponent("Pipelines/dry.yaml"), atomically: true, encoding: .utf8)
        // The file says slurm; --dry-run prints the jobs without calling sbatch.
        let result = try TestSupport.runProduct("pipeline", ["run", "dry", "--dry-run"], environment: ["PATH": "/nonexistent"], currentDirectory: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("""
            fetch/default
              split/default  ← fetch/default
              train/fold=0   ← split/default
              train/fold=1   ← split/default

            """))
        let root = folder.resolvingSymlinksInPath().path
        #expect(output.contains("==> \(root)/Artifacts/dry/train/fold=1/slurm.sh <==\n#!/bin/sh\n"))
        #expect(output.contains("#SBATCH --chdir=\"\(root)\"\n"))
        #expect(output.contains("#SBATCH --cpus-per-task=\"2\"\n#SBATCH --partition=\"short\"\n#SBATCH --time=\"4:00:00\"\n"))
        #expect(output.contains("'stage' 'train' '--output' 'Artifacts/dry/train/fold=1' '--dataset' 'Artifacts/dry/fetch/default' '--split' 'Artifacts/dry/split/default' '--threads=2' '--fold=1'\n"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Artifacts/dry/train").path))
        let local = try TestSupport.runProduct("pipeline", ["run", "dry", "--dry-run", "--executor", "local"], currentDirectory: folder)
        #expect(!local.standardOutput.contains("#SBATCH"))
        #expect(try TestSupport.runProduct("pipeline", ["run", "dry", "--executor", "pbs"], currentDirectory: folder).status == 64)
    }
}
