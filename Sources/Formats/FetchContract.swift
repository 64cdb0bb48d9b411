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
    @Parameter(help: "The dataset catalog file.")
    public var catalog = "Datasets/catalog.yaml"
    @Parameter(help: "A local mirror folder, searched before MLBATCH_MIRROR (colon-separated folders), the cache and downloads.", repeated: true)
    public var mirror: [String] = []
    @Parameter(help: "Download cache folder.")
    public var cache = "Datasets/cache"
    @Parameter(help: "Archive URL or local path replacing the catalog's source (needs --sha256); relative paths in a pipeline file are resolved against its folder.",
               repeated: true)
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
    @Parameter(help: "Stop unpacking beyond this many bytes (zip-bomb guard).", range: .positive)
    public var maxUnpackedBytes: Int64 = 4 << 30

    public init() {}

    public func validate() throws(ParameterError) {
        if !url.isEmpty && sha256 == nil {
            throw .conflict("sha256", reason: "--url needs --sha256 (a download is always verified)")
        }
        if let sha256, sha256.count != 64 || !sha256.allSatisfy(\.isHexDigit) {
            throw .invalid("sha256", value: sha256, expected: "64 hexadecimal digits")
        }
        if layout != nil || !data.isEmpty || xml != nil {
            guard !url.isEmpty, let layout, !data.isEmpty else {
                throw .conflict("layout", reason: "--layout (mulan|meka) and --data describe an archive given with --url; pass all three")
            }
            if layout == .mulan && xml == nil { throw .conflict("xml", reason: "--layout mulan needs --xml naming the label XML member") }
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
        /// Whether the ARFF rows were sparse (`features.npy` is dense either way).
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
    public var statistics: DatasetStatistics
    /// How `?` values were handled (`error` or `zero`).
    public var missingValues: String

    public init(name: String, layout: String, source: Source, featureNames: [String], labelNames: [String],
                statistics: DatasetStatistics, missingValues: String) {
        self.name = name
        self.layout = layout
        self.source = source
        self.featureNames = featureNames
        self.labelNames = labelNames
        self.statistics = statistics
        self.missingValues = missingValues
    }

    /// JSON with sorted keys (byte-identical for identical input).
    public func encoded() throws -> Data { try JSONFiles.encode(self) }

    /// Reads `meta.json` of a fetch folder.
    public static func read(from folder: URL) throws -> DatasetMeta {
        try JSONFiles.read(DatasetMeta.self, from: folder.appendingPathComponent(DatasetFiles.meta),
                           hint: "Run the fetch stage for this dataset first.")
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
