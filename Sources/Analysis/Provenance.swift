import Formats
import Artifacts
import Foundation

/// The upstream stages of the train runs, traced through manifest inputs (train → split, fetch).
public struct Provenance: Sendable {
    /// An upstream stage folder and its manifest.
    public struct Stage: Sendable {
        public var folder: URL
        public var manifest: Manifest
        /// `meta.json` statistics of a fetch folder, as (name, value text) pairs.
        public var statistics: [(String, String)]
    }

    /// Upstream stages by stage name ("fetch", "split"), first found per dataset.
    public var stages: [String: [String: Stage]] = [:]

    public init(runs: [TrainRun]) {
        for run in runs {
            for input in run.manifest.inputs {
                guard let folder = Self.resolve(input.path, from: run.folder),
                      let manifest = try? Manifest.read(from: folder) else { continue }
                if stages[run.dataset]?[manifest.stage] == nil {
                    stages[run.dataset, default: [:]][manifest.stage] = Stage(folder: folder, manifest: manifest,
                                                                                    statistics: Self.statistics(in: folder))
                }
            }
        }
    }

    /// An input path as given (absolute, or relative to the working folder), else relative to
    /// each ancestor of the train folder; a file resolves to its folder.
    static func resolve(_ path: String, from trainFolder: URL) -> URL? {
        var candidates = [URL(fileURLWithPath: path)]
        var ancestor = trainFolder.standardizedFileURL
        while ancestor.path != "/" {
            candidates.append(ancestor.appendingPathComponent(path))
            ancestor = ancestor.deletingLastPathComponent()
        }
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) else { continue }
            let folder = isDirectory.boolValue ? candidate : candidate.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(Manifest.fileName).path) { return folder.standardizedFileURL }
        }
        return nil
    }

    /// The fetch folder's `meta.json` statistics as (name, value text) pairs, in name order.
    static func statistics(in folder: URL) -> [(String, String)] {
        guard let s = try? DatasetMeta.read(from: folder).statistics else { return [] }
        let ratios = "\(s.imbalanceRatio.count) values, max \(format(s.imbalanceRatio.max() ?? .nan))"
        return [("cardinality", format(s.cardinality)), ("density", format(s.density)), ("distinctLabelSets", format(Double(s.distinctLabelSets))),
                ("features", format(Double(s.features))), ("imbalanceRatio", ratios), ("instances", format(Double(s.instances))),
                ("labels", format(Double(s.labels))), ("meanImbalanceRatio", format(s.meanImbalanceRatio))]
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.4g", value)
    }
}
