import Datasets
import Formats
import NumpyIO
import Foundation
import Testing
import TestSupport

/// The example files shown in docs/your-data.md load as the doc says (its pipelines are
/// planned by PipelineTests and run by EndToEndTests).
@Suite struct DocExampleFilesTests {
    static func textBlocks() throws -> [String] {
        let text = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/your-data.md"), encoding: .utf8)
        return text.components(separatedBy: "```text\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test func csvAndXMLCExamplesLoad() throws {
        let blocks = try Self.textBlocks()
        try #require(blocks.count == 2, "docs/your-data.md should show a CSV and an XMLC example file")
        let csv = try OwnData.fetch(try OwnData.write(blocks[0], name: "my-data.csv"), format: "csv", ["label-prefix": ["label_"]])
        #expect(csv.meta.featureNames == (0..<8).map { "x\($0)" } && csv.meta.labelNames == ["label_a", "label_b", "label_c"])
        #expect(csv.meta.statistics.instances == 2)
        let xmlc = try OwnData.fetch(try OwnData.write(blocks[1], name: "example.txt"), format: "xmlc")
        #expect(try xmlc.array("features.npy").values(as: Float.self) == [0.5, 0, 0, 1.25, 0, 2, 0, 0, 0, 0, -1, 0])
        #expect(try xmlc.array("labels.npy").values(as: UInt8.self) == [1, 1, 0, 0, 0, 1])
    }
}
