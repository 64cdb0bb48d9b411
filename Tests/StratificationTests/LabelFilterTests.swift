import Foundation
import Stratification
import Testing
import TestSupport

/// The authors' label filter: counts, the ≤ threshold rule, order, what the report records, and
/// the split that stratifies on the kept labels.
struct LabelFilterTests {
    /// Positives per label: A 3, B 0, C 2, D 1, E 3.
    static let matrix = Fixtures.matrix(["10101", "10001", "10100", "00011"])

    @Test func dropsLabelsWithAtMostTheThresholdInOriginalOrder() throws {
        #expect(Self.matrix.positivesPerLabel() == [3, 0, 2, 1, 3])
        let filter = try LabelFilter(labels: Self.matrix, dropAtMost: 2)
        #expect(filter.kept == [0, 4])
        #expect(filter.dropped == [.init(label: 1, positives: 0), .init(label: 2, positives: 2), .init(label: 3, positives: 1)])
        #expect(filter.labelCount == 5)
        // A count equal to the threshold is dropped, one more is kept.
        #expect(try LabelFilter(positives: [20, 21, 22], dropAtMost: 20).kept == [1, 2])
        #expect(try LabelFilter(positives: [20, 21, 22], dropAtMost: 20).dropped == [.init(label: 0, positives: 20)])
        // Threshold 0 drops only labels without positives.
        #expect(try LabelFilter(labels: Self.matrix, dropAtMost: 0).kept == [0, 2, 3, 4])
    }

    @Test func reportRecordsNamesAndCounts() throws {
        let filter = try LabelFilter(labels: Self.matrix, dropAtMost: 2)
        let report = filter.report(labelNames: ["A", "B", "C", "D"])
        #expect(report.dropAtMost == 2 && report.labelsBefore == 5 && report.labelsKept == 2)
        #expect(report.dropped.map(\.name) == ["B", "C", "D"])
        #expect(report.dropped.map(\.positives) == [0, 2, 1])
        // A missing name falls back to the column; JSON keys are stable.
        let json = String(decoding: try JSONEncoder.sorted.encode(try LabelFilter(labels: Self.matrix, dropAtMost: 1).report(labelNames: [])), as: UTF8.self)
        #expect(json == #"{"dropAtMost":1,"dropped":[{"label":1,"name":"label1","positives":0},{"label":3,"name":"label3","positives":1}],"labelsBefore":5,"labelsKept":3}"#)
    }

    @Test func refusesToDropEverythingOrANegativeThreshold() {
        #expect(throws: StratificationError.noLabelKept(dropAtMost: 3, labels: 5, mostPositives: 3)) {
            try LabelFilter(labels: Self.matrix, dropAtMost: 3)
        }
        #expect(throws: StratificationError.negativeLabelThreshold(-1)) { try LabelFilter(positives: [4], dropAtMost: -1) }
    }

    @Test func keepingLabelsRenumbersColumnsAndKeepsRows() throws {
        let reduced = Self.matrix.keepingLabels([0, 2, 4])
        #expect(reduced == Fixtures.matrix(["111", "101", "110", "001"]))
        #expect(Self.matrix.keepingLabels([1]) == Fixtures.matrix(["0", "0", "0", "0"]))
    }

    /// The split on kept labels is the split of the reduced matrix, and differs from the split of
    /// all labels (the rare labels steer the unfiltered stratifier).
    @Test func splitStratifiesOnTheKeptLabelsOnly() throws {
        let matrix = Fixtures.generated(rows: 400, labels: 30, seed: 9)
        let filter = try LabelFilter(labels: matrix, dropAtMost: 20)
        #expect(filter.kept.count > 0 && filter.dropped.count > 0)
        #expect(filter.dropped.allSatisfy { $0.positives <= 20 })
        let options = SplitOptions(seed: 3)
        let filtered = try StratifiedSplit(labels: matrix.keepingLabels(filter.kept), options: options)
        let reduced = try StratifiedSplit(labels: matrix.keepingLabels(filter.kept), options: options)
        let unfiltered = try StratifiedSplit(labels: matrix, options: options)
        #expect(filtered.folds == reduced.folds && filtered.roles == reduced.roles)
        #expect(filtered.folds != unfiltered.folds)
        let report = SplitReport(labels: matrix.keepingLabels(filter.kept), split: filtered,
                                 labelFilter: filter.report(labelNames: []))
        #expect(report.labels == filter.kept.count)
        #expect(report.labelFilter?.labelsKept == filter.kept.count)
        #expect(report.parts.allSatisfy { $0.labelCounts.count == filter.kept.count })
    }

    /// Real data through the `fetch` executable: the paper's threshold 20 keeps 149 of corel5k's
    /// 374 labels (method.md), 33 of enron's 53 and 119 of cal500's 174 (counted with NumPy).
    @Test(arguments: [("corel5k", 374, 149), ("enron", 53, 33), ("cal500", 174, 119)])
    func paperThresholdOnRealData(dataset: String, labels: Int, kept: Int) throws {
        let output = TestSupport.temporaryFolder("label-filter")
        defer { try? FileManager.default.removeItem(at: output) }
        let fetch = try TestSupport.runProduct("fetch", ["--dataset", dataset, "--mirror", TestSupport.datasetsMirror.path,
                                                         "--catalog", TestSupport.packageRoot.appendingPathComponent("Datasets/catalog.yaml").path,
                                                         "--cache", output.appendingPathComponent("cache").path,
                                                         "--output", output.appendingPathComponent("data").path])
        #expect(fetch.status == 0, "\(fetch.standardError)")
        let npy = try TinyNpy.read(output.appendingPathComponent("data/labels.npy"))
        #expect(npy.header.contains("'|u1'") && npy.data.count % labels == 0)
        let matrix = try LabelMatrix(dense: npy.data, rows: npy.data.count / labels, labels: labels)
        let filter = try LabelFilter(labels: matrix, dropAtMost: 20)
        #expect(filter.kept.count == kept)
        #expect(filter.dropped.allSatisfy { $0.positives <= 20 })
        let positives = matrix.positivesPerLabel()
        #expect(filter.kept.allSatisfy { positives[$0] > 20 })
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
