import Foundation
import SeededRandom

/// Seeded random sparse ARFF files of the shapes the loader must handle at speed (issue 12):
/// many labels, or many rows. MEKA layout (`-C q`: the first q attributes are labels), every
/// attribute nominal `{0,1}`, each row listing its non-zero values in increasing index order.
struct SyntheticArff {
    var name: String
    var rows: Int
    var features: Int
    var labels: Int
    /// Expected non-zero features and labels per row.
    var featuresPerRow: Double
    var labelsPerRow: Double

    /// A 983-label file of about 3.7 MB.
    static let manyLabels = SyntheticArff(name: "synthetic-983-labels", rows: 9_000, features: 500, labels: 983,
                                          featuresPerRow: 40, labelsPerRow: 19)
    /// A 121,000-row file with 1001 features.
    static let manyRows = SyntheticArff(name: "synthetic-121k-rows", rows: 121_000, features: 1_001, labels: 101,
                                        featuresPerRow: 20, labelsPerRow: 4)

    /// Writes the file into `folder` unless it is already there; returns its URL.
    func write(into folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("\(name).arff")
        if FileManager.default.fileExists(atPath: url.path) { return url }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 12, stream: name)
        var text = "@relation '\(name): -C \(labels)'\n"
        for label in 0..<labels { text += "@attribute y\(label) {0,1}\n" }
        for feature in 0..<features { text += "@attribute f\(feature) {0,1}\n" }
        text += "@data\n"
        var out = Data(text.utf8)
        let labelRate = labelsPerRow / Double(labels)
        let featureRate = featuresPerRow / Double(features)
        var line = ""
        for row in 0..<rows {
            line.removeAll(keepingCapacity: true)
            line += "{"
            var first = true
            // Every row gets at least one label, so that no label set is empty by construction.
            let forced = row % labels
            for index in 0..<(labels + features) {
                let rate = index < labels ? labelRate : featureRate
                guard index == forced || Double.random(in: 0..<1, using: &generator) < rate else { continue }
                line += first ? "\(index) 1" : ",\(index) 1"
                first = false
            }
            line += "}\n"
            out.append(contentsOf: line.utf8)
        }
        try out.write(to: url, options: .atomic)
        return url
    }
}
