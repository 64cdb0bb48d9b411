import ArgumentParser
import Foundation
import Pipeline

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Delete a pipeline's artifacts (with --stale: only stale and orphaned instance folders).")

    @OptionGroup var pipeline: PipelineOptions

    @Flag(help: "Delete only instances whose parameters or inputs changed, folders no instance uses, and temporary files that killed writes left; keep up-to-date and resumable instances.")
    var stale = false

    @Flag(help: "If a run holds the artifact folder, wait for it instead of refusing.")
    var wait = false

    func run() throws {
        try reportingErrors {
            let (plan, root) = try pipeline.load()
            let rootURL = URL(fileURLWithPath: root)
            guard FileManager.default.fileExists(atPath: root) else {
                print("nothing to clean: \(root) does not exist")
                return
            }
            let lock = try ArtifactLock(folder: rootURL, wait: wait) { holder in
                print("waiting: \(root) is in use by another run (\(holder))…")
            }
            defer { withExtendedLifetime(lock) {} }
            let removed = stale ? try ArtifactCleaner.removeStale(plan: plan, root: rootURL)
                                : try ArtifactCleaner.removeAll(plan: plan, root: rootURL)
            removed.forEach { print("removed \(root)/\($0)") }
            print(removed.isEmpty ? "nothing to clean in \(root)" : "removed \(removed.count) entr\(removed.count == 1 ? "y" : "ies")")
        }
    }
}
