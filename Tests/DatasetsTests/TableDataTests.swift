import Datasets
import Formats
import Foundation
import NumpyIO
import Testing
import TestSupport

/// `--format csv` and `--format tsv` (issue 22, item 2): a header row names the columns, the
/// label columns are named by `--labels` or `--label-prefix`, every cell is checked.
@Suite struct TableDataTests {
    static let csv = """
        id,height,"weight, kg",tag_sport,tag_music
        1,1.5,60,1,0
        2,-2e-1,70.25,0,1

        3, 3 ,"80",1,1
        """

    @Test func csvWithHeaderLabelPrefixAndDroppedColumn() throws {
        let file = try OwnData.write(Self.csv, name: "people.csv")
        let fetched = try OwnData.fetch(file, format: "csv", ["label-prefix": ["tag_"], "drop-attribute": ["id"]])
        #expect(try fetched.array("features.npy").values(as: Float.self) == [1.5, 60, -0.2, 70.25, 3, 80])
        #expect(try fetched.array("features.npy").shape == [3, 2])
        #expect(try fetched.array("labels.npy").values(as: UInt8.self) == [1, 0, 0, 1, 1, 1])
        #expect(fetched.meta.featureNames == ["height", "weight, kg"] && fetched.meta.labelNames == ["tag_sport", "tag_music"])
        #expect(fetched.meta.attributes == [
            AttributeEncoding(name: "id", role: .dropped, encoding: .numeric, columns: []),
            AttributeEncoding(name: "height", role: .feature, encoding: .numeric, columns: [0]),
            AttributeEncoding(name: "weight, kg", role: .feature, encoding: .numeric, columns: [1]),
            AttributeEncoding(name: "tag_sport", role: .label, encoding: .numeric, columns: [0]),
            AttributeEncoding(name: "tag_music", role: .label, encoding: .numeric, columns: [1]),
        ])
        #expect(fetched.meta.source.labelSource == "prefix:tag_" && fetched.meta.source.format == "csv" && fetched.meta.layout == "csv")
        #expect(fetched.meta.source.files == ["people.csv"] && !fetched.meta.source.sparseRows)
        #expect(fetched.meta.statistics.cardinality == 4.0 / 3 && fetched.meta.statistics.distinctLabelSets == 3)
        #expect(fetched.meta.warnings.isEmpty)
        // The same file with the labels named, in another order: labels.npy follows that order.
        let named = try OwnData.fetch(file, format: "csv", ["labels": ["tag_music,tag_sport"]])
        #expect(named.meta.labelNames == ["tag_music", "tag_sport"] && named.meta.featureNames == ["id", "height", "weight, kg"])
        #expect(try named.array("labels.npy").values(as: UInt8.self) == [0, 1, 1, 0, 1, 1])
        #expect(named.meta.source.labelSource == "columns:tag_music,tag_sport")
    }

    /// Tabs, a byte-order mark, CRLF line ends, quoted names with a doubled quote, 0.0/1.0 labels;
    /// and a train and a test file read together.
    @Test func tsvFilesReadTogether() throws {
        let folder = TestSupport.temporaryFolder("tsv-parts")
        let header = "\u{FEFF}\"a \"\"x\"\"\"\tb\tlabel\r\n"
        try (header + "1\t2\t1.0\r\n3\t4\t0.0\r\n").write(to: folder.appendingPathComponent("train.tsv"), atomically: true, encoding: .utf8)
        try ("\"a \"\"x\"\"\"\tb\tlabel\n5\t6\t1\n").write(to: folder.appendingPathComponent("test.tsv"), atomically: true, encoding: .utf8)
        let archive = try OwnData.tar([folder.appendingPathComponent("train.tsv"), folder.appendingPathComponent("test.tsv")], name: "parts.tar")
        let fetched = try OwnData.fetch(archive, format: "tsv", ["data": ["train.tsv,test.tsv"], "labels": ["label"]])
        #expect(try fetched.array("features.npy").values(as: Float.self) == [1, 2, 3, 4, 5, 6])
        #expect(try fetched.array("labels.npy").values(as: UInt8.self) == [1, 0, 1])
        #expect(fetched.meta.featureNames == ["a \"x\"", "b"] && fetched.meta.source.files == ["train.tsv", "test.tsv"])
        // A label positive in every row is kept, with the same warning ARFF files get.
        let allPositive = try OwnData.write("f,l\n1,1\n2,1\n", name: "all.csv")
        #expect(try OwnData.fetch(allPositive, format: "csv", ["labels": ["l"]]).meta.warnings == [
            "all.csv: label 'l' is positive in every one of the 2 instances; it carries no information, and its per-label metrics that "
                + "need negatives (e.g. AUC) are undefined. Check the label definition, or remove the label from it",
        ])
        // Another delimiter by --delimiter.
        let semicolons = try OwnData.write("f;g;l\n1,5;2;1\n3;4;0\n", name: "semi.csv")
        #expect(OwnData.refusal(semicolons, format: "csv", ["labels": ["l"], "delimiter": [";"]]) == "semi.csv:2: feature column 'f' "
                + "(column 1) holds '1,5', which is not a number; every feature cell must be a finite number. Fix or drop the cell")
    }

    /// Each refusal names the file, the line and the column, and what to do.
    @Test(arguments: [
        ("f,g,l\n1,x,1\n", "t.csv:2: feature column 'g' (column 2) holds 'x', which is not a number; every feature cell must be a finite number. "
            + "Fix or drop the cell"),
        ("f,g,l\n1,,1\n", "t.csv:2: feature column 'g' (column 2) is empty; every feature cell must be a finite number. Fix or drop the cell"),
        ("f,g,l\n1,2,1\n1,NaN,0\n", "t.csv:3: feature column 'g' (column 2) holds 'NaN', which is not finite;"),
        ("f,g,l\n1,-inf,1\n", "t.csv:2: feature column 'g' (column 2) holds '-inf', which is not finite;"),
        ("f,g,l\n1,2,1\n1e39,2,0\n", "t.csv:3: feature column 'f' (column 1) holds '1e39', which is outside float32's range (±3.4e38);"),
        ("f,g,l\n1,2,1\n1,-1e400,0\n", "t.csv:3: feature column 'g' (column 2) holds '-1e400', which is outside float32's range (±3.4e38);"),
        ("f,g,l\n1,2,2\n", "t.csv:2: label column 'l' (column 3) holds '2'; a label cell must be 0 or 1"),
        ("f,g,l\n1,2,yes\n", "t.csv:2: label column 'l' (column 3) holds 'yes'; a label cell must be 0 or 1"),
        ("f,g,l\n1,2,1\n1,2\n", "t.csv:3: the row has 2 cells but the header has 3 columns; every row needs one cell per column"),
        ("f,g,l\n1,2,1,\n", "t.csv:2: the row has 4 cells but the header has 3 columns; every row needs one cell per column"),
        ("f,f,l\n1,2,1\n", "t.csv:1: columns 1 and 2 are both named 'f'; a column name must say which column it is: rename one of them"),
        (",f,l\n0,1,1\n", "t.csv:1: column 1 of the header has no name; name every column (an unnamed first column is often a pandas index: "
            + "save with to_csv(..., index=False))"),
        ("f,g,k\n1,2,1\n", "t.csv:1: --labels names the column 'l', which the header does not have; its columns are 'f', 'g', 'k'"),
        ("f;g;l\n1;2;1\n", "t.csv:1: the header row is one column, 'f;g;l', when cells are separated by ','; its names look separated by ';' "
            + "instead: pass --delimiter ';'"),
        ("f\tg\tl\n1\t2\t1\n", "t.csv:1: the header row is one column, 'f\tg\tl', when cells are separated by ','; its names look separated "
            + "by tabs instead: pass --format tsv"),
        ("f,g,l\n\"1,2,1\n", "t.csv:2: the quote that opens cell 1 is not closed on this line; close it (a cell cannot span lines)"),
        ("f,g,l\n\"1\"2,2,1\n", "t.csv:2: cell 1 has text after its closing quote; quote the whole cell, and write a quote inside it as \"\""),
        ("l\n1\n", "t.csv:1: no feature column is left (every column is a label or dropped); keep at least one feature"),
        ("f,g,l\n", "t.csv: the file holds a header but no rows; expected one row per instance after it"),
        ("\n\n", "t.csv: the file is empty; expected a header row naming the columns, then one row per instance"),
        ("f,g,l\n1,2,0\n", "t.csv: label 'l' never occurs (no instance has it)"),
    ])
    func refusals(text: String, expected: String) throws {
        let file = try OwnData.write(text, name: "t.csv")
        let message = OwnData.refusal(file, format: "csv", ["labels": ["l"]])
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "accepted")")
    }

    @Test func labelSelectionAndDroppingAreChecked() throws {
        let file = try OwnData.write("id,f,y_a,y_b\n1,2,1,0\n2,3,0,1\n", name: "d.csv")
        #expect(OwnData.refusal(file, format: "csv", ["label-prefix": ["label_"]]) == "d.csv:1: no column name starts with --label-prefix "
                + "'label_'; the columns are 'id', 'f', 'y_a', 'y_b'. Pass the prefix the label columns share, or name them with --labels")
        #expect(OwnData.refusal(file, format: "csv", ["label-prefix": ["y_"], "drop-attribute": ["y_a"]]) == "d.csv: cannot drop column "
                + "'y_a': it is a label; only features can be dropped")
        #expect(OwnData.refusal(file, format: "csv", ["label-prefix": ["y_"], "drop-attribute": ["name"]]) == "d.csv: cannot drop column "
                + "'name': there is no such column (columns: id, f, y_a, y_b)")
        #expect(OwnData.refusal(file, format: "csv", ["label-prefix": ["y_"], "drop-attribute": ["id", "f"]])?.hasPrefix("d.csv:1: no feature "
                + "column is left") == true)
    }

    /// The file name's extension must not contradict the format's delimiter; --delimiter settles it.
    @Test func extensionAndFormatMustAgree() throws {
        let tabs = try OwnData.write("f\tl\n1\t1\n2\t0\n", name: "d.tsv")
        #expect(OwnData.refusal(tabs, format: "csv", ["labels": ["l"]]) == "d.tsv: the name ends in .tsv, which means cells separated by tabs, "
                + "but --format csv reads commas; pass --format tsv (or --delimiter if the cells are separated by something else)")
        #expect(try OwnData.fetch(tabs, format: "tsv", ["labels": ["l"]]).meta.statistics.instances == 2)
        let commas = try OwnData.write("f,l\n1,1\n2,0\n", name: "d.csv")
        #expect(OwnData.refusal(commas, format: "tsv", ["labels": ["l"]])?.hasPrefix("d.csv: the name ends in .csv, which means cells separated "
                + "by commas, but --format tsv reads tabs; pass --format csv") == true)
        #expect(try OwnData.fetch(commas, format: "tsv", ["labels": ["l"], "delimiter": [","]]).meta.statistics.instances == 2)
        // Headers of files read together must agree.
        let other = try OwnData.write("g,l\n1,1\n", name: "e.csv")
        let archive = try OwnData.tar([commas, other], name: "two.tar")
        #expect(OwnData.refusal(archive, format: "csv", ["labels": ["l"], "data": ["d.csv,e.csv"]]) == "two.tar/e.csv:1: the header differs from "
                + "two.tar/d.csv's at column 1: 'g' where two.tar/d.csv has 'f'. Files read together must have the same columns in the same order")
        // Without --data an archive of several files does not say which to read.
        #expect(OwnData.refusal(archive, format: "csv", ["labels": ["l"]]) == "two.tar: holds 2 files (d.csv, e.csv); pass --data naming the "
                + "file(s) to read")
    }
}
