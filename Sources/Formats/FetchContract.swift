import Foundation
import StageKit

/// How a dataset's ARFF file marks its label attributes.
public enum DatasetLayout: String, Codable, Sendable, ChoiceParameter {
    /// Mulan: an XML file names the label attributes (anywhere in the attribute list).
    case mulan
    /// MEKA: the relation name carries `-C q` (first q attributes) or `-C -q` (last q).
    case meka
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
    @Parameter(help: "Archive URL or local path replacing the catalog's source (needs --sha256).", repeated: true, path: true)
    public var url: [String] = []
    @Parameter(help: "Expected SHA-256 of the archive (64 hex digits), replacing the catalog's.")
    public var sha256: String? = nil
    @Parameter(help: "For a dataset the catalog does not name: how its labels are marked.")
    public var layout: DatasetLayout? = nil
    @Parameter(help: "For a dataset the catalog does not name: the ARFF members whose rows form the dataset.")
    public var data: [String] = []
    @Parameter(help: "For a dataset the catalog does not name, with layout mulan: the label XML member.")
    public var xml: String? = nil
    @Parameter(help: "Missing '?' feature values: error or zero. Missing labels are always an error.")
    public var impute = ImputePolicy.error
    @Parameter(help: "Leave this ARFF attribute out of the features (a label cannot be dropped; an unknown name is an error listing the attributes).",
               repeated: true)
    public var dropAttribute: [String] = []
    @Parameter(help: "Leave out every identifier-like nominal attribute (a distinct value in at least 90 % of at least 10 rows) instead of only warning about it.")
    public var dropIdentifiers = false
    @Parameter(help: "Stop unpacking beyond this many bytes (archive-bomb guard).", range: .atLeast(1))
    public var maxUnpackedBytes: Int64 = 4 << 30
    @Parameter(help: "Stop unpacking an archive with more entries (archive-bomb guard).", range: .atLeast(1))
    public var maxUnpackedEntries = 10_000

    public init() {}

    /// Checks the source description (`url`, `sha256`, `layout`, `data`, `xml`); each message
    /// describes the situation the user is in and what to pass.
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
        let given = [("--layout", layout != nil), ("--data", !data.isEmpty), ("--xml", xml != nil)].filter(\.1).map(\.0)
        guard let first = given.first else { return }
        let name = String(first.dropFirst(2))
        if url.isEmpty {
            throw .conflict(name, reason: "\(given.joined(separator: ", ")) describe\(given.count == 1 ? "s" : "") an archive given with --url, "
                + "and no --url was passed; add --url (and --sha256) for a dataset the catalog lacks, or leave \(given.count == 1 ? "it" : "them") "
                + "out to fetch the catalog's '\(dataset)'")
        }
        guard let layout else {
            throw .conflict("layout", reason: "an archive given with --url and \(given.joined(separator: ", ")) also needs --layout: mulan "
                + "(labels named by --xml) or meka (labels from -C in the relation name)")
        }
        if data.isEmpty {
            throw .conflict("data", reason: "an archive given with --url and --layout also needs --data: the ARFF member(s) inside it whose "
                + "rows form the dataset, comma-separated")
        }
        if data.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw .conflict("data", reason: "--data '\(data.joined(separator: ","))' names an empty file; give the ARFF member path(s) inside "
                + "the archive, comma-separated")
        }
        switch layout {
        case .mulan where xml == nil:
            throw .conflict("xml", reason: "--layout mulan also needs --xml: the member of the archive whose <label name=\"…\"> elements "
                + "name the labels")
        case .meka where xml != nil:
            throw .conflict("xml", reason: "--xml is only read with --layout mulan; MEKA files name their labels with -C in the relation. "
                + "Leave out --xml, or pass --layout mulan")
        default:
            break
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
        cache, then downloaded from the catalog's URLs (or --url). Its SHA-256 is verified before unpacking. On failure \
        nothing new is left in the output folder.
        """
    public static let inputs: [StageInput] = []
    public static let outputs = [
        StageOutput(DatasetFiles.source, "The unpacked archive members."),
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
        /// The archive's catalog path (e.g. `mulan/corel5k.zip`).
        public var archive: String
        public var sha256: String
        /// The ARFF files (inside `source/`) whose rows form the dataset, in order.
        public var files: [String]
        /// `xml:<file>` (Mulan) or `meka:-C <q>` (MEKA).
        public var labelSource: String
        /// Whether the ARFF rows were sparse (then `features-csr.npz` is written too;
        /// `features.npy` is dense either way).
        public var sparseRows: Bool

        public init(archive: String, sha256: String, files: [String], labelSource: String, sparseRows: Bool) {
            self.archive = archive
            self.sha256 = sha256
            self.files = files
            self.labelSource = labelSource
            self.sparseRows = sparseRows
        }
    }

    public var name: String
    public var layout: String
    public var source: Source
    public var featureNames: [String]
    public var labelNames: [String]
    /// For each ARFF attribute, in header order: its role (feature, label, dropped), its encoding
    /// (numeric, binary, one-hot) and the columns of `features.npy` or `labels.npy` it became.
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

    /// The attribute's name in the ARFF header.
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
