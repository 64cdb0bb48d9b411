import Artifacts
import Datasets
import Foundation
import Testing
import TestSupport

@Suite struct UnpackerTests {
    /// Every archive of the mirror unpacks to the files its README lists.
    @Test(arguments: [
        ("mulan/corel5k.zip", ["corel5k/Corel5k-test.arff", "corel5k/Corel5k-train.arff", "corel5k/Corel5k.arff", "corel5k/Corel5k.xml"]),
        ("mulan/scene.tar.gz", ["scene/scene-test.arff", "scene/scene-train.arff", "scene/scene.xml"]),
        ("mulan/enron.tar.bz2", ["enron/enron-test.arff", "enron/enron-train.arff", "enron/enron.arff", "enron/enron.xml"]),
        ("mulan/emotions.zip", ["emotions/emotions-test.arff", "emotions/emotions-train.arff", "emotions/emotions.arff", "emotions/emotions.xml"]),
        ("mulan/flags.tar.xz", ["flags/flags-test.arff", "flags/flags-train.arff", "flags/flags.arff", "flags/flags.xml"]),
        ("meka/Scene.arff.bz2", ["Scene.arff"]),
        ("meka/Yeast.arff.bz2", ["Yeast.arff"]),
        ("meka/Enron.arff.bz2", ["Enron.arff"]),
        ("meka/Music.arff", ["Music.arff"]),
    ])
    func mirrorArchive(path: String, expected: [String]) throws {
        let target = TestSupport.temporaryFolder().appendingPathComponent("source")
        let files = try Unpacker().unpack(Fixtures.mirror.appendingPathComponent(path), into: target)
        #expect(files == expected)
        #expect(Fixtures.listing(target).filter { !$0.hasSuffix("/") && expected.contains($0) } == expected)
        let first = try String(contentsOf: target.appendingPathComponent(expected[0]), encoding: .utf8)
        #expect(first.contains("@attribute") || first.contains("@ATTRIBUTE"))
    }

    @Test func rar5() throws {
        let target = TestSupport.temporaryFolder().appendingPathComponent("source")
        let files = try Unpacker().unpack(Fixtures.mirror.appendingPathComponent("misc/rar5-sample.rar"), into: target)
        #expect(files.count == 2)
        #expect(files.contains { $0.hasSuffix(".html") } && files.contains { $0.hasSuffix(".ipynb") })
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent(file).path)[.size] as? Int ?? 0
            #expect(size > 0)
        }
    }

    /// Expects unpacking to fail with `check` true for the error, leaving no target and no staging folder.
    private func expectFailure(_ archive: URL, limit: Int64 = Unpacker.defaultLimit, _ check: (DatasetError) -> Bool) {
        let parent = TestSupport.temporaryFolder()
        let target = parent.appendingPathComponent("source")
        do {
            try Unpacker(limit: limit).unpack(archive, into: target, displayName: "evil-archive")
            Issue.record("unpacking \(archive.lastPathComponent) succeeded")
        } catch let error as DatasetError {
            #expect(check(error), "unexpected error: \(error)")
            #expect(error.description.contains("evil-archive"))
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
        #expect(Fixtures.listing(parent).isEmpty, "left behind: \(Fixtures.listing(parent))")
        #expect(!FileManager.default.fileExists(atPath: parent.deletingLastPathComponent().appendingPathComponent("evil").path))
    }

    /// Builds a tar.gz with Python's tarfile: entries (name, kind, content), kind `file` (content is
    /// the text), `zeros` (content is a byte count), `symlink` or `hardlink` (content is the link target).
    private func makeTar(_ entries: [(String, String, String)]) throws -> URL {
        let url = TestSupport.temporaryFolder("archives").appendingPathComponent("bad.tar.gz")
        let script = """
            import io, sys, tarfile, json
            entries = json.loads(sys.argv[2])
            with tarfile.open(sys.argv[1], "w:gz") as tar:
                for name, kind, content in entries:
                    info = tarfile.TarInfo(name)
                    if kind in ("symlink", "hardlink"):
                        info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                        info.linkname = content; tar.addfile(info)
                    else:
                        data = b"0" * int(content) if kind == "zeros" else content.encode(); info.size = len(data); tar.addfile(info, io.BytesIO(data))
            """
        let json = String(decoding: try JSONSerialization.data(withJSONObject: entries.map { [$0.0, $0.1, $0.2] }), as: UTF8.self)
        try Fixtures.python(script, [url.path, json])
        return url
    }

    @Test func dotDotEntry() throws {
        let archive = try makeTar([("ok.txt", "file", "fine"), ("../evil", "file", "escaped")])
        expectFailure(archive) { if case let .unsafeEntry(_, entry, _) = $0 { return entry == "../evil" } else { return false } }
    }

    @Test func absoluteEntry() throws {
        let archive = try makeTar([("/tmp/mlbatch-evil-absolute", "file", "escaped")])
        expectFailure(archive) { if case let .unsafeEntry(_, entry, reason) = $0 { return entry.hasPrefix("/") && reason.contains("absolute") } else { return false } }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/mlbatch-evil-absolute"))
    }

    @Test func symlinkPointingOutside() throws {
        let archive = try makeTar([("data/link", "symlink", "../../etc"), ("data/link/passwd", "file", "x")])
        expectFailure(archive) { if case let .unsafeEntry(_, entry, reason) = $0 { return entry == "data/link" && reason.contains("outside") } else { return false } }
        let absolute = try makeTar([("link", "symlink", "/etc/passwd")])
        expectFailure(absolute) { if case .unsafeEntry = $0 { return true } else { return false } }
    }

    @Test func writingThroughAnInsideSymlinkIsRefused() throws {
        let archive = try makeTar([("real/a.txt", "file", "a"), ("alias", "symlink", "real"), ("alias/b.txt", "file", "b")])
        expectFailure(archive) { if case let .unsafeEntry(_, _, reason) = $0 { return reason.contains("symbolic link") } else { return false } }
    }

    @Test func symlinkInsideIsKept() throws {
        let archive = try makeTar([("real/a.txt", "file", "a"), ("real/alias.txt", "symlink", "a.txt")])
        let target = TestSupport.temporaryFolder().appendingPathComponent("source")
        try Unpacker().unpack(archive, into: target)
        #expect(try String(contentsOf: target.appendingPathComponent("real/alias.txt"), encoding: .utf8) == "a")
    }

    @Test func hardLinks() throws {
        let outside = try makeTar([("a.txt", "file", "a"), ("b.txt", "hardlink", "../a.txt")])
        expectFailure(outside) { if case let .unsafeEntry(_, _, reason) = $0 { return reason.contains("..") } else { return false } }
        let inside = try makeTar([("d/a.txt", "file", "a"), ("b.txt", "hardlink", "d/a.txt")])
        let target = TestSupport.temporaryFolder().appendingPathComponent("source")
        #expect(try Unpacker().unpack(inside, into: target) == ["b.txt", "d/a.txt"])
        #expect(try String(contentsOf: target.appendingPathComponent("b.txt"), encoding: .utf8) == "a")
    }

    @Test func unpackedSizeLimit() throws {
        let archive = try makeTar([("big.txt", "zeros", "200000")])
        expectFailure(archive, limit: 100_000) { $0 == .unpackedSizeLimit(file: "evil-archive", limit: 100_000) }
        let target = TestSupport.temporaryFolder().appendingPathComponent("source")
        #expect(try Unpacker(limit: 200_000).unpack(archive, into: target) == ["big.txt"])
    }

    @Test func truncatedArchives() throws {
        for name in ["mulan/scene.tar.gz", "mulan/corel5k.zip", "meka/Yeast.arff.bz2", "mulan/flags.tar.xz"] {
            let original = try Data(contentsOf: Fixtures.mirror.appendingPathComponent(name))
            let truncated = TestSupport.temporaryFolder("archives").appendingPathComponent((name as NSString).lastPathComponent)
            try original.prefix(original.count / 2).write(to: truncated)
            expectFailure(truncated) { if case .archive = $0 { return true } else { return false } }
        }
    }

    @Test func notAnArchive() throws {
        let fake = TestSupport.temporaryFolder("archives").appendingPathComponent("fake.zip")
        try Data("just text, no archive\n".utf8).write(to: fake)
        expectFailure(fake) { if case let .archive(_, reason) = $0 { return reason.contains("ends in .zip") && reason.contains("'just text, no archive") } else { return false } }
    }
}
