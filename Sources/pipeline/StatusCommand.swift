import ArgumentParser
import Foundation
import Pipeline

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which instances are up to date, stale or missing, and why.")

    @OptionGroup var pipeline: PipelineOptions

    func run() throws {
        try reportingErrors {
            let (plan, root) = try pipeline.load()
            let cache = try CacheState(plan: plan, root: URL(fileURLWithPath: root))
            let statuses = cache.statuses()
            print("pipeline \(plan.definition.name) (\(plan.definition.file)), artifacts in \(root)")
            let width = plan.instances.map(\.id.description.count).max() ?? 0
            for (instance, status) in zip(plan.instances, statuses) {
                print("  " + instance.id.description.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(status)")
            }
            let fresh = statuses.filter(\.isUpToDate).count
            print("\(fresh) of \(statuses.count) up to date" + (fresh == statuses.count ? "" : "; `pipeline run \(pipeline.file)` rebuilds the rest"))
        }
    }
}
