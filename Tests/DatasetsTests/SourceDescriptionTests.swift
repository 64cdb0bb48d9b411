import Datasets
import Formats
import Foundation
import StageKit
import Testing
import TestSupport

/// Issue 12, item 9: each message about `--url`, `--sha256`, `--layout`, `--data` and `--xml`
/// describes the situation the user is actually in.
@Suite struct SourceDescriptionTests {
    private static let sha = String(repeating: "a", count: 64)

    private func message(_ given: [String: [String]]) -> String? { Fixtures.parameterMessage(given) }

    @Test func badLayoutSaysSoEvenWithAllThreeGiven() {
        let text = message(["url": ["x.zip"], "sha256": [Self.sha], "layout": ["foo"], "data": ["x.arff"], "xml": ["x.xml"]])
        #expect(text == "invalid layout 'foo': expected one of mulan, meka")
    }

    @Test(arguments: [
        (["url": ["x.zip"]], "--url needs --sha256"),
        (["sha256": ["abc"]], "--sha256 must be 64 hexadecimal digits; 'abc' has 3 characters"),
        (["sha256": [String(repeating: "g", count: 64)]], "including 'g', which is not a hexadecimal digit"),
        (["layout": ["meka"], "data": ["x.arff"]], "--layout, --data describe an archive given with --url, and no --url was passed"),
        (["data": ["x.arff"]], "leave it out to fetch the catalog's 'mine'"),
        (["url": ["x.zip"], "sha256": [sha], "data": ["x.arff"]], "also needs --format: arff-mulan (labels named by --xml), arff-meka"),
        (["url": ["x.zip"], "sha256": [sha], "layout": ["meka"]], "also needs --data"),
        (["url": ["x.zip"], "sha256": [sha], "layout": ["meka"], "data": [" , "]], "names an empty file"),
        (["url": ["x.zip"], "sha256": [sha], "layout": ["mulan"], "data": ["x.arff"]], "--layout mulan also needs --xml"),
        (["url": ["x.zip"], "sha256": [sha], "layout": ["meka"], "data": ["x.arff"], "xml": ["x.xml"]], "--xml is only read with --layout mulan"),
    ])
    func situations(given: [String: [String]], expected: String) {
        let text = message(given)
        #expect(text?.contains(expected) == true, "\(text ?? "accepted")")
    }

    /// Ad-hoc options for `dataset` pointing at `archive`.
    private func adHoc(_ dataset: String, archive: String, sha256: String, data: String, catalog: URL) throws -> FetchStage.Options {
        var options = Fixtures.options(dataset, catalog: catalog)
        options.parameters = try FetchParameters.resolve(["dataset": [dataset], "catalog": [catalog.path], "mirror": options.parameters.mirror,
                                                          "cache": [options.parameters.cache], "url": [archive], "sha256": [sha256],
                                                          "layout": ["meka"], "data": [data]])
        return options
    }

    @Test func adHocEntriesAreNamedAfterTheArchive() throws {
        let https = try adHoc("y", archive: "https://host/d/Yeast.arff.bz2?x=1", sha256: Self.sha.uppercased(), data: "Yeast.arff, more.arff",
                              catalog: URL(fileURLWithPath: "/nonexistent.yaml"))
        #expect(https.adHocEntry == CatalogEntry(name: "y", layout: .meka, archive: "Yeast.arff.bz2", sha256: Self.sha,
                                                 urls: ["https://host/d/Yeast.arff.bz2?x=1"], data: ["Yeast.arff", "more.arff"]))
        let path = try adHoc("m", archive: "/tmp/a b/x.tar.gz", sha256: Self.sha, data: "d.arff", catalog: URL(fileURLWithPath: "/nonexistent.yaml"))
        #expect(path.adHocEntry?.archive == "x.tar.gz")
        #expect(Fixtures.options("scene").adHocEntry == nil)
    }

    @Test func missingURLFileIsNotBlamedOnTheCatalog() throws {
        let missing = TestSupport.temporaryFolder().appendingPathComponent("nope.zip").path
        let options = try adHoc("mine", archive: missing, sha256: Self.sha, data: "x.arff", catalog: URL(fileURLWithPath: "/nonexistent.yaml"))
        #expect(throws: DatasetError.localSourceMissing(path: missing, explicit: true)) { try FetchStage.run(options) }
        let text = DatasetError.localSourceMissing(path: missing, explicit: true).description
        #expect(text.contains("given with --url") && !text.contains("catalog"))
    }

    @Test func missingDataMemberOfAnAdHocArchivePointsAtTheOption() throws {
        let archive = Fixtures.mirror.appendingPathComponent("meka/Yeast.arff.bz2").path
        let options = try adHoc("mine", archive: archive, sha256: "98da124ba009c4ee2f8323076d6ec13442e6eaedc66314e88f289375d3ef5ab5",
                                data: "yeast.arff", catalog: URL(fileURLWithPath: "/nonexistent.yaml"))
        #expect {
            try FetchStage.run(options)
        } throws: { error in
            "\(error)" == "Yeast.arff.bz2: --data names 'yeast.arff' but the archive holds only: Yeast.arff. Pass --data with a path from this list."
        }
    }

    @Test func adHocDescriptionOfACatalogNameIsRefused() throws {
        let archive = Fixtures.mirror.appendingPathComponent("meka/Yeast.arff.bz2").path
        let options = try adHoc("yeast", archive: archive, sha256: "98da124ba009c4ee2f8323076d6ec13442e6eaedc66314e88f289375d3ef5ab5",
                                data: "Yeast.arff", catalog: Fixtures.catalogURL)
        #expect {
            try FetchStage.run(options)
        } throws: { error in
            "\(error)".contains("'yeast' is a dataset of this catalog, but --format (or --layout), --data and --xml describe a dataset the "
                                 + "catalog lacks")
        }
    }

    /// The command line exits with 64 and the situation-specific message.
    @Test func commandLineUsesTheSameMessages() throws {
        let output = TestSupport.temporaryFolder().appendingPathComponent("none")
        let result = try TestSupport.runProduct("fetch", ["--dataset", "x", "--url", "/tmp/x.zip", "--sha256", Self.sha, "--layout", "foo",
                                                          "--data", "x.arff", "--xml", "x.xml", "--output", output.path])
        #expect(result.status == 64)
        #expect(result.standardError.contains("invalid --layout 'foo': expected one of mulan, meka") && !result.standardError.contains("pass all three"),
                "\(result.standardError)")
        let missing = try TestSupport.runProduct("fetch", ["--dataset", "x", "--catalog", "/nonexistent.yaml", "--url", "/nonexistent/x.zip",
                                                           "--sha256", Self.sha, "--layout", "meka", "--data", "x.arff", "--output", output.path])
        #expect(missing.status == 1)
        #expect(missing.standardError == "error: /nonexistent/x.zip: no such file (given with --url). --url takes an http(s) URL "
                + "or the path of an existing local archive; check the path.\n")
    }
}
