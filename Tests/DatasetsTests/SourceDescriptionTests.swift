import Artifacts
import Datasets
import Foundation
import Testing
import TestSupport

/// Issue 12, item 9: each message describes the situation the user is actually in.
@Suite struct SourceDescriptionTests {
    private let sha = String(repeating: "a", count: 64)

    private func message(_ description: SourceDescription, dataset: String = "mine") -> String? {
        do {
            _ = try description.validated(dataset: dataset)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func badLayoutSaysSoEvenWithAllThreeGiven() {
        let text = message(SourceDescription(urls: ["x.zip"], sha256: sha, layout: "foo", data: "x.arff", xml: "x.xml"))
        #expect(text == "--layout must be mulan (labels named by an XML file) or meka (labels from -C in the relation name), not 'foo'")
    }

    @Test(arguments: [
        (SourceDescription(urls: ["x.zip"]), "--url needs --sha256"),
        (SourceDescription(sha256: "abc"), "--sha256 must be 64 hexadecimal digits; 'abc' has 3 characters"),
        (SourceDescription(sha256: String(repeating: "g", count: 64)), "including 'g', which is not a hexadecimal digit"),
        (SourceDescription(layout: "meka", data: "x.arff"), "--layout, --data describe an archive given with --url, and no --url was passed"),
        (SourceDescription(data: "x.arff"), "leave it out to fetch the catalog's 'mine'"),
        (SourceDescription(urls: ["x.zip"], sha256: String(repeating: "a", count: 64), data: "x.arff"), "also needs --layout"),
        (SourceDescription(urls: ["x.zip"], sha256: String(repeating: "a", count: 64), layout: "meka"), "also needs --data"),
        (SourceDescription(urls: ["x.zip"], sha256: String(repeating: "a", count: 64), layout: "meka", data: " , "), "--data ' , ' names no file"),
        (SourceDescription(urls: ["x.zip"], sha256: String(repeating: "a", count: 64), layout: "mulan", data: "x.arff"), "--layout mulan also needs --xml"),
        (SourceDescription(urls: ["x.zip"], sha256: String(repeating: "a", count: 64), layout: "meka", data: "x.arff", xml: "x.xml"),
         "--xml is only read with --layout mulan"),
    ])
    func situations(description: SourceDescription, expected: String) {
        let text = message(description)
        #expect(text?.contains(expected) == true, "\(text ?? "accepted")")
    }

    @Test func validDescriptions() throws {
        #expect(try SourceDescription().validated(dataset: "scene") == nil)
        #expect(try SourceDescription(urls: ["/m/x.zip"], sha256: sha).validated(dataset: "scene") == nil)
        let entry = try SourceDescription(urls: ["https://host/d/Yeast.arff.bz2?x=1"], sha256: sha.uppercased(), layout: "meka",
                                          data: "Yeast.arff, more.arff").validated(dataset: "y")
        #expect(entry == CatalogEntry(name: "y", layout: .meka, archive: "Yeast.arff.bz2", sha256: sha,
                                      urls: ["https://host/d/Yeast.arff.bz2?x=1"], data: ["Yeast.arff", "more.arff"]))
        #expect(try SourceDescription(urls: ["/tmp/a b/x.tar.gz"], sha256: sha, layout: "mulan", data: "d.arff", xml: "d.xml")
            .validated(dataset: "m")?.archive == "x.tar.gz")
    }

    /// Ad-hoc options for `dataset` pointing at `archive`.
    private func adHoc(_ dataset: String, archive: String, sha256: String, data: String, catalog: URL) throws -> FetchStage.Options {
        let description = SourceDescription(urls: [archive], sha256: sha256, layout: "meka", data: data)
        var options = Fixtures.options(dataset, catalog: catalog)
        options.urls = description.urls
        options.sha256 = description.sha256
        options.adHocEntry = try description.validated(dataset: dataset)
        return options
    }

    @Test func missingURLFileIsNotBlamedOnTheCatalog() throws {
        let missing = TestSupport.temporaryFolder().appendingPathComponent("nope.zip").path
        let options = try adHoc("mine", archive: missing, sha256: sha, data: "x.arff", catalog: URL(fileURLWithPath: "/nonexistent.yaml"))
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
            "\(error)".contains("'yeast' is a dataset of this catalog, but --layout, --data and --xml describe a dataset the catalog lacks")
        }
    }

    /// The command line exits with 64 and the situation-specific message.
    @Test func commandLineUsesTheSameMessages() throws {
        let output = TestSupport.temporaryFolder().appendingPathComponent("none")
        let result = try TestSupport.runProduct("fetch", ["--dataset", "x", "--url", "/tmp/x.zip", "--sha256", sha, "--layout", "foo",
                                                          "--data", "x.arff", "--xml", "x.xml", "--output", output.path])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--layout must be mulan") && !result.standardError.contains("pass all three"), "\(result.standardError)")
        let missing = try TestSupport.runProduct("fetch", ["--dataset", "x", "--catalog", "/nonexistent.yaml", "--url", "/nonexistent/x.zip",
                                                           "--sha256", sha, "--layout", "meka", "--data", "x.arff", "--output", output.path])
        #expect(missing.status == 1)
        #expect(missing.standardError == "error: /nonexistent/x.zip: no such file (given with --url). --url takes an http(s) URL "
                + "or the path of an existing local archive; check the path.\n")
    }
}
