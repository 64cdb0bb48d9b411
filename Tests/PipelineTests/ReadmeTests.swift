import Foundation
import Testing
import TestSupport

/// README.md's "Parameter reference" is the exact output of `pipeline stages` (every stage's
/// parameters, inputs and outputs and the models' hyper-parameters, derived from their
/// declarations), so the README cannot drift from the contracts.
@Suite struct ReadmeTests {
    static let begin = "<!-- BEGIN pipeline stages -->\n"
    static let end = "<!-- END pipeline stages -->"
    static let fix = "regenerate it with `scripts/update_readme_parameters.sh` and commit README.md"

    @Test func parameterReferenceIsTheOutputOfPipelineStages() throws {
        let result = try TestSupport.runProduct("pipeline", ["stages"])
        try #require(result.status == 0, "pipeline stages failed: \(result.standardError)")
        let readme = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: Self.begin), "README.md has no line \(Self.begin.dropLast()); \(Self.fix)")
        let stop = try #require(readme.range(of: "\n" + Self.end + "\n", range: start.upperBound..<readme.endIndex),
                                "README.md has no line \(Self.end) after \(Self.begin.dropLast()); \(Self.fix)")
        // The text between the marker lines, with the newline that ends its last line.
        let section = String(readme[start.upperBound...stop.lowerBound])
        let generated = result.standardOutput
        guard section != generated else { return }
        let sectionLines = section.components(separatedBy: "\n"), generatedLines = generated.components(separatedBy: "\n")
        let common = min(sectionLines.count, generatedLines.count)
        let first = (0..<common).first { sectionLines[$0] != generatedLines[$0] } ?? common
        let readmeLine = readme[..<start.upperBound].filter { $0 == "\n" }.count + first + 1
        Issue.record("""
            README.md's parameter reference differs from the output of `pipeline stages`, first at README.md line \(readmeLine):
              README:           \(first < sectionLines.count ? sectionLines[first] : "(end of section)")
              pipeline stages:  \(first < generatedLines.count ? generatedLines[first] : "(end of output)")
            The table is generated from the contracts (Sources/Formats/*Contract.swift) and the models; \(Self.fix).
            """)
    }
}
