import Foundation
import StageKit

/// How a dataset's ARFF file marks its label attributes.
public enum DatasetLayout: String, Codable, Sendable, ChoiceParameter {
    /// Mulan: an XML file names the label attributes (anywhere in the attribute list).
    case mulan
    /// MEKA: the relation name carries `-C q` (first q attributes) or `-C -q` (last q).
    case meka
}

/// How a dataset's files are written (`--format`; docs/your-data.md shows each with a pipeline).
public enum DataFormat: String, Codable, Sendable, ChoiceParameter {
    /// ARFF whose labels a Mulan XML file names (`--layout mulan` says the same).
    case arffMulan = "arff-mulan"
    /// ARFF whose relation name carries MEKA's `-C q` (`--layout meka` says the same).
    case arffMeka = "arff-meka"
    /// Two `.npy` files: the features [n, d] and the 0/1 labels [n, q].
    case npy
    /// One `.npz` holding a features and a labels array, or a SciPy sparse `.npz` (the features)
    /// and a labels file.
    case npz
    /// Comma-separated text with a header row naming the columns.
    case csv
    /// Tab-separated text with a header row naming the columns.
    case tsv
    /// The Extreme Classification Repository's sparse text: a header `n d q`, then one row per
    /// line, `l1,l2,… f:v f:v …` with 0-based label and feature indices.
    case xmlc
    /// No file: a seeded synthetic dataset the `--synthetic-…` parameters describe (``SyntheticSpec``).
    case synthetic

    /// The ARFF layout this format is; nil for the formats that are not ARFF.
    public var arffLayout: DatasetLayout? {
        switch self {
        case .arffMulan: return .mulan
        case .arffMeka: return .meka
        default: return nil
        }
    }

    /// The format of an ARFF layout.
    public init(_ layout: DatasetLayout) {
        self = layout == .mulan ? .arffMulan : .arffMeka
    }

    /// Where the labels of a file in this format come from, for messages.
    public var labelOrigin: String {
        switch self {
        case .arffMulan: return "the labels are the attributes the --xml file names"
        case .arffMeka: return "the labels are the attributes -C in the relation name counts"
        case .npy: return "the labels are the second --data file"
        case .npz: return "the labels are the array --arrays names (or the second --data file)"
        case .csv, .tsv: return "the labels are the columns --labels or --label-prefix names"
        case .xmlc: return "the labels are the lists that begin each row"
        case .synthetic: return "the features and labels are generated (--synthetic-rows, --synthetic-features, --synthetic-labels, …)"
        }
    }
}

/// What to do with `?` (missing) feature values.
public enum ImputePolicy: String, Codable, Sendable, ChoiceParameter {
    /// Refuse the file: the message names the file, line and attribute.
    case error
    /// Replace a missing feature value by 0 (a multi-valued nominal feature: all indicators 0).
    /// A missing label value is always an error.
    case zero
}

/// The fetch stage's parameters.
public struct FetchParameters: StageParameters {
    @Parameter(help: "Catalog name of the dataset (e.g. corel5k, scene, yeast), or a new name with --url.", required: true)
    public var dataset = ""
    @Parameter(help: "The dataset catalog file.", path: true)
    public var catalog = "Datasets/catalog.yaml"
    @Parameter(help: "A local mirror folder, searched before MLBATCH_MIRROR (colon-separated folders), the cache and downloads.", repeated: true,
               path: true)
    public var mirror: [String] = []
    @Parameter(help: "Download cache folder.", path: true)
    public var cache = "Datasets/cache"
    @Parameter(help: "Archive (or data file) URL or local path, replacing the catalog's source or giving a dataset the catalog lacks "
               + "(needs --sha256).", repeated: true, path: true)
    public var url: [String] = []
    @Parameter(help: "Expected SHA-256 of the archive (64 hex digits), replacing the catalog's.")
    public var sha256: String? = nil
    @Parameter(help: "For an ARFF dataset the catalog does not name: how its labels are marked (--format arff-mulan or arff-meka says the same).")
    public var layout: DatasetLayout? = nil
    @Parameter(help: "For a dataset the catalog does not name: the files inside the archive (or the file) given with --url that hold it, "
               + "in order: ARFF, CSV, TSV or XMLC files whose rows are concatenated; for npy the features, then the labels file; for npz "
               + "the .npz, or a SciPy sparse .npz and then the labels file. Optional when --url is that one file.")
    public var data: [String] = []
    @Parameter(help: "For a dataset the catalog does not name, with layout mulan (format arff-mulan): the label XML member.")
    public var xml: String? = nil
    @Parameter(help: "For a dataset the catalog does not name: how its files are written: arff-mulan or arff-meka (as --layout), npy, "
               + "npz, csv, tsv or xmlc; or synthetic: generated from the --synthetic-… parameters, no file (docs/your-data.md).")
    public var format: DataFormat? = nil
    @Parameter(help: "With --format csv or tsv: the label columns by header name, in the order of labels.npy (or --label-prefix).")
    public var labels: [String] = []
    @Parameter(help: "With --format csv or tsv: every column whose header name starts with this is a label, in header order (or --labels).")
    public var labelPrefix: String? = nil
    @Parameter(help: "With --format csv or tsv: the cell separator, one ASCII character, instead of the format's (a comma for csv, a tab for tsv).")
    public var delimiter: String? = nil
    @Parameter(help: "With --format npz and one .npz: the names of its features array and its labels array, in that order (default: "
               + "features,labels).")
    public var arrays: [String] = []
    @Parameter(help: "Missing '?' feature values of ARFF files: error or zero. Missing labels are always an error.")
    public var impute = ImputePolicy.error
    @Parameter(help: "Leave this ARFF attribute or CSV/TSV column out of the features (a label cannot be dropped; an unknown name is an "
               + "error listing the attributes).", repeated: true)
    public var dropAttribute: [String] = []
    @Parameter(help: "Leave out every identifier-like nominal attribute (a distinct value in at least 90 % of at least 10 rows) instead of only warning about it.")
    public var dropIdentifiers = false
    @Parameter(help: "Stop unpacking beyond this many bytes (archive-bomb guard).", range: .atLeast(1))
    public var maxUnpackedBytes: Int64 = 4 << 30
    @Parameter(help: "Stop unpacking an archive with more entries (archive-bomb guard).", range: .atLeast(1))
    public var maxUnpackedEntries = 10_000
    @Parameter(help: "With --format synthetic: the number of rows n (required).", range: .atLeast(1))
    public var syntheticRows: Int? = nil
    @Parameter(help: "With --format synthetic: the number of dense features d (required).", range: .atLeast(1))
    public var syntheticFeatures: Int? = nil
    @Parameter(help: "With --format synthetic: the number of labels q (required).", range: .atLeast(1))
    public var syntheticLabels: Int? = nil
    @Parameter(help: "With --format synthetic: the mean number of positive labels per row (default \(SyntheticSpec.defaultCardinality)).")
    public var syntheticCardinality: Double? = nil
    @Parameter(help: "With --format synthetic: the exponent α of the label frequencies, label j's ∝ (j + 1)^−α (default "
               + "\(SyntheticSpec.defaultPowerLaw); 0: all equal).")
    public var syntheticPowerLaw: Double? = nil
    @Parameter(help: "With --format synthetic: labels per group of co-occurring labels (default \(SyntheticSpec.defaultGroupSize); 1: independent).",
               range: .atLeast(1))
    public var syntheticGroupSize: Int? = nil
    @Parameter(help: "With --format synthetic: the standard deviation of the Gaussian noise added to each feature; each label's "
               + "prototype direction has length 1 (default \(SyntheticSpec.defaultNoise)).")
    public var syntheticNoise: Double? = nil
    @Parameter(help: "With --format synthetic: the generator's seed (default \(SyntheticSpec.defaultSeed)).", range: .atLeast(0))
    public var syntheticSeed: Int? = nil

    public init() {}

    /// The generated dataset `--format synthetic` and the `--synthetic-…` parameters describe
    /// (defaults filled in); nil for any other format or without rows, features and labels.
    public var syntheticSpec: SyntheticSpec? {
        guard format == .synthetic, let syntheticRows, let syntheticFeatures, let syntheticLabels else { return nil }
        return SyntheticSpec(rows: syntheticRows, features: syntheticFeatures, labels: syntheticLabels,
                             cardinality: syntheticCardinality ?? SyntheticSpec.defaultCardinality,
                             powerLaw: syntheticPowerLaw ?? SyntheticSpec.defaultPowerLaw,
                             groupSize: syntheticGroupSize ?? SyntheticSpec.defaultGroupSize, noise: syntheticNoise ?? SyntheticSpec.defaultNoise,
                             seed: syntheticSeed ?? SyntheticSpec.defaultSeed)
    }

    /// Checks the source description (`url`, `sha256`, `layout`, `format`, `data`, `xml`) and the
    /// options of each format; each message describes the situation the user is in and what to pass.
    public func validate() throws(ParameterError) {
        if let sha256, sha256.count != 64 || !sha256.allSatisfy(\.isHexDigit) {
            let wrong = sha256.first { !$0.isHexDigit }
            throw .conflict("sha256", reason: "--sha256 must be 64 hexadecimal digits; '\(sha256)' has \(sha256.count) characters"
                + (wrong.map { ", including '\($0)', which is not a hexadecimal digit" } ?? ""))
        }
        if !url.isEmpty && sha256 == nil {
            throw .conflict("sha256", reason: "--url needs --sha256: an archive given with --url is verified against its checksum before "
                + "unpacking (sha256sum FILE prints it)")
        }
        if let format, let layout {
            throw .conflict("format", reason: "--format \(format.rawValue) and --layout \(layout.rawValue) both say how the files are written; "
                + "pass one of them (--format arff-mulan is --layout mulan, --format arff-meka is --layout meka)")
        }
        if try validateSynthetic() { return try validateFormatOptions() }
        try validateFormatOptions()
        let given = [("--layout", layout != nil), ("--format", format != nil), ("--data", !data.isEmpty), ("--xml", xml != nil)]
            .filter(\.1).map(\.0)
        guard let first = given.first else { return }
        let name = String(first.dropFirst(2))
        if url.isEmpty {
            throw .conflict(name, reason: "\(given.joined(separator: ", ")) describe\(given.count == 1 ? "s" : "") an archive given with --url, "
                + "and no --url was passed; add --url (and --sha256) for a dataset the catalog lacks, or leave \(given.count == 1 ? "it" : "them") "
                + "out to fetch the catalog's '\(dataset)'")
        }
        if let format, format.arffLayout == nil {
            return try validateOwnData(format)
        }
        guard let layout = layout ?? format?.arffLayout else {
            throw .conflict("format", reason: "an archive given with --url and \(given.joined(separator: ", ")) also needs --format: arff-mulan "
                + "(labels named by --xml), arff-meka (labels from -C in the relation name), npy, npz, csv, tsv or xmlc (docs/your-data.md); "
                + "--layout mulan or meka says the same as the two ARFF formats")
        }
        let chosen = self.layout != nil ? "--layout \(layout.rawValue)" : "--format \(DataFormat(layout).rawValue)"
        if data.isEmpty {
            throw .conflict("data", reason: "an archive given with --url and \(chosen) also needs --data: the ARFF member(s) inside it whose "
                + "rows form the dataset, comma-separated")
        }
        try refuseEmptyDataNames(what: "the ARFF member path(s) inside the archive")
        switch layout {
        case .mulan where xml == nil:
            throw .conflict("xml", reason: "\(chosen) also needs --xml: the member of the archive whose <label name=\"…\"> elements "
                + "name the labels")
        case .meka where xml != nil:
            let mulan = self.layout != nil ? "--layout mulan" : "--format arff-mulan"
            throw .conflict("xml", reason: "--xml is only read with \(mulan); MEKA files name their labels with -C in the relation. "
                + "Leave out --xml, or pass \(mulan)")
        default:
            break
        }
    }

    /// The `--synthetic-…` parameters: read only with `--format synthetic`, which reads no file and
    /// needs rows, features and labels. Returns whether the format is synthetic.
    private func validateSynthetic() throws(ParameterError) -> Bool {
        let given = [("synthetic-rows", syntheticRows != nil), ("synthetic-features", syntheticFeatures != nil),
                     ("synthetic-labels", syntheticLabels != nil), ("synthetic-cardinality", syntheticCardinality != nil),
                     ("synthetic-power-law", syntheticPowerLaw != nil), ("synthetic-group-size", syntheticGroupSize != nil),
                     ("synthetic-noise", syntheticNoise != nil), ("synthetic-seed", syntheticSeed != nil)].filter(\.1).map(\.0)
        guard format == .synthetic else {
            if let first = given.first {
                throw .conflict(first, reason: "--\(first) describes a generated dataset and is read only with --format synthetic. Pass "
                    + "--format synthetic, or leave out \(given.map { "--\($0)" }.joined(separator: ", "))")
            }
            return false
        }
        for (flag, isGiven) in [("url", !url.isEmpty), ("sha256", sha256 != nil), ("data", !data.isEmpty), ("xml", xml != nil)] where isGiven {
            throw .conflict(flag, reason: "--format synthetic generates the dataset and reads no file, but --\(flag) describes one. Leave out "
                + "--\(flag), or pass the file's --format")
        }
        for (flag, value) in [("synthetic-rows", syntheticRows), ("synthetic-features", syntheticFeatures), ("synthetic-labels", syntheticLabels)]
        where value == nil {
            throw .conflict(flag, reason: "--format synthetic needs --synthetic-rows, --synthetic-features and --synthetic-labels (n, d and "
                + "q); --\(flag) is missing")
        }
        try syntheticSpec?.validate()
        return true
    }

    /// Options that only one kind of format reads are refused with any other (or none).
    private func validateFormatOptions() throws(ParameterError) {
        let format = self.format ?? layout.map(DataFormat.init)
        let described = format.map { "; with --format \($0.rawValue) \($0.labelOrigin)" } ?? ""
        let delimited = format == .csv || format == .tsv
        for (flag, isGiven) in [("labels", !labels.isEmpty), ("label-prefix", labelPrefix != nil), ("delimiter", delimiter != nil)]
        where isGiven && !delimited {
            throw .conflict(flag, reason: "--\(flag) is read only with --format csv or tsv (a table whose header names the columns)"
                + "\(described). Leave out --\(flag), or pass --format csv or tsv")
        }
        if !arrays.isEmpty && format != .npz {
            throw .conflict("arrays", reason: "--arrays names the features and labels arrays of an .npz and is read only with --format npz"
                + "\(described). Leave out --arrays, or pass --format npz")
        }
        guard let format, format.arffLayout == nil else { return }
        if dropIdentifiers {
            throw .conflict("drop-identifiers", reason: "--drop-identifiers looks for identifier-like nominal ARFF attributes; --format "
                + "\(format.rawValue) has only numbers. Leave it out")
        }
        if impute != .error {
            throw .conflict("impute", reason: "--impute replaces ARFF's missing values '?'; --format \(format.rawValue) has no missing-value "
                + "marker (an empty or non-numeric cell is an error naming it). Fill the missing values before saving, and leave out --impute")
        }
        if !dropAttribute.isEmpty && !delimited {
            throw .conflict("drop-attribute", reason: "--drop-attribute names ARFF attributes or CSV/TSV columns; the columns of --format "
                + "\(format.rawValue) have no names. Leave the column out when you save the file, and leave out --drop-attribute")
        }
    }

    /// The source description of a format that is not ARFF: the files it reads and its options.
    private func validateOwnData(_ format: DataFormat) throws(ParameterError) {
        let chosen = "--format \(format.rawValue)"
        if xml != nil {
            throw .conflict("xml", reason: "--xml names Mulan's label XML, which \(chosen) does not read (\(format.labelOrigin)). Leave out --xml")
        }
        switch format {
        case .npy where data.count != 2:
            throw .conflict("data", reason: "\(chosen) needs --data FEATURES.npy,LABELS.npy: the features file, then the labels file, inside "
                + "the archive given with --url (tar or zip them together; or save one .npz and pass --format npz)")
        case .npz where data.count > 2:
            throw .conflict("data", reason: "\(chosen) reads one .npz (a features and a labels array) or a SciPy sparse .npz and a labels "
                + "file; --data names \(data.count) files. Pass one or two")
        case .npz where !arrays.isEmpty:
            if data.count == 2 {
                throw .conflict("arrays", reason: "--arrays names the arrays of one .npz, but --data names two files: the SciPy sparse "
                    + "features, then the labels. Leave out --arrays, or pass one .npz with --data")
            }
            if arrays.count != 2 || arrays.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) || arrays[0] == arrays[1] {
                throw .conflict("arrays", reason: "--arrays '\(arrays.joined(separator: ","))' must be two different array names: the "
                    + "features array, then the labels array (e.g. --arrays X,Y for numpy.savez(file, X=X, Y=Y))")
            }
        case .csv, .tsv:
            try validateColumnOptions(chosen)
        default:
            break
        }
        try refuseEmptyDataNames(what: "the file path(s) inside the archive given with --url")
    }

    /// `--labels` or `--label-prefix` (exactly one) and `--delimiter` of a csv or tsv file.
    private func validateColumnOptions(_ chosen: String) throws(ParameterError) {
        switch (labels.isEmpty, labelPrefix) {
        case (true, nil):
            throw .conflict("labels", reason: "\(chosen) needs the label columns: --labels a,b (their header names) or --label-prefix "
                + "PREFIX (every column whose name starts with it)")
        case (false, .some):
            throw .conflict("labels", reason: "--labels and --label-prefix both name the label columns; pass one of them")
        case (true, .some(let prefix)) where prefix.isEmpty:
            throw .conflict("label-prefix", reason: "--label-prefix '' matches every column; give the prefix the label columns' names share")
        default:
            break
        }
        if let empty = labels.firstIndex(where: { $0.isEmpty }) {
            throw .conflict("labels", reason: "--labels '\(labels.joined(separator: ","))' has an empty name (item \(empty + 1)); name each label column")
        }
        if let twice = labels.enumerated().first(where: { labels[..<$0.offset].contains($0.element) })?.element {
            throw .conflict("labels", reason: "--labels names the column '\(twice)' twice; name each label column once")
        }
        if let delimiter, delimiter.utf8.count != 1 || ["\"", "\n", "\r"].contains(delimiter) {
            throw .conflict("delimiter", reason: "--delimiter '\(delimiter)' must be one ASCII character other than a double quote or a line "
                + "end (e.g. ';'); a tab is --format tsv")
        }
    }

    private func refuseEmptyDataNames(what: String) throws(ParameterError) {
        if data.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw .conflict("data", reason: "--data '\(data.joined(separator: ","))' names an empty file; give \(what), comma-separated")
        }
    }
}

/// The fetch stage: a dataset's archive, verified and unpacked, and the normalised dataset.
public enum FetchContract: StageContract {
    public typealias Parameters = FetchParameters
    public static let name = "fetch"
    public static let summary = "Fetch, verify and unpack a dataset and write features.npy, labels.npy and meta.json."
    public static let discussion = """
        The archive is looked up in the mirror folders (--mirror, then MLBATCH_MIRROR, colon-separated), then in the \
        cache, then downloaded from the catalog's URLs (or --url). Its SHA-256 is verified before unpacking. A dataset \
        the catalog lacks is given with --url, --sha256 and --format: ARFF, NumPy (.npy, .npz, SciPy sparse), CSV/TSV \
        with a header, or the Extreme Classification Repository's sparse text (docs/your-data.md). On failure nothing \
        new is left in the output folder.
        """
    public static let inputs: [StageInput] = []
    public static let outputs = [
        StageOutput(DatasetFiles.source, "The unpacked archive members (or the file given with --url); none for --format synthetic.",
                    always: false),
        StageOutput(DatasetFiles.features, "float32 [n, d]: the features, dense."),
        StageOutput(DatasetFiles.compressedFeatures, "For sparse sources: the features as CSR (indptr, indices, data, shape).", always: false),
        StageOutput(DatasetFiles.labels, "uint8 [n, q]: the labels."),
        StageOutput(DatasetFiles.meta, "Names, source, statistics (DatasetMeta)."),
    ]
}

/// File names of a fetch folder.
public enum DatasetFiles {
    public static let source = "source"
    public static let features = "features.npy"
    public static let compressedFeatures = "features-csr.npz"
    public static let labels = "labels.npy"
    public static let meta = "meta.json"
}

/// `meta.json` of a normalised dataset.
public struct DatasetMeta: Codable, Equatable, Sendable {
    /// Where the data came from.
    public struct Source: Codable, Equatable, Sendable {
        /// The archive's catalog path (e.g. `mulan/corel5k.zip`), or the name of the file given with `--url`.
        public var archive: String
        public var sha256: String
        /// How the files are written (a ``DataFormat`` raw value, e.g. `arff-mulan`, `csv`); nil in
        /// `meta.json` files written before formats other than ARFF were read.
        public var format: String?
        /// The files (inside `source/`) that hold the dataset, in order (ARFF, CSV and XMLC rows
        /// are concatenated; for npy and a SciPy sparse npz the features, then the labels).
        public var files: [String]
        /// `xml:<file>` (Mulan), `meka:-C <q>` (MEKA), `columns:<a>,<b>` or `prefix:<p>` (CSV/TSV),
        /// `array:<name>` (npz), `file:<path>` (npy, SciPy sparse npz) or `rows` (XMLC).
        public var labelSource: String
        /// Whether the source rows were sparse (sparse ARFF, SciPy sparse features, XMLC): then
        /// `features-csr.npz` is written too; `features.npy` is dense either way.
        public var sparseRows: Bool
        /// The generator's parameters of a `--format synthetic` dataset; nil for one read from files.
        public var generator: SyntheticSpec?

        public init(archive: String, sha256: String, files: [String], labelSource: String, sparseRows: Bool, format: String? = nil,
                    generator: SyntheticSpec? = nil) {
            self.generator = generator
            self.archive = archive
            self.sha256 = sha256
            self.format = format
            self.files = files
            self.labelSource = labelSource
            self.sparseRows = sparseRows
        }
    }

    public var name: String
    /// `mulan` or `meka` for ARFF files; the format (e.g. `csv`, `xmlc`) for the others.
    public var layout: String
    public var source: Source
    public var featureNames: [String]
    public var labelNames: [String]
    /// For each ARFF attribute or CSV/TSV column, in header order: its role (feature, label,
    /// dropped), its encoding (numeric, binary, one-hot) and the columns of `features.npy` or
    /// `labels.npy` it became. Empty for npy, npz and XMLC files, whose columns have no names.
    public var attributes: [AttributeEncoding]
    public var statistics: DatasetStatistics
    /// How `?` values were handled (`error` or `zero`).
    public var missingValues: String
    /// Warnings given while loading (e.g. identifier-like attributes that were kept).
    public var warnings: [String]

    public init(name: String, layout: String, source: Source, featureNames: [String], labelNames: [String],
                attributes: [AttributeEncoding], statistics: DatasetStatistics, missingValues: String, warnings: [String]) {
        self.name = name
        self.layout = layout
        self.source = source
        self.featureNames = featureNames
        self.labelNames = labelNames
        self.attributes = attributes
        self.statistics = statistics
        self.missingValues = missingValues
        self.warnings = warnings
    }

    /// JSON with sorted keys (byte-identical for identical input).
    public func encoded() throws -> Data { try JSONFiles.encode(self) }

    /// Reads `meta.json` of a fetch folder.
    public static func read(from folder: URL) throws -> DatasetMeta {
        try JSONFiles.read(DatasetMeta.self, from: folder.appendingPathComponent(DatasetFiles.meta),
                           hint: "Run the fetch stage for this dataset first.")
    }
}

/// How one ARFF attribute became columns of the normalised dataset (recorded in `meta.json`).
public struct AttributeEncoding: Codable, Equatable, Sendable {
    public enum Role: String, Codable, Sendable {
        /// Columns of `features.npy`.
        case feature
        /// A column of `labels.npy`.
        case label
        /// Left out (`drop_attributes` / `drop_identifiers`): no column.
        case dropped
    }

    public enum Encoding: String, Codable, Sendable {
        /// The number as is.
        case numeric
        /// A nominal `{0,1}` attribute as the number 0 or 1.
        case binary
        /// A nominal attribute as one 0/1 column per declared value, named `attribute=value`.
        case oneHot = "one-hot"
    }

    /// The attribute's name in the ARFF header (the column's in a CSV/TSV header).
    public var name: String
    public var role: Role
    public var encoding: Encoding
    /// The columns it became: of `features.npy` for a feature, of `labels.npy` for a label; empty when dropped.
    public var columns: [Int]

    public init(name: String, role: Role, encoding: Encoding, columns: [Int]) {
        self.name = name
        self.role = role
        self.encoding = encoding
        self.columns = columns
    }
}

/// The usual multi-label dataset statistics (Tsoumakas et al.; Charte et al. for imbalance).
public struct DatasetStatistics: Codable, Equatable, Sendable {
    /// n: number of instances.
    public var instances: Int
    /// d: number of feature columns (after one-hot encoding).
    public var features: Int
    /// q: number of labels.
    public var labels: Int
    /// Mean number of positive labels per instance.
    public var cardinality: Double
    /// cardinality / q.
    public var density: Double
    /// Number of distinct label vectors.
    public var distinctLabelSets: Int
    /// IRLbl per label: (count of the most frequent label) / (count of this label).
    public var imbalanceRatio: [Double]
    /// MeanIR: the mean of `imbalanceRatio`.
    public var meanImbalanceRatio: Double

    public init(instances: Int, features: Int, labels: Int, cardinality: Double, density: Double, distinctLabelSets: Int,
                imbalanceRatio: [Double], meanImbalanceRatio: Double) {
        self.instances = instances
        self.features = features
        self.labels = labels
        self.cardinality = cardinality
        self.density = density
        self.distinctLabelSets = distinctLabelSets
        self.imbalanceRatio = imbalanceRatio
        self.meanImbalanceRatio = meanImbalanceRatio
    }
}
