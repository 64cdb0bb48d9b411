import Datasets
import Formats
import Foundation
import StageKit
import Testing
import TestSupport

/// `--format` and its options are checked together before anything is fetched: each message
/// says what to pass (issue 22, item 2).
@Suite struct FormatParameterTests {
    private static let sha = String(repeating: "b", count: 64)
    private static let source = ["dataset": ["mine"], "url": ["my.csv"], "sha256": [sha]]

    private func message(_ given: [String: [String]]) -> String? { Fixtures.parameterMessage(given) }

    @Test(arguments: [
        (["format": ["csv"], "labels": ["a"]], "--format describes an archive given with --url, and no --url was passed"),
        (source.merging(["format": ["arff-meka"], "layout": ["meka"], "data": ["x.arff"]]) { a, _ in a },
         "--format arff-meka and --layout meka both say how the files are written; pass one of them"),
        (source.merging(["format": ["csv"]]) { a, _ in a },
         "--format csv needs the label columns: --labels a,b (their header names) or --label-prefix PREFIX"),
        (source.merging(["format": ["tsv"], "labels": ["a"], "label-prefix": ["y_"]]) { a, _ in a },
         "--labels and --label-prefix both name the label columns; pass one of them"),
        (source.merging(["format": ["csv"], "label-prefix": [""]]) { a, _ in a }, "--label-prefix '' matches every column"),
        (source.merging(["format": ["csv"], "labels": ["a,b,a"]]) { a, _ in a }, "--labels names the column 'a' twice"),
        (source.merging(["format": ["csv"], "labels": ["a,,b"]]) { a, _ in a }, "has an empty name (item 2)"),
        (source.merging(["format": ["csv"], "labels": ["a"], "delimiter": [";;"]]) { a, _ in a },
         "--delimiter ';;' must be one ASCII character other than a double quote or a line end"),
        (source.merging(["format": ["csv"], "labels": ["a"], "delimiter": ["\""]]) { a, _ in a }, "must be one ASCII character"),
        (source.merging(["format": ["npz"], "labels": ["a"]]) { a, _ in a },
         "--labels is read only with --format csv or tsv (a table whose header names the columns); with --format npz the labels are the "
            + "array --arrays names (or the second --data file). Leave out --labels, or pass --format csv or tsv"),
        (source.merging(["format": ["xmlc"], "delimiter": [";"]]) { a, _ in a }, "with --format xmlc the labels are the lists that begin each row"),
        (source.merging(["layout": ["mulan"], "data": ["x.arff"], "xml": ["x.xml"], "label-prefix": ["y"]]) { a, _ in a },
         "with --format arff-mulan the labels are the attributes the --xml file names"),
        (["label-prefix": ["y"]], "--label-prefix is read only with --format csv or tsv (a table whose header names the columns). Leave out"),
        (source.merging(["format": ["csv"], "labels": ["a"], "arrays": ["x,y"]]) { a, _ in a }, "--arrays names the features and labels arrays"),
        (source.merging(["format": ["npz"], "arrays": ["x"]]) { a, _ in a }, "--arrays 'x' must be two different array names"),
        (source.merging(["format": ["npz"], "arrays": ["x,x"]]) { a, _ in a }, "--arrays 'x,x' must be two different array names"),
        (source.merging(["format": ["npz"], "arrays": ["x,y"], "data": ["f.npz,l.npy"]]) { a, _ in a },
         "--arrays names the arrays of one .npz, but --data names two files"),
        (source.merging(["format": ["npz"], "data": ["a.npz,b.npy,c.npy"]]) { a, _ in a }, "--data names 3 files. Pass one or two"),
        (source.merging(["format": ["npy"], "data": ["x.npy"]]) { a, _ in a }, "--format npy needs --data FEATURES.npy,LABELS.npy"),
        (source.merging(["format": ["npy"]]) { a, _ in a }, "--format npy needs --data FEATURES.npy,LABELS.npy"),
        (source.merging(["format": ["xmlc"], "xml": ["x.xml"]]) { a, _ in a }, "--xml names Mulan's label XML, which --format xmlc does not read"),
        (source.merging(["format": ["xmlc"], "impute": ["zero"]]) { a, _ in a }, "--impute replaces ARFF's missing values '?'"),
        (source.merging(["format": ["npy"], "data": ["a.npy,b.npy"], "drop-identifiers": ["true"]]) { a, _ in a }, "--drop-identifiers looks for"),
        (source.merging(["format": ["xmlc"], "drop-attribute": ["f3"]]) { a, _ in a }, "the columns of --format xmlc have no names"),
        (source.merging(["format": ["xmlc"], "data": ["a.txt, "]]) { a, _ in a }, "names an empty file"),
        (source.merging(["format": ["arff-mulan"], "data": ["x.arff"]]) { a, _ in a }, "--format arff-mulan also needs --xml"),
        (source.merging(["format": ["arff-meka"], "data": ["x.arff"], "xml": ["x.xml"]]) { a, _ in a },
         "--xml is only read with --format arff-mulan; MEKA files name their labels with -C in the relation. Leave out --xml, or pass "
            + "--format arff-mulan"),
        (source.merging(["format": ["arff-meka"]]) { a, _ in a }, "an archive given with --url and --format arff-meka also needs --data"),
    ])
    func situations(given: [String: [String]], expected: String) {
        let text = message(given)
        #expect(text?.contains(expected) == true, "\(text ?? "accepted")")
    }

    @Test(arguments: [
        ["format": ["csv"], "labels": ["a,b"]],
        ["format": ["tsv"], "label-prefix": ["y_"], "drop-attribute": ["id"], "data": ["train.tsv,test.tsv"]],
        ["format": ["csv"], "labels": ["a"], "delimiter": [";"]],
        ["format": ["npy"], "data": ["x.npy,y.npy"]],
        ["format": ["npz"]],
        ["format": ["npz"], "arrays": ["X,Y"]],
        ["format": ["npz"], "data": ["x.npz,y.npy"]],
        ["format": ["xmlc"]],
        ["format": ["xmlc"], "data": ["train.txt,test.txt"]],
        ["format": ["arff-meka"], "data": ["x.arff"]],
        ["format": ["arff-mulan"], "data": ["x.arff"], "xml": ["x.xml"]],
    ])
    func accepted(given: [String: [String]]) {
        #expect(message(Self.source.merging(given) { a, _ in a }) == nil)
    }

    /// `--format arff-meka` is `--layout meka`: the same ad-hoc entry.
    @Test func arffFormatsAreTheLayouts() throws {
        let base = ["dataset": ["y"], "catalog": ["/nonexistent.yaml"], "url": ["/d/Yeast.arff.bz2"], "sha256": [Self.sha], "data": ["Yeast.arff"]]
        let byFormat = try FetchParameters.resolve(base.merging(["format": ["arff-meka"]]) { a, _ in a })
        let byLayout = try FetchParameters.resolve(base.merging(["layout": ["meka"]]) { a, _ in a })
        let entry = FetchStage.Options(parameters: byFormat, output: URL(fileURLWithPath: "/tmp/x")).adHocEntry
        #expect(entry != nil && entry == FetchStage.Options(parameters: byLayout, output: URL(fileURLWithPath: "/tmp/x")).adHocEntry)
        #expect(DataFormat.allCases.compactMap(\.arffLayout) == [.mulan, .meka])
        #expect(DatasetLayout.allCases.map { DataFormat($0).arffLayout } == [.mulan, .meka])
    }

    /// Own data under a name the catalog has is refused, like an ad-hoc ARFF description.
    @Test func ownDataCannotTakeACatalogName() throws {
        let file = try OwnData.write("f,l\n1,1\n", name: "d.csv")
        var options = Fixtures.options("yeast")
        options.parameters.format = .csv
        options.parameters.labels = ["l"]
        options.parameters.url = [file.path]
        options.parameters.sha256 = String(repeating: "0", count: 64)
        #expect {
            try FetchStage.run(options)
        } throws: { error in
            "\(error)".contains("'yeast' is a dataset of this catalog, but --format (or --layout), --data and --xml describe a dataset the catalog lacks")
        }
        // Options built in code are checked too (here: no label columns).
        options.parameters.dataset = "mine"
        options.parameters.labels = []
        #expect(throws: ParameterError.conflict("labels", reason: "--format csv needs the label columns: --labels a,b (their header names) or "
                                                + "--label-prefix PREFIX (every column whose name starts with it)")) { try FetchStage.run(options) }
    }

    /// A wrong checksum is refused before anything is read, as for archives; nothing is left.
    @Test func checksumIsVerified() throws {
        let file = try OwnData.write("f,l\n1,1\n", name: "d.csv")
        var options = Fixtures.options("mine")
        options.parameters = try FetchParameters.resolve(["dataset": ["mine"], "catalog": ["/nonexistent.yaml"], "url": [file.path],
                                                          "sha256": [Self.sha], "format": ["csv"], "labels": ["l"]])
        #expect {
            try FetchStage.run(options)
        } throws: { error in
            "\(error)".hasPrefix("\(file.path): SHA-256 mismatch (expected \(Self.sha), got ")
        }
        #expect(!FileManager.default.fileExists(atPath: options.output.path))
    }
}
