import Formats
import Foundation

/// Loads a catalog entry's ARFF files from an unpacked folder into a normalised dataset.
public enum DatasetLoader {
    /// How attributes become columns.
    public struct Options: Sendable {
        public var impute: ImputePolicy
        /// Attributes (by ARFF name) to leave out of the features; a label cannot be dropped.
        public var dropAttributes: [String]
        /// Leave out every identifier-like attribute (see ``IdentifierAttribute``) instead of warning.
        public var dropIdentifiers: Bool

        public init(impute: ImputePolicy = .error, dropAttributes: [String] = [], dropIdentifiers: Bool = false) {
            self.impute = impute
            self.dropAttributes = dropAttributes
            self.dropIdentifiers = dropIdentifiers
        }
    }

    /// The dataset plus a description of where it came from.
    public struct Loaded: Sendable {
        public var dataset: MultiLabelDataset
        /// The files (inside the unpacked folder) that held it, in order.
        public var files: [String]
        /// How the labels were found (``DatasetMeta/Source/labelSource``).
        public var labelSource: String
        public var sparseRows: Bool
        /// Things the user should know (identifier-like attributes kept, labels positive on every
        /// row), one sentence each.
        public var warnings: [String]
    }

    /// Parses `entry.data` (rows concatenated in order) below `folder` and applies the labels.
    /// Messages name files as `<archive>/<member>`; a missing member's message points at the
    /// catalog or the command line, after `origin`. `progress` hears about each file's parse.
    public static func load(_ entry: CatalogEntry, from folder: URL, options: Options = Options(),
                            origin: EntryOrigin, progress: FetchProgress.Handler? = nil) throws -> Loaded {
        func member(_ path: String, key: String) throws -> URL {
            try DatasetLoader.member(path, key: key, in: folder, archive: entry.archive, listedBy: origin)
        }
        var table: ArffTable?
        for path in entry.data {
            let name = "\(entry.archive)/\(path)"
            let part = try ArffParser.parse(contentsOf: try member(path, key: "data"), displayName: name) { done, total in
                progress?(FetchProgress(step: .parse, subject: name, done: Int64(done), total: Int64(total)))
            }
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
            let names = try LabelSource.mulanLabelNames(xml: try member(xml, key: "xml"), displayName: xmlName)
            labelAttributes = try LabelSource.mulanLabelAttributes(names, in: table, xmlFile: xmlName)
            labelSource = "xml:\(xml)"
        case .meka:
            let count = try LabelSource.mekaLabelCount(relation: table.relation, file: table.file)
            labelAttributes = try LabelSource.mekaLabelAttributes(count: count, in: table)
            labelSource = "meka:-C \(count)"
        }
        var dropped = try droppedAttributes(options.dropAttributes, in: table, labels: Set(labelAttributes))
        var warnings: [String] = []
        for identifier in IdentifierAttribute.find(in: table, labels: Set(labelAttributes)) where !dropped.contains(identifier.index) {
            if options.dropIdentifiers {
                dropped.insert(identifier.index)
            } else {
                warnings.append(identifier.warning(file: table.file))
            }
        }
        let dataset = try MultiLabelDataset.encode(table, labelAttributes: labelAttributes, impute: options.impute, dropped: dropped)
        if dataset.featureCount == 0 {
            throw DatasetError.arff(file: table.file, line: 0, reason: "no feature is left (every attribute is a label or dropped); keep at least one feature")
        }
        warnings += dataset.alwaysPositiveWarnings(file: table.file)
        return Loaded(dataset: dataset, files: entry.data, labelSource: labelSource, sparseRows: table.hasSparseRows, warnings: warnings)
    }

    /// The regular file `path` below the unpacked `folder`; a missing one is an error listing the
    /// files there and pointing at `key` (`data`, `xml`) in the catalog or on the command line.
    static func member(_ path: String, key: String, in folder: URL, archive: String, listedBy origin: EntryOrigin) throws -> URL {
        let file = folder.path + "/" + path
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw DatasetError.missingMember(archive: archive, member: path, key: key, available: files(below: folder), listedBy: origin)
        }
        return URL(fileURLWithPath: file, isDirectory: false)
    }

    /// The header positions of the attributes named in `names`; each must exist and not be a label.
    static func droppedAttributes(_ names: [String], in table: ArffTable, labels: Set<Int>) throws -> Set<Int> {
        try droppedColumns(names, of: table.attributes.map(\.name), file: table.file, what: "attribute", labels: labels)
    }

    /// The positions in `header` of the names in `names` (ARFF attributes or CSV columns, called
    /// `what` in messages); each must exist and not be a label.
    static func droppedColumns(_ names: [String], of header: [String], file: String, what: String, labels: Set<Int>) throws -> Set<Int> {
        var dropped = Set<Int>()
        for name in names {
            guard let index = header.firstIndex(of: name) else {
                let known = header.prefix(20).joined(separator: ", ") + (header.count > 20 ? ", …" : "")
                throw DatasetError.arff(file: file, line: 0, reason: "cannot drop \(what) '\(name)': there is no such \(what) (\(what)s: \(known))")
            }
            guard !labels.contains(index) else {
                throw DatasetError.labels(file: file, reason: "cannot drop \(what) '\(name)': it is a label; only features can be dropped")
            }
            dropped.insert(index)
        }
        return dropped
    }

    /// The regular files below `folder` (relative paths, sorted).
    static func files(below folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        let prefix = folder.standardizedFileURL.path + "/"
        var found: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let path = url.standardizedFileURL.path
            found.append(path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : url.lastPathComponent)
        }
        return found.sorted()
    }
}
