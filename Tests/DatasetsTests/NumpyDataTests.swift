import Artifacts
import Datasets
import Formats
import Foundation
import NumpyIO
import Testing
import TestSupport

/// `--format npy` and `--format npz` (issue 22, item 2): real NumPy and SciPy files, fetched
/// through the whole stage. The arrays of a catalog dataset written out and fetched back give
/// byte for byte the same `features.npy` and `labels.npy` (and `features-csr.npz`).
@Suite struct NumpyDataTests {
    /// emotions fetched from its ARFF archive, and the files `script` writes from its arrays
    /// (python3 SCRIPT features.npy labels.npy OUTPUT…; `outputs` are file names in a new folder).
    private func emotionsRewritten(by script: String, into outputs: [String]) throws -> (arff: Fixtures.Fetched, files: [URL]) {
        let arff = try Fixtures.fetch("emotions")
        let folder = TestSupport.temporaryFolder("emotions-rewritten")
        let files = outputs.map { folder.appendingPathComponent($0) }
        try Fixtures.python(script, [arff.output.appendingPathComponent("features.npy").path, arff.output.appendingPathComponent("labels.npy").path]
                            + files.map(\.path))
        return (arff, files)
    }

    /// `names` are byte for byte the same in both fetch folders, and the statistics agree.
    private func expectSameFiles(_ names: [String], _ own: OwnData.Fetched, _ arff: Fixtures.Fetched) throws {
        for name in names {
            #expect(try own.bytes(name) == Data(contentsOf: arff.output.appendingPathComponent(name)), "\(name)")
        }
        #expect(own.meta.statistics == arff.meta.statistics)
    }

    /// emotions from the mirror (ARFF), its arrays written as two `.npy` files in a tar archive.
    @Test func npyFilesRoundTripEmotions() throws {
        let arff = try Fixtures.fetch("emotions")
        let folder = TestSupport.temporaryFolder("emotions-npy")
        for name in ["features.npy", "labels.npy"] {
            try FileManager.default.copyItem(at: arff.output.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let archive = try OwnData.tar([folder.appendingPathComponent("features.npy"), folder.appendingPathComponent("labels.npy")],
                                      name: "emotions-npy.tar")
        let own = try OwnData.fetch(archive, format: "npy", ["data": ["features.npy,labels.npy"]])
        try expectSameFiles(["features.npy", "labels.npy"], own, arff)
        #expect(own.meta.featureNames == (0..<72).map { "f\($0)" } && own.meta.labelNames == (0..<6).map { "l\($0)" })
        #expect(own.meta.layout == "npy" && own.meta.attributes.isEmpty && own.meta.name == "mine")
        #expect(own.meta.source == DatasetMeta.Source(archive: "emotions-npy.tar", sha256: try SHA256.hex(ofFile: archive),
                                                      files: ["features.npy", "labels.npy"], labelSource: "file:labels.npy",
                                                      sparseRows: false, format: "npy"))
        #expect(!FileManager.default.fileExists(atPath: own.output.appendingPathComponent(DatasetFiles.compressedFeatures).path))
        #expect(arff.meta.source.format == "arff-mulan")
    }

    /// The same arrays in one `.npz` written by NumPy (float64 features, int64 labels, as a
    /// researcher's arrays often are), under the default names and under names given by --arrays.
    @Test(.enabled(if: TestSupport.pythonCanImport("numpy"), "needs NumPy (pip install numpy)"))
    func npzOfNumpyRoundTripsEmotions() throws {
        let (arff, files) = try emotionsRewritten(by: """
            import numpy as np, sys
            x = np.load(sys.argv[1]).astype(np.float64); y = np.load(sys.argv[2]).astype(np.int64)
            np.savez(sys.argv[3], features=x, labels=y)
            np.savez_compressed(sys.argv[4], X=x, Y=y, ids=np.arange(len(x)))
            """, into: ["emotions.npz", "xy.npz"])
        let (named, other) = (files[0], files[1])
        for (file, extra) in [(named, [String: [String]]()), (other, ["arrays": ["X,Y"]])] {
            let own = try OwnData.fetch(file, format: "npz", extra)
            try expectSameFiles(["features.npy", "labels.npy"], own, arff)
            #expect(own.meta.source.labelSource == (extra.isEmpty ? "array:labels" : "array:Y") && own.meta.source.files == [file.lastPathComponent])
        }
        // Without --arrays the names must be features and labels: X and Y are refused, with the names found.
        #expect(OwnData.refusal(other, format: "npz") == "xy.npz: holds no array named 'features'; its arrays are 'X', 'Y', 'ids'. "
                + "Pass --arrays FEATURES,LABELS naming the features array and the labels array")
    }

    /// Features as a SciPy CSR matrix (`scipy.sparse.save_npz`) and labels as another: the dense
    /// arrays equal the ARFF ones byte for byte, and `features-csr.npz` holds SciPy's matrix.
    @Test(.enabled(if: TestSupport.pythonCanImport("scipy"), "needs SciPy (pip install scipy)"))
    func scipySparseFeaturesRoundTripEmotions() throws {
        let (arff, files) = try emotionsRewritten(by: """
            import numpy as np, scipy.sparse as sp, sys
            sp.save_npz(sys.argv[3], sp.csr_matrix(np.load(sys.argv[1])))
            sp.save_npz(sys.argv[4], sp.csr_matrix(np.load(sys.argv[2])), compressed=False)
            """, into: ["x.npz", "y.npz"])
        let own = try OwnData.fetch(try OwnData.tar(files, name: "emotions-csr.tar"), format: "npz", ["data": ["x.npz,y.npz"]])
        try expectSameFiles(["features.npy", "labels.npy"], own, arff)
        #expect(own.meta.source.sparseRows && own.meta.source.labelSource == "file:y.npz" && own.meta.source.files == ["x.npz", "y.npz"])
        let csr = try NpzFile.read(own.output.appendingPathComponent(DatasetFiles.compressedFeatures))
        #expect(try csr["data"]?.values(as: Float.self) == arff.features.filter { $0 != 0 })
        #expect(try csr["shape"]?.values(as: Int64.self) == [593, 72])
    }

    /// A sparse catalog dataset (enron): its own `features-csr.npz` (the fetch stage's layout,
    /// without SciPy's `format` member) and `labels.npy` fetched back give all three files byte
    /// for byte.
    @Test func fetchedCompressedRowsRoundTripEnron() throws {
        let arff = try Fixtures.fetch("enron")
        let archive = try OwnData.tar([arff.output.appendingPathComponent(DatasetFiles.compressedFeatures),
                                       arff.output.appendingPathComponent(DatasetFiles.labels)], name: "enron.tar")
        let own = try OwnData.fetch(archive, format: "npz", ["data": ["features-csr.npz,labels.npy"]])
        try expectSameFiles([DatasetFiles.features, DatasetFiles.compressedFeatures, DatasetFiles.labels], own, arff)
        #expect(own.meta.source.sparseRows)
    }

    /// SciPy layouts other than CSR are refused with the conversion that fixes them; unsorted
    /// indices are sorted, duplicate ones refused.
    @Test(.enabled(if: TestSupport.pythonCanImport("scipy"), "needs SciPy (pip install scipy)"))
    func scipyLayoutsOtherThanCanonicalCSR() throws {
        let folder = TestSupport.temporaryFolder("scipy-layouts")
        try Fixtures.python("""
            import numpy as np, scipy.sparse as sp, sys, os
            d = sys.argv[1]; x = np.array([[0, 2.5, 1], [3, 0, 0], [0, 0, 4]], dtype=np.float32)
            sp.save_npz(os.path.join(d, 'csc.npz'), sp.csc_matrix(x)); sp.save_npz(os.path.join(d, 'coo.npz'), sp.coo_matrix(x))
            unsorted = sp.csr_matrix((np.array([1, 2.5, 3, 4], dtype=np.float32), np.array([2, 1, 0, 2]), np.array([0, 2, 3, 4])), shape=(3, 3))
            sp.save_npz(os.path.join(d, 'unsorted.npz'), unsorted)
            twice = sp.csr_matrix((np.array([1, 2, 3, 4], dtype=np.float32), np.array([2, 2, 0, 2]), np.array([0, 2, 3, 4])), shape=(3, 3))
            sp.save_npz(os.path.join(d, 'twice.npz'), twice)
            zeros = sp.csr_matrix(x); zeros.data[0] = 0   # an explicit zero, left out on reading
            sp.save_npz(os.path.join(d, 'zeros.npz'), zeros)
            np.save(os.path.join(d, 'labels.npy'), np.array([[1, 0], [0, 1], [1, 1]], dtype=np.uint8))
            """, [folder.path])
        func fetch(_ features: String) throws -> OwnData.Fetched {
            let archive = try OwnData.tar([folder.appendingPathComponent(features), folder.appendingPathComponent("labels.npy")], name: "\(features).tar")
            return try OwnData.fetch(archive, format: "npz", ["data": ["\(features),labels.npy"]])
        }
        #expect(throws: DatasetError.content(file: "csc.npz.tar/csc.npz", line: 0, reason: "holds a SciPy sparse matrix in the 'csc' layout; save the "
                                             + "features as CSR: scipy.sparse.save_npz(file, matrix.tocsr())")) { try fetch("csc.npz") }
        #expect(throws: DatasetError.content(file: "coo.npz.tar/coo.npz", line: 0, reason: "holds a SciPy sparse matrix in the 'coo' layout; save the "
                                             + "features as CSR: scipy.sparse.save_npz(file, matrix.tocsr())")) { try fetch("coo.npz") }
        let sorted = try fetch("unsorted.npz")
        #expect(try sorted.array("features.npy").values(as: Float.self) == [0, 2.5, 1, 3, 0, 0, 0, 0, 4])
        let csr = try NpzFile.read(sorted.output.appendingPathComponent(DatasetFiles.compressedFeatures))
        #expect(try csr["indices"]?.values(as: Int32.self) == [1, 2, 0, 2])
        let zeros = try NpzFile.read(try fetch("zeros.npz").output.appendingPathComponent(DatasetFiles.compressedFeatures))
        #expect(try zeros["indices"]?.values(as: Int32.self) == [2, 0, 2] && zeros["indptr"]?.values(as: Int64.self) == [0, 1, 2, 3])
        #expect(throws: DatasetError.content(file: "twice.npz.tar/twice.npz", line: 0, reason: "row 0 (counting from 0) has column 2 twice, which "
                                             + "SciPy would add up; call matrix.sum_duplicates() before saving")) { try fetch("twice.npz") }
    }

    // MARK: Refusals, on files written here

    private let features = NpyArray([Float](repeating: 1, count: 8), shape: [4, 2])
    private let labels = NpyArray([UInt8]([1, 0, 0, 1, 1, 1, 0, 0]), shape: [4, 2])

    /// Two `.npy` files in a zip, fetched with `--format npy`.
    private func npyRefusal(_ features: NpyArray, _ labels: NpyArray) throws -> String? {
        OwnData.refusal(try OwnData.zip([("features", features), ("labels", labels)], name: "pair.zip"), format: "npy",
                        ["data": ["features.npy,labels.npy"]])
    }

    @Test func valuesAndShapesAreChecked() throws {
        #expect(try npyRefusal(features, labels) == nil)
        var withNaN = [Float](repeating: 1, count: 8)
        withNaN[5] = .nan
        #expect(try npyRefusal(NpyArray(withNaN, shape: [4, 2]), labels) == "pair.zip/features.npy: the feature in row 2, column 1 (counting "
                + "from 0) is nan, which is not finite; every feature must be a finite float32 number: replace or rescale it before saving")
        var huge = [Double](repeating: 1, count: 8)
        huge[2] = -1e39
        #expect(try npyRefusal(NpyArray(huge, shape: [4, 2]), labels) == "pair.zip/features.npy: the feature in row 1, column 0 (counting "
                + "from 0) is -1e+39, outside float32's range (±3.4e38); every feature must be a finite float32 number: replace or rescale it "
                + "before saving")
        #expect(try npyRefusal(features, NpyArray([Int64]([1, 0, 0, 1, 1, 2, 0, 0]), shape: [4, 2])) == "pair.zip/labels.npy: the label in "
                + "row 2, column 1 (counting from 0) is 2; a label must be 0 or 1")
        #expect(try npyRefusal(features, NpyArray([Float]([1, 0, 0, 1, 1, 0.5, 0, 0]), shape: [4, 2]))?.contains("is 0.5; a label must be 0 or 1")
                == true)
        #expect(try npyRefusal(features, NpyArray([UInt8]([1, 0, 0, 1, 1, 1]), shape: [3, 2])) == "pair.zip/labels.npy: the labels have 3 "
                + "rows but the features (pair.zip/features.npy) have 4; row i of both must be instance i")
        #expect(try npyRefusal(features, NpyArray([Int32]([0, 1, 1, 0]), shape: [4])) == "pair.zip/labels.npy: the labels have shape [4]; "
                + "expected a 2-D matrix [instances, labels]: a vector of class indices is single-label data; one-hot encode it "
                + "(numpy.eye(q, dtype=numpy.uint8)[y])")
        #expect(try npyRefusal(NpyArray([Float](repeating: 1, count: 4), shape: [4]), labels)?.contains("reshape a single feature with "
                + "x.reshape(-1, 1)") == true)
        #expect(try npyRefusal(features, NpyArray([UInt8](), shape: [4, 0])) == "pair.zip: has no label (0 columns); a multi-label dataset "
                + "needs at least one")
        #expect(try npyRefusal(NpyArray([Float](), shape: [0, 2]), NpyArray([UInt8](), shape: [0, 2])) == "pair.zip: holds no instances "
                + "(0 rows); a dataset needs at least one")
        // A label no instance has is refused by the statistics, as for ARFF files.
        #expect(try npyRefusal(features, NpyArray([UInt8]([1, 0, 0, 0, 1, 0, 0, 0]), shape: [4, 2]))?.contains("label 'l1' never occurs")
                == true)
    }

    /// What each kind of NumPy file can be confused with is refused, naming the way out.
    @Test func ambiguousNumpyFilesAreRefused() throws {
        let folder = TestSupport.temporaryFolder("numpy-ambiguous")
        // One .npz whose two arrays are not called features and labels: which is which is not guessed.
        let xy = folder.appendingPathComponent("xy.npz")
        try NpzFile.write([("a", features), ("b", labels)], to: xy)
        #expect(OwnData.refusal(xy, format: "npz") == "xy.npz: holds no array named 'features'; its arrays are 'a', 'b'. Pass --arrays "
                + "FEATURES,LABELS naming the features array and the labels array")
        let named = try OwnData.fetch(xy, format: "npz", ["arrays": ["a,b"]])
        #expect(named.meta.statistics.instances == 4 && named.meta.source.labelSource == "array:b")
        #expect(OwnData.refusal(xy, format: "npz", ["arrays": ["a,missing"]])?.contains("holds no array named 'missing'") == true)
        // A sparse matrix alone has no labels.
        let sparse = folder.appendingPathComponent("sparse.npz")
        try NpzFile.write([("indptr", NpyArray([Int64]([0, 1]), shape: [2])), ("indices", NpyArray([Int32]([0]), shape: [1])),
                           ("data", NpyArray([Float]([1]), shape: [1])), ("shape", NpyArray([Int64]([1, 1]), shape: [2]))], to: sparse)
        #expect(OwnData.refusal(sparse, format: "npz") == "sparse.npz: holds a SciPy sparse matrix, which has no labels; pass the labels file "
                + "as a second --data file (after this one)")
        // Two .npy files read as an .npz pair: the first must be the sparse matrix.
        let pair = try OwnData.zip([("features", features), ("labels", labels)], name: "two.zip")
        #expect(OwnData.refusal(pair, format: "npz", ["data": ["features.npy,labels.npy"]])?.contains("cannot read the features as an .npz") == true)
        // An .npz given where --format npy expects a .npy file.
        let npzInside = try OwnData.tar([xy, sparse], name: "mixed.tar")
        #expect(OwnData.refusal(npzInside, format: "npy", ["data": ["xy.npz,sparse.npz"]])?.hasPrefix("mixed.tar/xy.npz: the features file "
                + "is not a .npy file: it begins with") == true)
        // A labels .npz of several plain arrays.
        let archive = try OwnData.tar([sparse, xy], name: "sparse-xy.tar")
        #expect(OwnData.refusal(archive, format: "npz", ["data": ["sparse.npz,xy.npz"]]) == "sparse-xy.tar/xy.npz: holds 2 arrays (a, b); "
                + "a labels .npz must hold one array or a SciPy sparse matrix")
    }
}
