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

    static func statistics(in folder: URL) -> [(String, String)] {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("meta.json").path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let statistics = object["statistics"] as? [String: Any] else { return [] }
        return statistics.keys.sorted().compactMap { key in
            switch statistics[key] {
            case let number as NSNumber: return (key, Self.format(number.doubleValue))
            case let list as [NSNumber]: return (key, "\(list.count) values, max \(Self.format(list.map(\.doubleValue).max() ?? .nan))")
            default: return nil
            }
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.4g", value)
    }
}
