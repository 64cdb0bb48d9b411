import ArtifactInspection
import Artifacts
import Formats
import Foundation
import NumpyIO
import Testing
import TestSupport

/// `pipeline inspect` on arrays, tables, manifests and folders.
@Suite struct ArtifactInspectorTests {
    @Test func inspectSummarisesArrays() throws {
        let url = TestSupport.temporaryFolder().appendingPathComponent("a.npy")
        try NpyFile.write([Float(1), .nan, 3, -2, 5, .infinity], shape: [2, 3], to: url)
        let text = try ArtifactInspector.describe(url, rows: 4)
        #expect(text.contains("dtype: float32 (<f4)   shape: [2, 3]   elements: 6"))
        #expect(text.contains("min: -2.0   max: 5.0   mean: 1.75"))
        #expect(text.contains("NaN: 1   ±inf: 1"))
        #expect(text.contains("first values (C order): 1.0, nan, 3.0, -2.0, …"))
        let labels = url.deletingLastPathComponent().appendingPathComponent("l.npy")
        try NpyFile.write([UInt8(0), 1, 1, 0], shape: [4], to: labels)
        #expect(try ArtifactInspector.describe(labels).contains("min: 0.0   max: 1.0   mean: 0.5"))
    }

    @Test func inspectShowsCSVHeadAndManifest() throws {
        let folder = TestSupport.temporaryFolder()
        let csv = folder.appendingPathComponent("epochs.csv")
        try "epoch,train_loss\n1,0.5\n2,0.25\n3,0.125\n".write(to: csv, atomically: true, encoding: .utf8)
        let table = try ArtifactInspector.describe(csv, rows: 2)
        #expect(table == "\(csv.path)\n3 rows × 2 columns\nepoch  train_loss\n1      0.5       \n2      0.25      \n… 1 more rows")
        let manifest = Manifest(stage: "split", parameters: ["folds": "5"], inputs: [.init(name: "dataset", path: "A/fetch", sha256: String(repeating: "ab", count: 32))],
                                outputs: ["folds.npy": "00"], startedAt: Date(), finishedAt: Date(), command: ["split", "--output", "a b"])
        try manifest.write(into: folder)
        let text = try ArtifactInspector.describe(folder.appendingPathComponent("manifest.json"))
        #expect(text.contains("stage: split"))
        #expect(text.contains("  folds = 5"))
        #expect(text.contains("  dataset: A/fetch  sha256 abababababababab…"))
        #expect(text.contains("rerun: split --output 'a b'"))
        #expect(try ArtifactInspector.describe(folder).contains("epochs.csv"))
        #expect(throws: ArtifactError.self) { try ArtifactInspector.describe(folder.appendingPathComponent("x.bin")) }
    }
}
