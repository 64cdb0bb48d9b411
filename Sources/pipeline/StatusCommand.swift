import ArgumentParser
import Foundation
import Pipeline

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which instances are up to date, stale or missing, and why.",
        discussion: "With --verify, every output is re-hashed against its manifest.json and damaged files are named; the exit status is then 1 if any instance is damaged or has a corrupt manifest.json.")

    @OptionGroup var pipeline: PipelineOptions

    @Flag(help: "Re-hash every output against its manifest.json and name the damaged files.")
    var verify = false

    func run() throws {
        try reportingErrors {
            let (plan, root) = try pipeline.load()
            let cache = try CacheState(plan: plan, root: URL(fileURLWithPath: root), verify: verify)
            let statuses = cache.statuses()
            print("pipeline \(plan.definition.name) (\(plan.definition.file)), artifacts in \(root)")
            let width = plan.instances.map(\.id.description.count).max() ?? 0
            for (instance, status) in zip(plan.instances, statuses) {
                print("  " + instance.id.description.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(status)")
            }
            let fresh = statuses.filter(\.isUpToDate).count
            print("\(fresh) of \(statuses.count) up to date" + (fresh == statuses.count ? "" : "; `pipeline run \(pipeline.file)` rebuilds the rest"))
            let broken = statuses.filter { status in
                guard case let .stale(reasons) = status else { return false }
                return reasons.contains { if case .damaged = $0 { true } else if case .corruptManifest = $0 { true } else { false } }
            }.count
            if verify {
                print(broken == 0 ? "verified: the outputs of every built instance match their manifest.json"
                                  : "\(broken) instance\(broken == 1 ? " is" : "s are") damaged; `pipeline run \(pipeline.file) --verify` rebuilds them")
                if broken > 0 { throw ExitCode(1) }
            }
        }
    }
}
