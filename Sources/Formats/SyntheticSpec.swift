import Foundation
import StageKit

/// The parameters of a seeded synthetic multi-label dataset (`fetch --format synthetic`, `bench
/// scale`): n rows of d dense features and q labels. Label j is positive in a fraction of the rows
/// proportional to (j + 1)^−α, scaled so that a row has `cardinality` labels on average; labels
/// come in groups of `groupSize` consecutive labels that co-occur; a row's features are the sum of
/// its labels' unit-length prototype directions plus Gaussian noise of standard deviation `noise`
/// per feature. The generator is `SyntheticDataset` (module Datasets); docs/your-data.md shows a use.
public struct SyntheticSpec: Codable, Equatable, Sendable {
    public static let defaultCardinality = 2.0
    public static let defaultPowerLaw = 1.0
    public static let defaultGroupSize = 5
    public static let defaultNoise = 1.0
    public static let defaultSeed = 0

    /// n.
    public var rows: Int
    /// d.
    public var features: Int
    /// q.
    public var labels: Int
    /// The mean number of positive labels per row.
    public var cardinality: Double
    /// α: label j's frequency is proportional to (j + 1)^−α (0: all labels equally frequent).
    public var powerLaw: Double
    /// Labels per co-occurring group (1: labels independent; the last group may be smaller, and a
    /// size above q makes one group of all labels).
    public var groupSize: Int
    /// Standard deviation of the Gaussian noise added to each feature.
    public var noise: Double
    public var seed: Int

    public init(rows: Int, features: Int, labels: Int, cardinality: Double = defaultCardinality, powerLaw: Double = defaultPowerLaw,
                groupSize: Int = defaultGroupSize, noise: Double = defaultNoise, seed: Int = defaultSeed) {
        self.rows = rows
        self.features = features
        self.labels = labels
        self.cardinality = cardinality
        self.powerLaw = powerLaw
        self.groupSize = groupSize
        self.noise = noise
        self.seed = seed
    }

    /// Each label's probability of being positive in a row: (j + 1)^−α scaled to sum to the
    /// cardinality. O(q).
    public var labelFrequencies: [Double] {
        let weights = (0..<labels).map { Self.power(Double($0 + 1), -powerLaw) }
        let total = weights.reduce(0, +)
        return weights.map { $0 * cardinality / total }
    }

    /// Refuses parameters the generator cannot honour; each message names the `--synthetic-…`
    /// parameter and the fix.
    public func validate() throws(ParameterError) {
        for (name, value) in [("rows", rows), ("features", features), ("labels", labels), ("group-size", groupSize)] where value < 1 {
            throw .conflict("synthetic-\(name)", reason: "--synthetic-\(name) \(value) must be at least 1")
        }
        if !(powerLaw >= 0 && powerLaw.isFinite) {
            throw .conflict("synthetic-power-law", reason: "--synthetic-power-law \(powerLaw) must be a finite number ≥ 0 (0: all labels equally "
                + "frequent; 1: Zipf's law)")
        }
        if !(noise >= 0 && noise.isFinite) {
            throw .conflict("synthetic-noise", reason: "--synthetic-noise \(noise) must be a finite standard deviation ≥ 0")
        }
        if seed < 0 {
            throw .conflict("synthetic-seed", reason: "--synthetic-seed \(seed) must be ≥ 0")
        }
        guard cardinality > 0 && cardinality.isFinite else {
            throw .conflict("synthetic-cardinality", reason: "--synthetic-cardinality \(cardinality) must be a positive number of labels per row")
        }
        // The most frequent label is label 0; its frequency is cardinality · 1 / Σ (j + 1)^−α.
        let total = (0..<labels).reduce(0.0) { $0 + Self.power(Double($1 + 1), -powerLaw) }
        if cardinality > total {
            throw .conflict("synthetic-cardinality", reason: "--synthetic-cardinality \(cardinality) with --synthetic-labels \(labels) and "
                + "--synthetic-power-law \(powerLaw) would make the most frequent label positive in more than every row (frequency "
                + "\(cardinality / total)); pass a cardinality of at most \(Double(Int(total * 1000)) / 1000), a smaller power law or more labels")
        }
    }

    private static func power(_ base: Double, _ exponent: Double) -> Double { pow(base, exponent) }
}
