import Datasets
import Formats
import Foundation
import NumpyIO
import Testing
import TestSupport

/// `--format xmlc` (issue 22, item 2): the Extreme Classification Repository's sparse text, its
/// header `n d q` checked against the rows.
@Suite struct XMLCDataTests {
    /// Five rows: labels with and without a blank after the comma, a row without labels (leading
    /// blank), one whose features come unsorted, one without features; a comment and a blank line.
    static let text = """
        5 4 3
        0,2 0:1.5 3:2
         1:0.5
        # a comment line
        1 2:-1 0:3

        2, 0 1:1e-3 3:0
        0

        """

    @Test func rowsBecomeCompressedFeaturesAndLabels() throws {
        let file = try OwnData.write(Self.text, name: "small_train.txt")
        let fetched = try OwnData.fetch(file, format: "xmlc")
        #expect(try fetched.array("features.npy").values(as: Float.self) == [1.5, 0, 0, 2,
                                                                               0, 0.5, 0, 0,
                                                                               3, 0, -1, 0,
                                                                               0, 1e-3, 0, 0,
                                                                               0, 0, 0, 0])
        #expect(try fetched.array("labels.npy").values(as: UInt8.self) == [1, 0, 1,
                                                                             0, 0, 0,
                                                                             0, 1, 0,
                                                                             1, 0, 1,
                                                                             1, 0, 0])
        let csr = try NpzFile.read(fetched.output.appendingPathComponent(DatasetFiles.compressedFeatures))
        #expect(try csr["indptr"]?.values(as: Int64.self) == [0, 2, 3, 5, 6, 6])
        #expect(try csr["indices"]?.values(as: Int32.self) == [0, 3, 1, 0, 2, 1])
        #expect(try csr["shape"]?.values(as: Int64.self) == [5, 4])
        #expect(fetched.meta.featureNames == ["f0", "f1", "f2", "f3"] && fetched.meta.labelNames == ["l0", "l1", "l2"])
        #expect(fetched.meta.source.sparseRows && fetched.meta.source.labelSource == "rows" && fetched.meta.source.format == "xmlc")
        #expect(fetched.meta.statistics.instances == 5 && fetched.meta.statistics.cardinality == 6.0 / 5)
        // Deterministic: a second fetch writes the same bytes.
        let again = try OwnData.fetch(file, format: "xmlc")
        for name in [DatasetFiles.features, DatasetFiles.compressedFeatures, DatasetFiles.labels, DatasetFiles.meta] {
            #expect(try again.bytes(name) == fetched.bytes(name), "\(name)")
        }
    }

    /// A train and a test file (each with its header) read together, as the repository ships them.
    @Test func trainAndTestFilesAreConcatenated() throws {
        let train = try OwnData.write("2 3 2\n0 0:1\n1 2:2\n", name: "train.txt"), test = try OwnData.write("1 3 2\n0,1 1:4\n", name: "test.txt")
        let archive = try OwnData.tar([train, test], name: "parts.tar")
        let fetched = try OwnData.fetch(archive, format: "xmlc", ["data": ["train.txt,test.txt"]])
        #expect(try fetched.array("features.npy").values(as: Float.self) == [1, 0, 0, 0, 0, 2, 0, 4, 0])
        #expect(try fetched.array("labels.npy").values(as: UInt8.self) == [1, 0, 0, 1, 1, 1])
        let other = try OwnData.write("1 5 2\n0 1:4\n", name: "test.txt")
        let mismatched = try OwnData.tar([train, other], name: "mismatched.tar")
        #expect(OwnData.refusal(mismatched, format: "xmlc", ["data": ["train.txt,test.txt"]]) == "mismatched.tar/test.txt:1: the header says 5 "
                + "features and 2 labels, but mismatched.tar/train.txt has 3 and 2; files read together must describe the same features and labels")
    }

    /// The header is checked against the rows; every message names the line.
    @Test(arguments: [
        ("3 4 3\n0 0:1\n1 1:1\n", "x.txt:1: the header announces 3 rows, but the file holds 2; fix the header's first number, or restore the "
            + "missing rows"),
        ("1 4 3\n0 0:1\n1 1:1\n", "x.txt:3: the header (line 1) announces 1 rows, and this is one more; fix the header's first number, or "
            + "remove the extra rows"),
        ("2 4 3\n0 0:1\n1 4:1\n", "x.txt:3: feature index 4 is not below the 4 features the header (line 1) announces; indices count from 0 "
            + "(a file counting from 1 has index 4): fix the header's second number or the index"),
        ("2 4 3\n0,3 0:1\n1 1:1\n", "x.txt:2: label index 3 is not below the 3 labels the header (line 1) announces; indices count from 0 "
            + "(a file counting from 1 has index 3): fix the header's third number or the index"),
        ("2 4\n0 0:1\n1 1:1\n", "x.txt:1: the header is '2 4'; expected three non-negative integers 'n d q': instances, features, labels. A "
            + "header of two numbers ('n d') begins a file of features alone"),
        ("0,1 0:1\n1 1:1\n", "x.txt:1: the header is '0,1 0:1'; expected three non-negative integers 'n d q': instances, features, labels. "
            + "The file begins with a row: add the header line 'n d q'"),
        ("1 0 3\n0\n", "x.txt:1: the header says 0 features and 3 labels; a dataset needs at least one of each"),
        // A mistaken header is refused before anything of its size is allocated.
        ("1000000000 4 2000000000\n0 0:1\n", "x.txt:1: declares 1000000000 rows × 2000000000 labels: labels.npy (one byte each, built in "
            + "memory) would take 2000000000.0 GB, more than half of this machine's"),
        ("1 3000000000 2\n0 0:1\n", "x.txt:1: declares 3000000000 features, more than the 2147483647 the dataset's files can index; check "
            + "the header"),
        ("1 4 3\n0 1:0 1:2\n", "x.txt:2: feature index 1 is given twice; give each feature of a row once"),
        ("1 4 3\n0 1:1 1:2\n", "x.txt:2: feature index 1 is given twice; give each feature of a row once"),
        ("1 4 3\n0,0 1:1\n", "x.txt:2: label 0 is listed twice; list each label once"),
        ("1 4 3\n0 1:nan\n", "x.txt:2: the value of feature 1 holds 'nan', which is not finite; every feature value must be a finite number"),
        ("1 4 3\n0 1:3e38 2:4e38\n", "x.txt:2: the value of feature 2 holds '4e38', which is outside float32's range (±3.4e38)"),
        ("1 4 3\n0 1=2\n", "x.txt:2: '1=2' is not a feature 'index:value' with a 0-based integer index"),
        ("1 4 3\na,b 1:2\n", "x.txt:2: the label list 'a,b' is not comma-separated label indices (0-based integers); a row without labels "
            + "begins with a blank"),
        ("0 4 3\n", "x.txt: holds no instances (0 rows); a dataset needs at least one"),
        ("\n \n", "x.txt: the file is empty; expected a header line 'n d q'"),
        ("2 4 3\n0 0:1\n0 1:1\n", "x.txt: label 'l1' never occurs (no instance has it)"),
    ])
    func headerAndRowsAreChecked(text: String, expected: String) throws {
        let message = OwnData.refusal(try OwnData.write(text, name: "x.txt"), format: "xmlc")
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "accepted")")
    }
}
