import Formats
import Datasets
import Foundation
import Testing

@Suite struct EncodingTests {
    static let flagsLike = """
        @relation 'toy: -C -2'
        @attribute colour {red, green, blue}
        @attribute size numeric
        @attribute flag {1,0}
        @attribute y1 {0,1}
        @attribute y2 numeric
        @data
        green,2.5,0,1,0
        blue,?,1,1,1
        red,1,1,0,1
        """

    @Test func oneHotBinaryAndLabels() throws {
        let table = try Fixtures.parse(Self.flagsLike)
        let labels = try LabelSource.mekaLabelAttributes(count: try LabelSource.mekaLabelCount(relation: table.relation, file: "t"), in: table)
        #expect(labels == [3, 4])
        let dataset = try MultiLabelDataset.encode(table, labelAttributes: labels, impute: .zero)
        #expect(dataset.featureNames == ["colour=red", "colour=green", "colour=blue", "size", "flag"])
        #expect(dataset.labelNames == ["y1", "y2"])
        #expect(dataset.features == .dense([0, 1, 0, 2.5, 0,
                                            0, 0, 1, 0, 1,
                                            1, 0, 0, 1, 1]))
        #expect(dataset.labels == [1, 0, 1, 1, 0, 1])
    }

    @Test func missingFeatureIsAnErrorByDefault() throws {
        let table = try Fixtures.parse(Self.flagsLike, file: "toy.arff")
        #expect(throws: DatasetError.arff(file: "toy.arff", line: 9,
                                          reason: "missing value '?' for feature 'size'; rerun with --impute zero to replace missing features by 0")) {
            try MultiLabelDataset.encode(table, labelAttributes: [3, 4], impute: .error)
        }
    }

    @Test func missingLabelIsAlwaysAnError() throws {
        let table = try Fixtures.parse("@relation r\n@attribute a numeric\n@attribute y {0,1}\n@data\n1,?\n", file: "m.arff")
        #expect(throws: DatasetError.arff(file: "m.arff", line: 5, reason: "missing value '?' for label 'y'; labels cannot be imputed")) {
            try MultiLabelDataset.encode(table, labelAttributes: [1], impute: .zero)
        }
    }

    @Test func statisticsByHand() throws {
        // Labels: [1,0,0], [1,1,0], [1,0,1], [1,1,0] -> counts 4,2,1; cardinality 7/4.
        let table = try Fixtures.parse("@relation r\n@attribute x numeric\n@attribute a {0,1}\n@attribute b {0,1}\n@attribute c {0,1}\n@data\n"
            + "0,1,0,0\n1,1,1,0\n2,1,0,1\n3,1,1,0\n")
        let dataset = try MultiLabelDataset.encode(table, labelAttributes: [1, 2, 3], impute: .error)
        let statistics = try DatasetStatistics(dataset, file: "r")
        #expect(statistics.instances == 4 && statistics.features == 1 && statistics.labels == 3)
        #expect(statistics.cardinality == 1.75)
        #expect(abs(statistics.density - 1.75 / 3) < 1e-12)
        #expect(statistics.distinctLabelSets == 3)
        #expect(statistics.imbalanceRatio == [1, 2, 4])
        #expect(abs(statistics.meanImbalanceRatio - 7.0 / 3) < 1e-12)
    }

    @Test func labelThatNeverOccurs() throws {
        let table = try Fixtures.parse("@relation r\n@attribute x numeric\n@attribute a {0,1}\n@attribute b {0,1}\n@data\n0,1,0\n")
        let dataset = try MultiLabelDataset.encode(table, labelAttributes: [1, 2], impute: .error)
        #expect(throws: DatasetError.self) { try DatasetStatistics(dataset, file: "r") }
    }

    @Test func mulanXMLLabelsAnywhere() throws {
        let xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <labels xmlns="http://mulan.sourceforge.net/labels">
            <label name="b &amp; c"></label>
            <label name='a'/>
            </labels>
            """
        let names = try LabelSource.parseMulanXML(Array(xml.utf8), file: "r.xml")
        #expect(names == ["b & c", "a"])
        let table = try Fixtures.parse("@relation r\n@attribute a {0,1}\n@attribute x numeric\n@attribute 'b & c' {0,1}\n@data\n1,2,0\n")
        #expect(try LabelSource.mulanLabelAttributes(names, in: table, xmlFile: "r.xml") == [2, 0])
    }

    @Test func xmlNamingAMissingAttribute() throws {
        let table = try Fixtures.parse("@relation r\n@attribute a {0,1}\n@attribute x numeric\n@data\n1,2\n", file: "r.arff")
        #expect(throws: DatasetError.labels(file: "r.xml", reason: "names label 'zzz', which is not an attribute of r.arff; fix the XML or pick the matching ARFF file")) {
            try LabelSource.mulanLabelAttributes(["a", "zzz"], in: table, xmlFile: "r.xml")
        }
    }

    @Test func mekaOptionParsing() throws {
        #expect(try LabelSource.mekaLabelCount(relation: "Scene: -C 6 -R", file: "f") == 6)
        #expect(try LabelSource.mekaLabelCount(relation: "Yeast: -C 14 -split-number 1500", file: "f") == 14)
        #expect(try LabelSource.mekaLabelCount(relation: "x: -C -3", file: "f") == -3)
        #expect(throws: DatasetError.self) { try LabelSource.mekaLabelCount(relation: "no option", file: "f") }
        #expect(throws: DatasetError.self) { try LabelSource.mekaLabelCount(relation: "x: -C zero", file: "f") }
    }

    @Test func mekaCountLargerThanAttributes() throws {
        let table = try Fixtures.parse("@relation 'r: -C 5'\n@attribute a {0,1}\n@attribute x numeric\n@data\n1,2\n", file: "r.arff")
        #expect(throws: DatasetError.labels(file: "r.arff", reason: "relation says '-C 5' but the file declares 2 attributes; at most 1 can be labels (at least one must be a feature)")) {
            try LabelSource.mekaLabelAttributes(count: 5, in: table)
        }
    }
}
