import Formats
import ArgumentParser
import Foundation
import Pipeline

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Build every stage instance that is not up to date.",
        discussion: """
        Up-to-date instances are skipped; stale ones and (when their outputs change) their \
        dependents are rebuilt. Each instance runs as a child process (`pipeline stage <type> …`) \
        with its output in <instance>/stage.log, or with `--executor slurm` as one Slurm batch \
        job running that same command.
        """)

    @OptionGroup var pipeline: PipelineOptions

    @Option(name: .customLong("stage"), help: ArgumentHelp("Only this stage or instance: NAME or 'NAME[key=value,…]'.", valueName: "selection"))
    var selection: String?

    @Flag(help: "With --stage, also rebuild everything downstream of the selection.")
    var downstream = false

    @Flag(help: "Rebuild the selected instances even if they are up to date.")
    var force = false

    @Flag(help: "Re-hash every output against its manifest.json first, and rebuild the instances whose outputs are damaged.")
    var verify = false

    @Flag(help: "Print what would run and why, and run nothing.")
    var dryRun = false

    @Option(help: "Stage processes to run at once (default: the number of cores).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Stop everything at the first failure (default: unrelated instances continue).")
    var failFast = false

    @Flag(help: "If another run holds the artifact folder, wait for it instead of refusing.")
    var wait = false

    @Flag(help: "Plain progress lines even on a terminal.")
    var plain = false

    @Option(help: ArgumentHelp("Where instances run: local (child processes) or slurm (one batch job each). Default: the pipeline file's `executor: { type: … }`, else local.", valueName: "local|slurm"))
    var executor: ExecutorKind?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if downstream && selection == nil { throw ValidationError("--downstream needs --stage") }
    }

    func run() throws {
        try reportingErrors {
            let (plan, root) = try pipeline.load()
            var options = RunOptions()
            options.selection = try selection.map(InstanceSelection.init(parsing:))
            options.downstream = downstream
            options.force = force
            options.verify = verify
            options.jobs = jobs
            options.failFast = failFast
            let display = ProgressDisplay(live: plain ? false : nil)
            let launcher = StageLauncher(executable: Bundle.main.executableURL!.path, leadingArguments: ["stage"])
            let kind = executor ?? plan.definition.executor.kind ?? .local
            let slurm = kind == .slurm ? SlurmExecutor(settings: plan.definition.executor) : nil
            if dryRun {
                let runner = try PipelineRunner(plan: plan, rootPath: root, launcher: launcher, options: options, display: display)
                print("plan for \(plan.definition.name) (\(plan.definition.file)), artifacts in \(root):")
                try runner.planLines().forEach { print("  " + $0) }
                if let slurm { try printBatchJobs(runner, slurm) }
                return
            }
            let lock = try ArtifactLock(folder: URL(fileURLWithPath: root), wait: wait) { holder in
                display.event("waiting: \(root) is in use by another run (\(holder))…")
            }
            options.clockStart = Date()
            let runner = try PipelineRunner(plan: plan, rootPath: root, launcher: launcher, options: options, display: display,
                                            executor: slurm ?? LocalExecutor())
            let how = slurm == nil ? "up to \(jobs) at once" : "as Slurm batch jobs"
            display.event("pipeline \(plan.definition.name) (\(plan.definition.file)): \(plan.instances.count) instances, artifacts in \(root), \(how)")
            let summary = try runner.run()
            withExtendedLifetime(lock) {}
            summary.lines.forEach(display.event)
            if let times = summary.times, !times.instances.isEmpty {
                times.lines.forEach(display.event)
                display.event("  (in \(root)/\(RunTimes.fileName))")
            }
            for instance in plan.instances where instance.type == .analyze {
                let folder = URL(fileURLWithPath: root + "/" + instance.folder)
                if let skipped = (try? Manifest.read(from: folder))?.skipped, !skipped.isEmpty {
                    display.event("warning: \(instance.id) left out \(skipped.count) unreadable train run\(skipped.count == 1 ? "" : "s") (skip_unreadable):")
                    for run in skipped { display.event("    \(run.reason)") }
                }
                if let flags = try? LearningFlags.read(from: folder) {
                    for warning in flags.warnings { display.event("warning: \(warning)") }
                }
                let report = folder.appendingPathComponent(AnalysisFiles.report).relativePath
                if FileManager.default.fileExists(atPath: report) { display.event("report: \(report)") }
            }
            if summary.interruption != nil { throw ExitCode(130) }
            if !summary.succeeded { throw ExitCode(1) }
        }
    }

    /// `--dry-run --executor slurm`: the dependency graph of the jobs `run` would submit, then
    /// each batch script.
    private func printBatchJobs(_ runner: PipelineRunner, _ slurm: SlurmExecutor) throws {
        let jobs = try runner.batchPreview()
        print("Slurm batch jobs (nothing submitted; `--dependency=afterok` on the jobs of the instances after ←):")
        let width = jobs.map { $0.job.id.description.count }.max() ?? 0
        for item in jobs {
            var line = "  " + item.job.id.description.padding(toLength: width, withPad: " ", startingAt: 0)
            if !item.after.isEmpty { line += "  ← " + item.after.map(\.description).joined(separator: ", ") }
            if item.deferred { line += "  (submitted once its inputs are built, if they changed)" }
            while line.hasSuffix(" ") { line.removeLast() }
            print(line)
        }
        for item in jobs {
            print("\n==> \(item.job.folder.path)/\(SlurmScript.fileName) <==")
            print(try slurm.script(for: item.job), terminator: "")
        }
    }
}

extension ExecutorKind: ExpressibleByArgument {}
