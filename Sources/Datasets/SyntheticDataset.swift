import Formats
import SeededRandom

/// Generates the seeded synthetic multi-label dataset a ``SyntheticSpec`` describes (`fetch
/// --format synthetic`; `bench scale`).
///
/// Labels: the q labels form groups of `groupSize` consecutive labels. In each row, group G is
/// active with probability π_G, the largest frequency f_j among its labels; an active group turns
/// on each of its labels j with probability f_j / π_G. So label j is positive with probability
/// f_j = cardinality · (j + 1)^−α / Σ_k (k + 1)^−α, labels of different groups are independent, and
/// two labels of one group co-occur 1/π_G times more often than independent ones would. A label no
/// row drew is then given to one row drawn at random, so that every label occurs (the dataset
/// statistics need it; this lifts the rarest labels' counts to 1 when n · f_j ≪ 1).
///
/// Features: label j has a prototype direction of length 1 (a normalised Gaussian vector); a row's
/// d features are the sum of its labels' prototypes plus independent Gaussian noise of standard
/// deviation `noise`, so that a model can learn the labels from the features.
///
/// Each part draws from its own named stream of the seed: the same spec gives the same bytes.
/// Time O(n · (q / groupSize + cardinality · groupSize) + n · (cardinality + 1) · d + q · d).
public enum SyntheticDataset {
    /// The dataset; `spec` must pass ``SyntheticSpec/validate()`` (checked: a refusal is thrown).
    public static func generate(_ spec: SyntheticSpec) throws -> MultiLabelDataset {
        try spec.validate()
        let labels = labelMatrix(spec)
        let features = featureMatrix(spec, labels: labels)
        return MultiLabelDataset(featureNames: (0..<spec.features).map { "x\($0)" }, labelNames: (0..<spec.labels).map { "label\($0)" },
                                 features: .dense(features), labels: labels, count: spec.rows, attributes: [])
    }

    /// The 0/1 labels [n, q], row-major.
    static func labelMatrix(_ spec: SyntheticSpec) -> [UInt8] {
        let (n, q, size) = (spec.rows, spec.labels, spec.groupSize)
        let frequencies = spec.labelFrequencies
        let groupStarts = Array(stride(from: 0, to: q, by: size))
        // Frequencies fall with the index, so a group's largest is its first label's.
        let activation = groupStarts.map { frequencies[$0] }
        let conditional = (0..<q).map { frequencies[$0] / activation[$0 / size] }
        var labels = [UInt8](repeating: 0, count: n * q)
        var random = SeededGenerator(seed: UInt64(spec.seed), stream: "synthetic-labels")
        labels.withUnsafeMutableBufferPointer { labels in
            for row in 0..<n {
                for (group, start) in groupStarts.enumerated() where random.nextDouble() < activation[group] {
                    for label in start..<min(start + size, q) where random.nextDouble() < conditional[label] {
                        labels[row * q + label] = 1
                    }
                }
            }
        }
        var counts = [Int](repeating: 0, count: q)
        for row in 0..<n {
            for label in 0..<q where labels[row * q + label] != 0 { counts[label] += 1 }
        }
        var coverage = SeededGenerator(seed: UInt64(spec.seed), stream: "synthetic-coverage")
        for label in 0..<q where counts[label] == 0 {
            labels[coverage.nextInt(below: n) * q + label] = 1
        }
        return labels
    }

    /// The features [n, d], row-major: each row's labels' prototypes plus noise.
    static func featureMatrix(_ spec: SyntheticSpec, labels: [UInt8]) -> [Float] {
        let (n, d, q) = (spec.rows, spec.features, spec.labels)
        var prototypes = [Float](repeating: 0, count: q * d)
        var random = SeededGenerator(seed: UInt64(spec.seed), stream: "synthetic-prototypes")
        for label in 0..<q {
            var squares = 0.0
            for column in 0..<d {
                let value = random.nextGaussian()
                prototypes[label * d + column] = Float(value)
                squares += value * value
            }
            let scale = Float(1 / max(squares, .leastNormalMagnitude).squareRoot())
            for column in 0..<d { prototypes[label * d + column] *= scale }
        }
        var features = [Float](repeating: 0, count: n * d)
        var noise = SeededGenerator(seed: UInt64(spec.seed), stream: "synthetic-noise")
        let deviation = spec.noise
        features.withUnsafeMutableBufferPointer { features in
            prototypes.withUnsafeBufferPointer { prototypes in
                labels.withUnsafeBufferPointer { labels in
                    for row in 0..<n {
                        let out = features.baseAddress! + row * d
                        if deviation > 0 {
                            for column in 0..<d { out[column] = Float(deviation * noise.nextGaussian()) }
                        }
                        for label in 0..<q where labels[row * q + label] != 0 {
                            let prototype = prototypes.baseAddress! + label * d
                            for column in 0..<d { out[column] += prototype[column] }
                        }
                    }
                }
            }
        }
        return features
    }
}
