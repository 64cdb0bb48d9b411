import Formats
import Datasets
import Foundation
import Testing
import TestSupport

/// bibtex, tmc2007-500 and cal500 (three more of the paper's datasets) load from the mirror to
/// their published statistics: instances / features / labels / cardinality.
@Suite struct MoreCatalogDatasetsTests {
    @Test(arguments: [
        ("bibtex", 7395, 1836, 159, 2.402), ("tmc2007-500", 28596, 500, 22, 2.158), ("cal500", 502, 68, 174, 26.044),
    ])
    func publishedStatistics(name: String, n: Int, d: Int, q: Int, cardinality: Double) throws {
        let options = Fixtures.options(name)
        let meta = try FetchStage.run(options)
        defer { try? FileManager.default.removeItem(at: options.output.deletingLastPathComponent()) }
        let s = meta.statistics
        #expect(s.instances == n && s.features == d && s.labels == q)
        #expect(abs(s.cardinality - cardinality) < 0.0006, "cardinality \(s.cardinality)")
        #expect(meta.featureNames.count == d && meta.labelNames.count == q)
        #expect(s.imbalanceRatio.count == q && s.imbalanceRatio.min() == 1)
        // NumPy recomputes every statistic from the .npy files (scripts/inspect_dataset.py).
        let script = TestSupport.packageRoot.appendingPathComponent("scripts/inspect_dataset.py")
        let check = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, options.output.path])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
    }
}
