import Artifacts
import Formats
import Foundation
import NumpyIO

/// One fold of a dataset, ready for training: rows split into train / validation / test by the
/// split artifact, features min–max scaled with statistics of the training part only, and the
/// optional feature selection of docs/method.md §8 applied, on the labels the split kept.
///
/// All matrices are contiguous row-major Float32 / UInt8 buffers.
public struct PreparedFold: Sendable {
    /// Dataset row of each training, validation and test row (in that order of use).
    public var trainRows: [Int32]
    public var validationRows: [Int32]
    public var testRows: [Int32]
    /// Scaled features, [rows × featureCount].
    public var trainFeatures: [Float]
    public var validationFeatures: [Float]
    public var testFeatures: [Float]
    /// Labels, [rows × labelCount].
    public var trainLabels: [UInt8]
    public var validationLabels: [UInt8]
    public var testLabels: [UInt8]
    /// Dataset columns kept by feature selection and label filtering.
    public var keptFeatures: [Int]
    public var keptLabels: [Int]
    public var labelNames: [String]
    public var datasetName: String

    public var featureCount: Int { keptFeatures.count }
    public var labelCount: Int { keptLabels.count }
    public var trainCount: Int { trainRows.count }
}

/// Errors in the inputs of the train stage.
public enum TrainingInputError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(path: String, reason: String)
    case badFold(fold: Int, folds: Int, path: String)
    case emptyRole(role: String, fold: Int, path: String)
    case nonFinite(path: String, row: Int, column: Int)
    /// A feature's values on the training rows span more than Float32 can hold (±3e38-scale
    /// values), so min–max scaling would turn them into NaN.
    case rangeOverflow(path: String, column: Int, name: String?, minimum: Float, maximum: Float)

    public var description: String {
        switch self {
        case let .shapeMismatch(path, reason):
            return "\(path): \(reason). Rerun the fetch and split stages so their artifacts match."
        case let .badFold(fold, folds, path):
            return "\(path): fold \(fold) does not exist; the split has folds 0…\(folds - 1). Pass --fold in that range."
        case let .emptyRole(role, fold, path):
            return "\(path): fold \(fold) has no \(role) rows. Use fewer folds or a larger --validation share in the split stage."
        case let .nonFinite(path, row, column):
            return "\(path): feature at row \(row), column \(column) is NaN or infinite. Re-fetch with --impute zero or clean the source."
        case let .rangeOverflow(path, column, name, minimum, maximum):
            return "\(path): column \(column)\(name.map { " (feature '\($0)')" } ?? "") holds values of ±3e38 scale, from \(minimum) to \(maximum) "
                + "on the training rows: their range exceeds the largest Float32 (3.4e38), so min–max scaling cannot represent it. "
                + "Values this large usually stand for missing data; clean the source, or write them as '?' and fetch with --impute zero."
        }
    }
}

extension PreparedFold {
    /// Loads a fold from the fetch stage's folder (`features.npy`, `labels.npy`, `meta.json`) and
    /// the split stage's folder (`roles.npy`).
    ///
    /// - Parameters:
    ///   - featureFraction: keep this fraction (0, 1] of features with the largest training column sums.
    /// The labels are those of the split's `labels-kept.npy` (the label filter runs in the split
    /// stage, on the whole dataset).
    /// - Complexity: O(n·d + n·q).
    public static func load(dataset: URL, split: URL, fold: Int, featureFraction: Double = 1) throws -> PreparedFold {
        let featuresURL = dataset.appendingPathComponent(DatasetFiles.features)
        let labelsURL = dataset.appendingPathComponent(DatasetFiles.labels)
        let rolesURL = split.appendingPathComponent(SplitFiles.roles)
        let features = try NpyFile.read(featuresURL)
        let labels = try NpyFile.read(labelsURL)
        let roles = try NpyFile.read(rolesURL)
        guard features.shape.count == 2, features.dtype == .float32 else {
            throw TrainingInputError.shapeMismatch(path: featuresURL.path, reason: "expected float32 [n, d], found \(features.dtype) \(features.shape)")
        }
        guard labels.shape.count == 2, labels.dtype == .uint8, labels.shape[0] == features.shape[0] else {
            throw TrainingInputError.shapeMismatch(path: labelsURL.path, reason: "expected uint8 [\(features.shape[0]), q], found \(labels.dtype) \(labels.shape)")
        }
        let n = features.shape[0], d = features.shape[1], q = labels.shape[1]
        guard roles.shape.count == 2, roles.dtype == .uint8, roles.shape[1] == n else {
            throw TrainingInputError.shapeMismatch(path: rolesURL.path, reason: "expected uint8 [folds, \(n)], found \(roles.dtype) \(roles.shape)")
        }
        guard fold >= 0, fold < roles.shape[0] else {
            throw TrainingInputError.badFold(fold: fold, folds: roles.shape[0], path: rolesURL.path)
        }
        var rowsByRole = [[Int32]](repeating: [], count: FoldRole.allCases.count)
        for row in 0..<n {
            let role = Int(roles.bytes[fold * n + row])
            guard role < FoldRole.allCases.count else {
                throw TrainingInputError.shapeMismatch(path: rolesURL.path, reason: "role \(role) at fold \(fold), row \(row); valid roles are 0 train, 1 validation, 2 test")
            }
            rowsByRole[role].append(Int32(row))
        }
        for role in FoldRole.allCases where rowsByRole[Int(role.rawValue)].isEmpty {
            throw TrainingInputError.emptyRole(role: "\(role)", fold: fold, path: rolesURL.path)
        }
        let allFeatures = try features.values(as: Float.self, path: featuresURL.path)
        if let bad = allFeatures.firstIndex(where: { !$0.isFinite }) {
            throw TrainingInputError.nonFinite(path: featuresURL.path, row: bad / d, column: bad % d)
        }
        let trainRows = rowsByRole[Int(FoldRole.train.rawValue)]
        let validationRows = rowsByRole[Int(FoldRole.validation.rawValue)], testRows = rowsByRole[Int(FoldRole.test.rawValue)]

        let keptLabels = try Self.keptLabels(split: split, labelCount: q)

        // Feature selection: the largest training column sums (ties by column order).
        var columnSums = [Double](repeating: 0, count: d)
        allFeatures.withUnsafeBufferPointer { x in
            for row in trainRows {
                let base = Int(row) * d
                for j in 0..<d { columnSums[j] += Double(x[base + j]) }
            }
        }
        let keepCount = max(1, min(d, Int((featureFraction * Double(d)).rounded(.up))))
        let keptFeatures = keepCount == d ? Array(0..<d)
            : (0..<d).sorted { columnSums[$0] != columnSums[$1] ? columnSums[$0] > columnSums[$1] : $0 < $1 }
                .prefix(keepCount).sorted()

        // Min–max scaling fitted on the training part.
        var minimum = [Float](repeating: .infinity, count: keptFeatures.count)
        var maximum = [Float](repeating: -.infinity, count: keptFeatures.count)
        allFeatures.withUnsafeBufferPointer { x in
            for row in trainRows {
                let base = Int(row) * d
                for (k, j) in keptFeatures.enumerated() {
                    let value = x[base + j]
                    if value < minimum[k] { minimum[k] = value }
                    if value > maximum[k] { maximum[k] = value }
                }
            }
        }
        if let k = minimum.indices.first(where: { !(maximum[$0] - minimum[$0]).isFinite }) {
            let names = (try? DatasetMeta.read(from: dataset))?.featureNames ?? []
            let column = keptFeatures[k]
            throw TrainingInputError.rangeOverflow(path: featuresURL.path, column: column, name: column < names.count ? names[column] : nil,
                                                   minimum: minimum[k], maximum: maximum[k])
        }
        let scale = zip(minimum, maximum).map { $1 > $0 ? 1 / ($1 - $0) : 0 }

        func gatherFeatures(_ rows: [Int32]) -> [Float] {
            var out = [Float](repeating: 0, count: rows.count * keptFeatures.count)
            allFeatures.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { y in
                    for (r, row) in rows.enumerated() {
                        let source = Int(row) * d, target = r * keptFeatures.count
                        for (k, j) in keptFeatures.enumerated() {
                            y[target + k] = (x[source + j] - minimum[k]) * scale[k]
                        }
                    }
                }
            }
            return out
        }
        func gatherLabels(_ rows: [Int32]) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: rows.count * keptLabels.count)
            for (r, row) in rows.enumerated() {
                for (k, j) in keptLabels.enumerated() { out[r * keptLabels.count + k] = labels.bytes[Int(row) * q + j] }
            }
            return out
        }

        let meta = try DatasetMeta.read(from: dataset)
        return PreparedFold(
            trainRows: trainRows, validationRows: validationRows, testRows: testRows,
            trainFeatures: gatherFeatures(trainRows), validationFeatures: gatherFeatures(validationRows),
            testFeatures: gatherFeatures(testRows),
            trainLabels: gatherLabels(trainRows), validationLabels: gatherLabels(validationRows),
            testLabels: gatherLabels(testRows),
            keptFeatures: keptFeatures, keptLabels: keptLabels,
            labelNames: keptLabels.map { $0 < meta.labelNames.count ? meta.labelNames[$0] : "label\($0)" },
            datasetName: meta.name)
    }

    /// The split's kept label columns: int32, 1-D, strictly ascending, each in 0..<q.
    static func keptLabels(split: URL, labelCount q: Int) throws -> [Int] {
        let url = split.appendingPathComponent(SplitFiles.keptLabels)
        let array = try NpyFile.read(url)
        let kept = try array.values(as: Int32.self, path: url.path).map(Int.init)
        guard array.shape == [kept.count], !kept.isEmpty, kept.allSatisfy({ $0 >= 0 && $0 < q }), zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw TrainingInputError.shapeMismatch(path: url.path, reason: "expected strictly ascending int32 label columns in 0..<\(q), found \(array.shape)")
        }
        return kept
    }
}
