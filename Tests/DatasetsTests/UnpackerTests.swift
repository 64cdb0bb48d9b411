import Artifacts
import Datasets
import Formats
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
    private func expectFailure(_ archive: URL, limit: Int64 = FetchParameters().maxUnpackedBytes, entryLimit: Int = FetchParameters().maxUnpackedEntries,
                               _ check: (DatasetError) -> Bool) {
        let parent = TestSupport.temporaryFolder()
        let target = parent.appendingPathComponent("source")
        do {
            try Unpacker(limit: limit, entryLimit: entryLimit).unpack(archive, into: target, displayName: "evil-archive")
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

    /// Two entries of one path are refused naming the entry (the second used to replace the
    /// first silently), in a zip and in a tar (where `./` does not make a path another one).
    @Test func duplicateEntriesAreRefused() throws {
        let zip = TestSupport.temporaryFolder("archives").appendingPathComponent("bad.zip")
        try Fixtures.python("""
            import sys, warnings, zipfile
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("d/a.arff", "first"); z.writestr("d/a.arff", "second")
            """, [zip.path])
        let tar = try makeTar([("d/a.arff", "file", "first"), ("./d/a.arff", "file", "second")])
        for archive in [zip, tar] {
            expectFailure(archive) {
                if case let .unsafeEntry(_, entry, reason) = $0 { return entry.hasSuffix("d/a.arff") && reason.contains("twice") } else { return false }
            }
        }
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

    /// Writes a file with Python: `expression` (with `gzip`, `tarfile`, `io` imported) evaluates
    /// to the bytes; `name` is the file name.
    private func makeFile(_ name: String, _ expression: String) throws -> URL {
        let url = TestSupport.temporaryFolder("archives").appendingPathComponent(name)
        try Fixtures.python("import gzip, io, sys, tarfile\nopen(sys.argv[1], 'wb').write(\(expression))", [url.path])
        return url
    }

    /// Issue 12, item 3: gzip-compressed text used to be read as an `mtree` listing (millions of
    /// empty files, the byte limit never reached). A bare `.gz` is one compressed file, so the
    /// byte limit stops it.
    @Test func compressedTextIsOneFileAndHitsTheByteLimit() throws {
        let bomb = try makeFile("bomb.arff.gz", "gzip.compress(b'0,0,0,0,0,0,0,0,1,0\\n' * 150000, compresslevel=1)")
        expectFailure(bomb, limit: 1_000_000) { $0 == .unpackedSizeLimit(file: "evil-archive", limit: 1_000_000) }
        // Under the limit it unpacks to the one file named after the archive.
        let target = TestSupport.temporaryFolder().appendingPathComponent("source")
        #expect(try Unpacker(limit: 4_000_000).unpack(bomb, into: target) == ["bomb.arff"])
        // Plain text in mtree syntax is a plain file, not a listing of entries.
        let listing = try makeFile("listing.arff", "b'#mtree\\n./a type=file\\n./b type=file\\n'")
        let plain = TestSupport.temporaryFolder().appendingPathComponent("source")
        #expect(try Unpacker().unpack(listing, into: plain) == ["listing.arff"])
    }

    @Test func entryCountLimit() throws {
        let archive = try makeTar((0..<30).map { ("f\($0).txt", "file", "x") })
        expectFailure(archive, entryLimit: 20) { $0 == .unpackedEntryLimit(file: "evil-archive", limit: 20) }
        let target = TestSupport.temporaryFolder().appendingPathComponent("source")
        #expect(try Unpacker(entryLimit: 30).unpack(archive, into: target).count == 30)
    }

    /// Issue 12, item 4: a `.gz` of zeros used to say "the archive holds no entries".
    @Test func blankContentSaysWhatItIs() throws {
        let zeros = try makeFile("zeros.gz", "gzip.compress(bytes(1000))")
        expectFailure(zeros) {
            guard case let .archive(_, reason) = $0 else { return false }
            return reason.contains("gzip stream decompresses to 1000 bytes that are all zero") && !reason.contains("no entries")
        }
        let empty = try makeFile("empty.arff.gz", "gzip.compress(b'')")
        expectFailure(empty) { if case let .archive(_, reason) = $0 { return reason.contains("decompresses to nothing (0 bytes)") } else { return false } }
        let blankTar = try makeFile("blank.tar.gz", "gzip.compress(bytes(10240))")
        expectFailure(blankTar) {
            if case let .archive(_, reason) = $0 { return reason.contains("empty tar archive: after gzip decompression it starts with the zero-filled end-of-archive marker") } else { return false }
        }
        let plainZeros = try makeFile("zeros.arff", "bytes(64)")
        expectFailure(plainZeros) { if case let .archive(_, reason) = $0 { return reason.contains("the file holds 64 bytes that are all zero") } else { return false } }
    }

    /// A name that claims one kind of archive while the content is another says what the content is.
    @Test func contentThatContradictsTheName() throws {
        let text = try makeFile("data.arff.gz", "b'@relation r\\n'")
        expectFailure(text) {
            if case let .archive(_, reason) = $0 { return reason.contains("ends in .gz, which means one gzip-compressed file") && reason.contains("'@relation r") } else { return false }
        }
        let gzipNotTar = try makeFile("data.tar.gz", "gzip.compress(b'@relation r\\n')")
        expectFailure(gzipNotTar) { if case let .archive(_, reason) = $0 { return reason.contains("gzip-compressed data in no archive format") } else { return false } }
        let tarNamedZip = TestSupport.temporaryFolder("archives").appendingPathComponent("data.zip")
        try FileManager.default.copyItem(at: try makeTar([("a.txt", "file", "a")]), to: tarNamedZip)
        expectFailure(tarNamedZip) { if case let .archive(_, reason) = $0 { return reason.contains("ends in .zip") && reason.contains("bytes 1f 8b") } else { return false } }
    }
}
