import Datasets
import Foundation
import Testing
import TestSupport

/// Mulan label XML must be well-formed and name every label-like attribute (issue 12, item 1).
@Suite struct LabelXMLTests {
    private func names(_ xml: String) throws -> [String] {
        try LabelSource.parseMulanXML(Array(xml.utf8), file: "x.xml")
    }

    /// The XML error for `xml`, or nil when it parses.
    private func xmlError(_ xml: String) -> DatasetError? {
        do {
            _ = try names(xml)
            return nil
        } catch let error as DatasetError {
            return error
        } catch {
            return nil
        }
    }

    @Test func wellFormedDocumentsGiveTheirLabelsInOrder() throws {
        let xml = """
            \u{FEFF}<?xml version="1.0" encoding="utf-8"?>
            <!-- Mulan labels -->
            <!DOCTYPE labels>
            <labels xmlns="http://mulan.sourceforge.net/labels">
              <label name="b &amp; c"><![CDATA[ <not a tag> ]]></label>
              <label name='a'/>
              <m:label xmlns:m="urn:x" name="caf&#233;&#x21;"><label name="child"></label></m:label>
              text &lt; more
            </labels>
            <!-- trailing comment -->
            """
        #expect(try names(xml) == ["b & c", "a", "café!", "child"])
    }

    /// Each malformed document fails with the file, the line of the problem and what is wrong.
    @Test(arguments: [
        ("<labels><label name='L1'>", 1, "never closed"),
        ("<labels>\n<label name='L1'/>\n", 3, "the file ends inside <labels> opened on line 1"),
        ("<labels>\n<label name='a'></labl>\n</labels>", 2, "does not match <label>"),
        ("<labels>\n\n<label name='a' name='b'/></labels>", 3, "appears twice"),
        ("<labels><label name=a/></labels>", 1, "must be quoted"),
        ("<labels><label name='a &b'/></labels>", 1, "'&'"),
        ("<labels><label name='&nbsp;'/></labels>", 1, "unknown entity"),
        ("<labels></labels>\n<labels></labels>", 2, "after the end of the root element"),
        ("<labels>\n<label/>\n</labels>", 2, "no name attribute"),
        ("\0\0\0\0", 1, "NUL byte"),
        ("", 1, "no root element"),
        ("<labels><!-- open comment </labels>", 1, "comment is never closed"),
        ("<labels><label name='a'\n", 2, "ends inside the start tag"),
        ("</labels>", 1, "expected the root element"),
    ])
    func malformedDocuments(xml: String, line: Int, reason: String) {
        guard case let .xml(file, errorLine, message)? = xmlError(xml) else {
            Issue.record("no XML error for \(xml.debugDescription)")
            return
        }
        #expect(file == "x.xml" && errorLine == line, "line \(errorLine): \(message)")
        #expect(message.contains(reason), "\(message)")
    }

    /// Latin-1 label names: refused as not UTF-8, naming the line of the first such byte.
    @Test func invalidUTF8IsNotText() {
        #expect(throws: DatasetError.self) { try LabelSource.parseMulanXML([0x3C, 0x61, 0xFF, 0x3E], file: "x.xml") }
        let latin1 = Array("<labels>\n<label name=\"sea\"/>\n<label name=\"caf".utf8) + [0xE9] + Array("\"/>\n</labels>\n".utf8)
        #expect(throws: DatasetError.xml(file: "x.xml", line: 3, reason: "byte 0xE9 is not UTF-8: the file is not UTF-8 text "
                                         + "(Latin-1 or another legacy encoding?); convert it, e.g. `iconv -f latin1 -t utf-8`")) {
            try LabelSource.parseMulanXML(latin1, file: "x.xml")
        }
    }

    @Test func noLabelsAtAll() {
        #expect(throws: DatasetError.labels(file: "x.xml", reason: "the XML names no labels; expected <label name=\"…\"> elements inside <labels>")) {
            try names("<labels></labels>")
        }
    }

    static let arff = "@relation r\n@attribute a numeric\n@attribute L1 {0,1}\n@attribute L2 {0,1}\n@data\n1,1,0\n2,0,1\n3,1,1\n"

    /// The issue's case: an unclosed XML naming L1 only used to load with L2 as a feature (exit 0).
    @Test func truncatedXMLFailsTheFetch() throws {
        let options = try Fixtures.badDataset(["x.arff": Self.arff, "x.xml": "<labels><label name='L1'>"],
                                              data: ["x.arff"], xml: "x.xml", layout: "mulan")
        #expect {
            try FetchStage.run(options)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("bad.tar.gz/x.xml:1: the label XML is not well-formed: the file ends inside <label> opened on line 1")
        }
        #expect(!FileManager.default.fileExists(atPath: options.output.path))
    }

    /// A well-formed XML that leaves out a {0,1} attribute among the labels fails naming it.
    @Test func xmlNamingFewerLabelsFails() throws {
        let xml = "<labels xmlns=\"http://mulan.sourceforge.net/labels\"><label name=\"L1\"/></labels>"
        let options = try Fixtures.badDataset(["x.arff": Self.arff, "x.xml": xml], data: ["x.arff"], xml: "x.xml", layout: "mulan")
        #expect {
            try FetchStage.run(options)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("bad.tar.gz/x.xml: names 1 labels, but bad.tar.gz/x.arff has 1 more {0,1} attribute(s)") && text.contains("'L2'")
        }
    }

    /// A well-formed XML that leaves out the first label fails naming it: a lone {0,1} attribute
    /// between features of other types and the first named label looks like that label (it used to
    /// become a feature silently). Several {0,1} attributes there (as in flags) are taken as features.
    @Test func xmlOmittingTheFirstLabelFails() throws {
        let options = try Fixtures.badDataset(["x.arff": Self.arff, "x.xml": "<labels><label name='L2'/></labels>"],
                                              data: ["x.arff"], xml: "x.xml", layout: "mulan")
        #expect {
            try FetchStage.run(options)
        } throws: { error in
            "\(error)".hasPrefix("bad.tar.gz/x.xml: its first label, 'L2', follows 'L1', a lone {0,1} attribute after the features of "
                                + "bad.tar.gz/x.arff") && "\(error)".contains("add <label name=\"L1\"/> to the XML")
        }
        let binaryFeatures = try Fixtures.parse("@relation r\n@attribute a numeric\n@attribute f {0,1}\n@attribute g {0,1}\n@attribute L {0,1}\n@data\n1,1,0,1\n")
        #expect(try LabelSource.mulanLabelAttributes(["L"], in: binaryFeatures, xmlFile: "x.xml") == [3])
    }

    /// Features before the labels (the Mulan convention) are fine, whatever their type.
    @Test func binaryFeaturesBeforeTheLabelsAreFine() throws {
        let table = try Fixtures.parse("@relation r\n@attribute f {0,1}\n@attribute L1 {0,1}\n@attribute g numeric\n@data\n1,1,0\n")
        #expect(try LabelSource.mulanLabelAttributes(["L1"], in: table, xmlFile: "x.xml") == [1])
    }
}
