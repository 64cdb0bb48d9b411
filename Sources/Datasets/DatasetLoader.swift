import Formats
import Foundation

/// Loads a catalog entry's ARFF files from an unpacked folder into a normalised dataset.
public enum DatasetLoader {
    /// The dataset plus a description of where its labels came from.
    public struct Loaded: Sendable {
        public var dataset: MultiLabelDataset
        /// `xml:<member>` or `meka:-C <q>`.
        public var labelSource: String
        public var sparseRows: Bool
    }

    /// Parses `entry.data` (rows concatenated in order) below `folder` and applies the labels.
    /// Messages name files as `<archive>/<member>`.
    public static func load(_ entry: CatalogEntry, from folder: URL, impute: ImputePolicy) throws -> Loaded {
        let available = { () -> [String] in
            (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).sorted()
        }
        func member(_ path: String) throws -> URL {
            let url = folder.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw DatasetError.missingMember(archive: entry.archive, member: path, available: available())
            }
            return url
        }
        var table: ArffTable?
        for path in entry.data {
            let part = try ArffParser.parse(contentsOf: try member(path), displayName: "\(entry.archive)/\(path)")
            if table == nil { table = part } else { try table!.append(part) }
        }
        guard let table else {
            throw DatasetError.catalog(path: entry.name, reason: "the entry lists no data files")
        }
        let labelAttributes: [Int]
        let labelSource: String
        switch entry.layout {
        case .mulan:
            guard let xml = entry.xml else {
                throw DatasetError.catalog(path: entry.name, reason: "mulan entry without 'xml'")
            }
            let xmlName = "\(entry.archive)/\(xml)"
            let names = try LabelSource.mulanLabelNames(xml: try member(xml), displayName: xmlName)
            labelAttributes = try LabelSource.mulanLabelAttributes(names, in: table, xmlFile: xmlName)
            labelSource = "xml:\(xml)"
        case .meka:
            let count = try LabelSource.mekaLabelCount(relation: table.relation, file: table.file)
            labelAttributes = try LabelSource.mekaLabelAttributes(count: count, in: table)
            labelSource = "meka:-C \(count)"
        }
        let dataset = try MultiLabelDataset.encode(table, labelAttributes: labelAttributes, impute: impute)
        return Loaded(dataset: dataset, labelSource: labelSource, sparseRows: table.hasSparseRows)
    }
}
