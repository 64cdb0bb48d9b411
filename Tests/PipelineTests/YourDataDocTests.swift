import Formats
import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// docs/your-data.md cannot rot: every YAML block in it is a pipeline that parses and plans
/// (the plan resolves each stage's parameters, FetchParameters.validate() included), and every
/// format has one. (EndToEndTests runs its first pipeline; DatasetsTests fetches its example files.)
@Suite struct YourDataDocTests {
    /// The contents of the doc's code blocks fenced as ```` ```kind ````, in order.
    static func blocks(_ kind: String) throws -> [String] {
        let text = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/your-data.md"), encoding: .utf8)
        return text.components(separatedBy: "```" + kind + "\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test func everyPipelineSnippetPlansAndEveryFormatHasOne() throws {
        let snippets = try Self.blocks("yaml")
        #expect(snippets.count >= 7)
        var formats = Set<String>()
        for (index, yaml) in snippets.enumerated() {
            let pipeline = try PipelineParser.parse(yaml: yaml, file: "docs/your-data.md (YAML block \(index + 1))",
                                                    folder: TestSupport.packageRoot.appendingPathComponent("Pipelines"))
            let plan = try PipelinePlan(pipeline)
            let fetch = try #require(plan.instances.first { $0.type == .fetch }, "YAML block \(index + 1) has no fetch stage")
            let format = try #require(fetch.resolvedParameters["format"], "YAML block \(index + 1)")
            formats.insert(format)
        }
        #expect(formats == Set(DataFormat.allCases.map(\.rawValue)), "formats without a snippet: \(Set(DataFormat.allCases.map(\.rawValue)).subtracting(formats))")
    }
}
