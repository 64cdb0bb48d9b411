import Datasets
import Foundation
import Formats
import NumpyIO
import Testing
import TestSupport

/// The seeded synthetic source (`fetch --format synthetic`, issue 24): its statistics hold what the
/// spec asks, the same spec gives the same bytes, and bad parameters are refused by name.
@Suite struct SyntheticDatasetTests {
    /// A mid-size sample: 20,000 rows, 60 labels in groups of 5, cardinality 3, Zipf's law.
    private static let sample = SyntheticSpec(rows: 20_000, features: 4, labels: 60, cardinality: 3, powerLaw: 1, groupSize: 5, seed: 7)

    private static func counts(_ dataset: MultiLabelDataset) -> [Int] {
        var counts = [Int](repeating: 0, count: dataset.labelCount)
        for row in 0..<dataset.count {
            for label in 0..<dataset.labelCount where dataset.labels[row * dataset.labelCount + label] != 0 { counts[label] += 1 }
        }
        return counts
    }

    @Test func sameSpecSameDataAnotherSeedOther() throws {
        let spec = SyntheticSpec(rows: 500, features: 16, labels: 30, seed: 3)
        let first = try SyntheticDataset.generate(spec), second = try SyntheticDataset.generate(spec)
        #expect(first.features == second.features && first.labels == second.labels)
        var reseeded = spec
        reseeded.seed = 4
        let other = try SyntheticDataset.generate(reseeded)
        #expect(other.features != first.features && other.labels != first.labels)
        #expect(first.featureNames.count == 16 && first.labelNames == (0..<30).map { "label\($0)" } && first.count == 500)
    }

    /// Mean labels per row within 0.1 of the requested 3 (its sampling error is ≈ 0.012), and the
    /// least-squares slope of log count against log (j + 1) within 0.1 of −α over the labels
    /// expected at least 100 times.
    @Test func cardinalityAndPowerLawHold() throws {
        let spec = Self.sample
        let counts = Self.counts(try SyntheticDataset.generate(spec))
        let cardinality = Double(counts.reduce(0, +)) / Double(spec.rows)
        #expect(abs(cardinality - spec.cardinality) < 0.1, "cardinality \(cardinality)")
        let frequent = spec.labelFrequencies.indices.filter { spec.labelFrequencies[$0] * Double(spec.rows) >= 100 }
        try #require(frequent.count >= 40)
        let x = frequent.map { log(Double($0 + 1)) }, y = frequent.map { log(Double(counts[$0])) }
        let meanX: Double = x.reduce(0, +) / Double(x.count)
        let meanY: Double = y.reduce(0, +) / Double(y.count)
        var covariance = 0.0, variance = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - meanX) * (b - meanY)
            variance += (a - meanX) * (a - meanX)
        }
        let slope = covariance / variance
        #expect(abs(slope + spec.powerLaw) < 0.1, "slope \(slope)")
        #expect(counts.allSatisfy { $0 > 0 })
    }

    /// Pairs within a group co-occur at least twice as often, relative to independence, as pairs of
    /// different groups, which stay near independence (lift 1).
    @Test func groupsCoOccur() throws {
        let spec = Self.sample
        let dataset = try SyntheticDataset.generate(spec)
        let q = spec.labels, counts = Self.counts(dataset).map(Double.init)
        var joint = [Double](repeating: 0, count: q * q)
        for row in 0..<spec.rows {
            let on = (0..<q).filter { dataset.labels[row * q + $0] != 0 }
            for a in on { for b in on where b > a { joint[a * q + b] += 1 } }
        }
        var within: [Double] = [], between: [Double] = []
        for a in 0..<20 {
            for b in (a + 1)..<20 {
                let lift = joint[a * q + b] * Double(spec.rows) / (counts[a] * counts[b])
                if a / spec.groupSize == b / spec.groupSize { within.append(lift) } else { between.append(lift) }
            }
        }
        let meanWithin = within.reduce(0, +) / Double(within.count), meanBetween = between.reduce(0, +) / Double(between.count)
        #expect(meanWithin > 2 * meanBetween, "within \(meanWithin), between \(meanBetween)")
        #expect(abs(meanBetween - 1) < 0.15, "between \(meanBetween)")
    }

    /// With independent labels, the mean features of a label's positive rows minus its negative
    /// rows are its prototype: length 1 (the noise averages out over thousands of rows).
    @Test func featuresCarryTheLabels() throws {
        let spec = SyntheticSpec(rows: 20_000, features: 20, labels: 10, cardinality: 2, powerLaw: 0.5, groupSize: 1, noise: 1, seed: 1)
        let dataset = try SyntheticDataset.generate(spec)
        let values = dataset.features.denseValues(columns: spec.features)
        var sums = [[Double]](repeating: [Double](repeating: 0, count: spec.features), count: 2), rows = [0.0, 0.0]
        for row in 0..<spec.rows {
            let side = Int(dataset.labels[row * spec.labels])
            rows[side] += 1
            for column in 0..<spec.features { sums[side][column] += Double(values[row * spec.features + column]) }
        }
        var squares = 0.0
        for column in 0..<spec.features {
            let difference: Double = sums[1][column] / rows[1] - sums[0][column] / rows[0]
            squares += difference * difference
        }
        let length = squares.squareRoot()
        #expect(abs(length - 1) < 0.15, "length \(length)")
    }

    @Test(arguments: [
        (["synthetic-rows": ["10"]], "--synthetic-rows describes a generated dataset and is read only with --format synthetic"),
        (["format": ["synthetic"], "synthetic-rows": ["10"], "synthetic-features": ["3"]], "--synthetic-labels is missing"),
        (["format": ["synthetic"], "synthetic-rows": ["10"], "synthetic-features": ["3"], "synthetic-labels": ["4"], "url": ["x.csv"],
          "sha256": [String(repeating: "a", count: 64)]], "--format synthetic generates the dataset and reads no file, but --url describes one"),
        (["format": ["synthetic"], "synthetic-rows": ["10"], "synthetic-features": ["3"], "synthetic-labels": ["4"], "synthetic-power-law": ["-1"]],
         "--synthetic-power-law -1.0 must be a finite number ≥ 0"),
        (["format": ["synthetic"], "synthetic-rows": ["10"], "synthetic-features": ["3"], "synthetic-labels": ["4"], "synthetic-cardinality": ["3"],
          "synthetic-power-law": ["2"], "synthetic-group-size": ["2"]], "would make the most frequent label positive in more than every row"),
        (["format": ["synthetic"], "synthetic-rows": ["10"], "synthetic-features": ["3"], "synthetic-labels": ["4"], "synthetic-noise": ["-1"],
          "synthetic-group-size": ["2"]],
         "--synthetic-noise -1.0 must be a finite standard deviation ≥ 0"),
        (["format": ["synthetic"], "synthetic-rows": ["0"], "synthetic-features": ["3"], "synthetic-labels": ["4"]], "synthetic-rows"),
    ])
    func refusals(given: [String: [String]], expected: String) {
        let text = Fixtures.parameterMessage(given)
        #expect(text?.contains(expected) == true, "\(text ?? "accepted")")
    }

    /// The real `fetch` executable twice with the same parameters: byte-identical outputs, the
    /// generator's parameters in meta.json, no `source/`; a refusal exits 64 naming the parameter.
    @Test func fetchExecutableWritesTheSameBytesTwice() throws {
        let folder = TestSupport.temporaryFolder("synthetic-fetch")
        let arguments = ["--dataset", "generated", "--format", "synthetic", "--synthetic-rows", "300", "--synthetic-features", "8",
                         "--synthetic-labels", "12", "--synthetic-cardinality", "2.5", "--synthetic-seed", "5"]
        for name in ["a", "b"] {
            let result = try TestSupport.runProduct("fetch", arguments + ["--output", folder.appendingPathComponent(name).path])
            try #require(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        }
        for file in [DatasetFiles.features, DatasetFiles.labels, DatasetFiles.meta] {
            let a = try Data(contentsOf: folder.appendingPathComponent("a/\(file)")), b = try Data(contentsOf: folder.appendingPathComponent("b/\(file)"))
            #expect(a == b, "\(file) differs")
        }
        let meta = try DatasetMeta.read(from: folder.appendingPathComponent("a"))
        #expect(meta.source.generator == SyntheticSpec(rows: 300, features: 8, labels: 12, cardinality: 2.5, seed: 5))
        #expect(meta.layout == "synthetic" && meta.statistics.instances == 300 && meta.statistics.labels == 12)
        #expect(try NpyFile.read(folder.appendingPathComponent("a/\(DatasetFiles.features)")).shape == [300, 8])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("a/\(DatasetFiles.source)").path))

        let refused = try TestSupport.runProduct("fetch", [
            "--dataset", "generated", "--format", "synthetic", "--synthetic-rows", "300", "--synthetic-features", "8", "--synthetic-labels", "12",
            "--synthetic-cardinality", "12", "--output", folder.appendingPathComponent("c").path])
        #expect(refused.status == 64 && refused.standardError.contains("--synthetic-cardinality 12.0 with --synthetic-labels 12 and"),
                "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("c").path))
    }
}
