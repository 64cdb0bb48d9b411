import OrderedCollections
import Formats
import ArgumentParser
import Foundation
import Pipeline

struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dag",
        abstract: "Print the stage graph (text, or Graphviz DOT with --dot).")

    @OptionGroup var pipeline: PipelineOptions

    @Flag(help: "Print Graphviz DOT (e.g. `pipeline dag x --dot | dot -Tsvg > dag.svg`).")
    var dot = false

    func run() throws {
        try reportingErrors {
            let (plan, _) = try pipeline.load()
            let definition = plan.definition
            let counts = Dictionary(grouping: plan.instances, by: \.id.stage).mapValues(\.count)
            if dot {
                print("digraph \"\(definition.name)\" {\n  rankdir=LR;\n  node [shape=box];")
                for stage in definition.topologicalOrder {
                    let count = counts[stage.name] ?? 0
                    print("  \"\(stage.name)\" [label=\"\(stage.name)\\n\(stage.uses.rawValue) × \(count)\"];")
                    for need in stage.needs { print("  \"\(need)\" -> \"\(stage.name)\";") }
                }
                print("}")
                return
            }
            let width = definition.stages.map(\.name.count).max() ?? 0
            for stage in definition.topologicalOrder {
                let count = counts[stage.name] ?? 0
                var line = stage.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  uses \(stage.uses.rawValue), \(count) instance\(count == 1 ? "" : "s")"
                if !stage.matrix.isEmpty {
                    line += " (matrix " + stage.matrix.map { "\($0.key) × \($0.value.count)" }.joined(separator: ", ") + ")"
                }
                if !stage.needs.isEmpty { line += "  ← " + stage.needs.joined(separator: ", ") }
                print(line)
            }
        }
    }
}
