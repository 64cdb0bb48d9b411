import Foundation
import Metrics
import NumpyIO
import Testing
import TestSupport

/// Every metric against scikit-learn's values (the parity fixture `metrics.npz`; docs/method.md §10).
@Suite struct MetricsParityTests {
    @Test(arguments: ["random", "ties", "empty_label"])
    func matchesScikitLearn(_ name: String) throws {
        let archive = try Fixtures.npz("metrics")
        let scores = try #require(archive["\(name)/y_score"]).float32Values()
        let labels = try #require(archive["\(name)/y_true"]).values(as: UInt8.self)
        let metrics = MultiLabelMetrics(scores: scores, labels: labels, sampleCount: 20, labelCount: 5)
        let expected: [(String, Double)] = [
            ("macro_auc", metrics.macroAUC), ("ranking_loss", metrics.rankingLoss),
            ("hamming_loss", metrics.hammingLoss), ("coverage_error", metrics.coverage),
            ("average_precision", metrics.averagePrecision), ("micro_f1", metrics.microF1),
            ("macro_f1", metrics.macroF1), ("one_error", metrics.oneError),
        ]
        for (key, actual) in expected {
            let reference = try Fixtures.scalar(archive, "\(name)/\(key)")
            #expect(close(actual, reference, relative: 1e-9, absolute: 1e-12), "\(name)/\(key): \(actual) vs \(reference)")
        }
    }
}
