import Formats
import Foundation

/// Loads a researcher's own data, written in a format other than ARFF (`--format npy`, `npz`,
/// `csv`, `tsv` or `xmlc`), from the folder its source unpacked to.
public enum OwnDataLoader {
    /// The reader a format needs.
    public enum Kind: Equatable, Sendable {
        case npy
        case npz
        /// CSV or TSV, with the cell separator its format implies.
        case table(delimiter: Character)
        case xmlc

        /// The reader of `format`; nil for ARFF, which ``DatasetLoader`` reads, and for synthetic data, which ``SyntheticDataset`` generates.
        public init?(_ format: DataFormat) {
            switch format {
            case .arffMulan, .arffMeka: return nil
            case .npy: self = .npy
            case .npz: self = .npz
            case .csv: self = .table(delimiter: ",")
            case .tsv: self = .table(delimiter: "\t")
            case .xmlc: self = .xmlc
            case .synthetic: return nil
            }
        }
    }

    /// Reads the files `--data` names below `folder` (or, without `--data`, the one file there);
    /// messages name them as `<archive>/<file>` (or `archive` alone when it is that file).
    /// `progress` hears about the parsing of text files.
    public static func load(_ kind: Kind, parameters: FetchParameters, from folder: URL, archive: String,
                            progress: FetchProgress.Handler? = nil) throws -> DatasetLoader.Loaded {
        let paths = try dataFiles(parameters.data.map { $0.trimmingCharacters(in: .whitespaces) }, in: folder, archive: archive)
        let files = try paths.map { path in
            (url: try DatasetLoader.member(path, key: "data", in: folder, archive: archive, listedBy: .commandLine),
             name: path == archive ? archive : "\(archive)/\(path)")
        }
        let parsing = { (name: String, done: Int, total: Int) -> Void in
            progress?(FetchProgress(step: .parse, subject: name, done: Int64(done), total: Int64(total)))
        }
        let dataset: MultiLabelDataset
        let labelSource: String
        switch kind {
        case let .table(implied):
            let delimiter = try parameters.delimiter.map(Character.init) ?? checkedDelimiter(implied, files: files)
            let columns: DelimitedTable.LabelColumns = parameters.labelPrefix.map { .prefix($0) } ?? .named(parameters.labels)
            dataset = try DelimitedTable(delimiter: delimiter.asciiValue!, labelColumns: columns, dropColumns: parameters.dropAttribute)
                .read(files, progress: parsing)
            labelSource = columns.labelSource
        case .xmlc:
            dataset = try XMLCReader.read(files, progress: parsing)
            labelSource = "rows"
        case .npy, .npz:
            dataset = try NumpySource.read(kind, files: files, arrays: parameters.arrays)
            labelSource = paths.count == 2 ? "file:" + paths[1] : "array:" + NumpySource.arrayNames(parameters.arrays)[1]
        }
        let name = files.count == 1 ? files[0].name : archive
        if dataset.count == 0 {
            throw DatasetError.content(file: name, line: 0, reason: "holds no instances (0 rows); a dataset needs at least one")
        }
        if dataset.featureCount == 0 {
            throw DatasetError.content(file: name, line: 0, reason: "has no feature (0 columns); a dataset needs at least one")
        }
        if dataset.labelCount == 0 {
            throw DatasetError.content(file: name, line: 0, reason: "has no label (0 columns); a multi-label dataset needs at least one")
        }
        let sparse = if case .compressedRows = dataset.features { true } else { false }
        return DatasetLoader.Loaded(dataset: dataset, files: paths, labelSource: labelSource, sparseRows: sparse,
                                    warnings: dataset.alwaysPositiveWarnings(file: name))
    }

    /// `--data`'s files, or the only file below `folder` when it names none.
    private static func dataFiles(_ data: [String], in folder: URL, archive: String) throws -> [String] {
        guard data.isEmpty else { return data }
        let found = DatasetLoader.files(below: folder)
        guard found.count == 1 else {
            throw DatasetError.content(file: archive, line: 0, reason: "holds \(found.count) files (\(found.prefix(10).joined(separator: ", "))"
                                       + "\(found.count > 10 ? ", …" : "")); pass --data naming the file(s) to read")
        }
        return found
    }

    /// The delimiter a csv or tsv format implies, unless a file's name says it is the other one.
    private static func checkedDelimiter(_ implied: Character, files: [(url: URL, name: String)]) throws -> Character {
        let (format, other, otherFormat, otherExtensions) = implied == "," ? ("csv", "tabs", "tsv", [".tsv", ".tab"]) : ("tsv", "commas", "csv", [".csv"])
        for file in files {
            if let suffix = otherExtensions.first(where: { file.url.lastPathComponent.lowercased().hasSuffix($0) }) {
                throw DatasetError.content(file: file.name, line: 0, reason: "the name ends in \(suffix), which means cells separated by \(other), "
                                           + "but --format \(format) reads \(implied == "," ? "commas" : "tabs"); pass --format \(otherFormat) (or "
                                           + "--delimiter if the cells are separated by something else)")
            }
        }
        return implied
    }
}
