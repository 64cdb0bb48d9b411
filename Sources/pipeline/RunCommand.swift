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
        with its output in <instance>/stage.log.
        """)

    @OptionGroup var pipeline: PipelineOptions

    @Option(name: .customLong("stage"), help: ArgumentHelp("Only this stage or instance: NAME or 'NAME[key=value,…]'.", valueName: "selection"))
    var selection: String?

    @Flag(help: "With --stage, also rebuild everything downstream of the selection.")
    var downstream = false

    @Flag(help: "Rebuild the selected instances even if they are up to date.")
    var force = false

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
            options.jobs = jobs
            options.failFast = failFast
            let display = ProgressDisplay(live: plain ? false : nil)
            let launcher = StageLauncher(executable: Bundle.main.executableURL!.path, leadingArguments: ["stage"])
            if dryRun {
                let runner = try PipelineRunner(plan: plan, rootPath: root, launcher: launcher, options: options, display: display)
                print("plan for \(plan.definition.name) (\(plan.definition.file)), artifacts in \(root):")
                try runner.planLines().forEach { print("  " + $0) }
                return
            }
            let lock = try ArtifactLock(folder: URL(fileURLWithPath: root), wait: wait) { holder in
                display.event("waiting: \(root) is in use by another run (\(holder))…")
            }
            let runner = try PipelineRunner(plan: plan, rootPath: root, launcher: launcher, options: options, display: display)
            display.event("pipeline \(plan.definition.name) (\(plan.definition.file)): \(plan.instances.count) instances, artifacts in \(root), up to \(jobs) at once")
            let summary = try runner.run()
            withExtendedLifetime(lock) {}
            display.event("\(summary.built.count) built, \(summary.upToDate.count) up to date, \(summary.failed.count) failed, \(summary.notRun.count) not run")
            for instance in plan.instances where instance.type == .analyze {
                let report = root + "/" + instance.folder + "/report.html"
                if FileManager.default.fileExists(atPath: report) { display.event("report: \(report)") }
            }
            if summary.interruption != nil { throw ExitCode(130) }
            if !summary.succeeded { throw ExitCode(1) }
        }
    }
}
