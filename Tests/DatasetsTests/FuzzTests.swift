import Formats
import Datasets
import Foundation
import NumpyIO
import Testing
import TestSupport

/// Issue 12's fuzz corpus: deterministically mutated inputs, built from the catalog's real files
/// and small hand-made ones, run through the loader and the unpacker. Every input must either
/// load to arrays of the declared shape or fail with a `DatasetError` naming the file — no crash,
/// no other error type. The work per input is bounded by construction (inputs of at most a few
/// hundred KB, an unpacking limit of 2 MB and 200 entries); a generous watchdog names an
/// input that runs for more than 60 s instead of letting the run hang. The counts are printed.
@Suite struct FuzzTests {
    /// SplitMix64: a tiny seeded generator, so the corpus is the same on every run.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One loader input: an ARFF text, a label XML (mulan) and the layout.
    struct LoaderInput {
        var name: String
        var arff: [UInt8]
        var xml: [UInt8]?
        var layout: DatasetLayout
    }

    /// Names the input being worked on; a background thread reports one that takes over a minute.
    final class Watchdog: @unchecked Sendable {
        private let lock = NSLock()
        private var current = ""
        private var started = Date()
        private var finished = false
        private(set) var slowest: (name: String, seconds: Double) = ("", 0)

        init(limit: TimeInterval = 60) {
            Thread.detachNewThread { [self] in
                while true {
                    Thread.sleep(forTimeInterval: 1)
                    lock.lock()
                    let (name, elapsed, done) = (current, Date().timeIntervalSince(started), finished)
                    lock.unlock()
                    if done { return }
                    if elapsed > limit { fatalError("fuzz input '\(name)' has run for \(Int(elapsed)) s: it hangs") }
                }
            }
        }

        func begin(_ name: String) {
            lock.lock()
            current = name
            started = Date()
            lock.unlock()
        }

        func end() {
            lock.lock()
            let seconds = Date().timeIntervalSince(started)
            if seconds > slowest.seconds { slowest = (current, seconds) }
            lock.unlock()
        }

        func stop() {
            lock.lock()
            finished = true
            lock.unlock()
        }
    }

    // MARK: - Seeds

    /// Header plus the first `rows` data rows of an ARFF text (real files, cut to fuzzing size).
    static func head(_ text: String, rows: Int) -> [UInt8] {
        var lines: [Substring] = []
        var dataRows = -1
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if dataRows >= rows { break }
            lines.append(line)
            if dataRows >= 0, !line.trimmingCharacters(in: .whitespaces).isEmpty { dataRows += 1 }
            if line.lowercased().hasPrefix("@data") { dataRows = 0 }
        }
        return Array(lines.joined(separator: "\n").utf8) + [0x0A]
    }

    /// Seeds from the catalog's real archives (unpacked once) and hand-made files.
    static func seeds() throws -> [LoaderInput] {
        let folder = TestSupport.temporaryFolder("fuzz-seeds")
        func member(_ archive: String, _ path: String) throws -> String {
            let target = folder.appendingPathComponent((archive as NSString).lastPathComponent)
            if !FileManager.default.fileExists(atPath: target.path) {
                try Unpacker().unpack(Fixtures.mirror.appendingPathComponent(archive), into: target)
            }
            return try String(contentsOf: target.appendingPathComponent(path), encoding: .utf8)
        }
        var seeds: [LoaderInput] = []
        for (archive, arff, xml, rows) in [("mulan/flags.tar.xz", "flags/flags.arff", "flags/flags.xml", 194),
                                           ("mulan/emotions.zip", "emotions/emotions.arff", "emotions/emotions.xml", 60),
                                           ("mulan/corel5k.zip", "corel5k/Corel5k.arff", "corel5k/Corel5k.xml", 150),
                                           ("mulan/enron.tar.bz2", "enron/enron.arff", "enron/enron.xml", 80),
                                           ("mulan/scene.tar.gz", "scene/scene-test.arff", "scene/scene.xml", 40)] {
            seeds.append(LoaderInput(name: arff, arff: head(try member(archive, arff), rows: rows),
                                     xml: Array(try member(archive, xml).utf8), layout: .mulan))
        }
        for (archive, arff, rows) in [("meka/Yeast.arff.bz2", "Yeast.arff", 60), ("meka/Music.arff", "Music.arff", 60)] {
            seeds.append(LoaderInput(name: arff, arff: head(try member(archive, arff), rows: rows), xml: nil, layout: .meka))
        }
        let handMade = [
            "% hand-made\n@relation 'toy: -C -2'\n@attribute 'a b' numeric\n@attribute c {x,'y z',\"w\"}\n@attribute n {1,0}\n"
                + "@attribute y1 {0,1}\n@attribute y2 numeric\n@data\n1.5,x,1,0,1\n-2e3,'y z',0,1,0\n?,\"w\",1,1,1\n0.25,x,?,0,1\n",
            "@relation 'sparse: -C 2'\n@attribute y1 {0,1}\n@attribute y2 {0,1}\n@attribute f1 numeric\n@attribute f2 {a,b,c}\n@data\n"
                + "{0 1,2 3.5}\n{1 1,3 c}\n{}\n{0 1, 1 1, 2 -1, 3 b}\n",
        ]
        for (index, text) in handMade.enumerated() {
            seeds.append(LoaderInput(name: "hand-made-\(index).arff", arff: Array(text.utf8), xml: nil, layout: .meka))
        }
        let mulanToy = "@relation toy\n@attribute f numeric\n@attribute 'L 1' {0,1}\n@attribute L2 {0,1}\n@data\n1,1,0\n2,0,1\n3,1,1\n"
        seeds.append(LoaderInput(name: "hand-made-mulan.arff", arff: Array(mulanToy.utf8),
                                 xml: Array("<labels xmlns=\"http://mulan.sourceforge.net/labels\"><label name=\"L 1\"/><label name=\"L2\"/></labels>".utf8),
                                 layout: .mulan))
        return seeds
    }

    // MARK: - Mutations

    static let tokens: [String] = ["1e39", "-1e39", "1e400", "nan", "NaN", "inf", "-inf", "Infinity", "0x1p3", "1e-50", "'", "\"", "{", "}",
                                   ",", "%", "?", "\\", "@data", "@attribute", "\0", "\r", " ", "\u{FEFF}", "é", "\u{202E}", "😀", "<", "&", "]]>"]
    static let unicodeNames = ["'名前 ünï'", "'😀'", "'a\u{0301}'", "'\u{202E}evil'", "\"x y\"", "'x,y'", "'{'", "L1"]

    /// One random mutation of `bytes`.
    static func mutate(_ bytes: [UInt8], _ random: inout Generator) -> [UInt8] {
        var bytes = bytes
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        func joined() -> [UInt8] { Array(lines.joined(separator: [0x0A])) }
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        let line = lines.isEmpty ? 0 : Int.random(in: 0..<lines.count, using: &random)
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            return bytes
        case 1:
            return Array(bytes.prefix(position))
        case 2:
            lines.insert(lines[line], at: line)
            return joined()
        case 3:
            lines.remove(at: line)
            return joined()
        case 4:
            let other = Int.random(in: 0..<lines.count, using: &random)
            lines.swapAt(line, other)
            return joined()
        case 5, 6:
            // Replace a value (between commas or blanks) by a special token.
            let token = Array(tokens.randomElement(using: &random)!.utf8)
            var start = position
            while start > 0, bytes[start - 1] != UInt8(ascii: ","), bytes[start - 1] != UInt8(ascii: " "), bytes[start - 1] != 0x0A { start -= 1 }
            var end = position
            while end < bytes.count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: " "), bytes[end] != 0x0A { end += 1 }
            bytes.replaceSubrange(start..<end, with: token)
            return bytes
        case 7:
            bytes.insert(contentsOf: Array(tokens.randomElement(using: &random)!.utf8), at: position)
            return bytes
        case 8:
            // Rename or duplicate an attribute.
            let attributes = lines.indices.filter { lines[$0].starts(with: Array("@attribute".utf8)) || lines[$0].starts(with: Array("@ATTRIBUTE".utf8)) }
            guard let target = attributes.randomElement(using: &random) else { return bytes }
            if Bool.random(using: &random) {
                lines.insert(lines[target], at: target + 1)
            } else {
                let text = String(decoding: lines[target], as: UTF8.self)
                let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
                if parts.count == 3 { lines[target] = Array("@attribute \(unicodeNames.randomElement(using: &random)!) \(parts[2])".utf8) }
            }
            return joined()
        default:
            // Structural: CRLF line ends, or a header/data boundary moved.
            if Bool.random(using: &random) { return Array(lines.map { $0 + [0x0D] }.joined(separator: [0x0A])) }
            lines.insert(Array("@data".utf8), at: line)
            return joined()
        }
    }

    // MARK: - Loader

    enum Outcome { case loaded, rejected }

    /// Loads one input from a folder as a catalog entry of an archive named `archive`.
    static func load(_ input: LoaderInput, archive: String, impute: ImputePolicy, folder: URL) throws -> Outcome {
        try Data(input.arff).write(to: folder.appendingPathComponent("d.arff"))
        if let xml = input.xml { try Data(xml).write(to: folder.appendingPathComponent("d.xml")) }
        let entry = CatalogEntry(name: "fuzz", layout: input.layout, archive: archive, sha256: String(repeating: "0", count: 64),
                                 data: ["d.arff"], xml: input.xml == nil ? nil : "d.xml")
        do {
            let loaded = try DatasetLoader.load(entry, from: folder, options: .init(impute: impute), origin: .catalog("fuzz.yaml"))
            let dataset = loaded.dataset
            let (n, d, q) = (dataset.count, dataset.featureCount, dataset.labelCount)
            #expect(n > 0 && d > 0 && q > 0 && dataset.labels.count == n * q && dataset.labels.allSatisfy { $0 <= 1 }, "\(input.name)")
            switch dataset.features {
            case let .dense(values):
                #expect(values.count == n * d && values.allSatisfy(\.isFinite), "\(input.name)")
            case let .compressedRows(csr):
                #expect(csr.indptr.count == n + 1 && Int(csr.indptr[n]) == csr.data.count && csr.data.allSatisfy(\.isFinite)
                        && csr.indices.allSatisfy { $0 >= 0 && Int($0) < d }, "\(input.name)")
            }
            #expect(dataset.attributes.flatMap { $0.role == .feature ? $0.columns : [] } == Array(0..<d), "\(input.name)")
            _ = try DatasetStatistics(dataset, file: archive)
            return .loaded
        } catch let error as DatasetError {
            #expect(error.description.contains(archive), "\(input.name): the message does not name the file: \(error)")
            return .rejected
        }
    }

    // MARK: - Archives

    /// Odd archives written by Python's tarfile/zipfile/gzip/bz2/lzma (fixed times, so the
    /// bytes are the same on every run), named by what they hold.
    static let archiveScript = #"""
        import bz2, gzip, io, lzma, os, sys, tarfile, warnings, zipfile
        warnings.simplefilter("ignore")
        out = sys.argv[1]
        arff = b"@relation 'a: -C 1'\n@attribute y {0,1}\n@attribute x numeric\n@data\n1,2\n0,3\n"
        def raw(name, data): open(os.path.join(out, name), "wb").write(data)
        compress = {"gz": lambda b: gzip.compress(b, mtime=0), "bz2": bz2.compress, "xz": lzma.compress, "": lambda b: b}
        def tar(name, entries, compression="gz"):
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as t:
                for entry in entries:
                    info = tarfile.TarInfo(entry[0]); info.mtime = 0
                    kind = entry[1]
                    if kind == "file": info.size = len(entry[2]); t.addfile(info, io.BytesIO(entry[2]))
                    elif kind == "dir": info.type = tarfile.DIRTYPE; t.addfile(info)
                    elif kind == "sym": info.type = tarfile.SYMTYPE; info.linkname = entry[2]; t.addfile(info)
                    elif kind == "hard": info.type = tarfile.LNKTYPE; info.linkname = entry[2]; t.addfile(info)
                    elif kind == "fifo": info.type = tarfile.FIFOTYPE; t.addfile(info)
                    elif kind == "chr": info.type = tarfile.CHRTYPE; info.devmajor = 1; info.devminor = 3; t.addfile(info)
            raw(name, compress[compression](buffer.getvalue()))
        def zipped(name, entries):
            with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_DEFLATED) as z:
                for entry_name, data in entries:
                    z.writestr(zipfile.ZipInfo(entry_name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        tar("ok.tar.gz", [("d", "dir"), ("d/a.arff", "file", arff)])
        tar("long-name.tar.gz", [("n" * 300 + ".arff", "file", arff)])
        tar("unicode.tar.gz", [("名前/ünï 😀.arff", "file", arff), ("\u202eevil.arff", "file", arff)])
        tar("dotdot.tar.gz", [("a/../../escape-fuzz", "file", b"x")])
        tar("absolute.tar.gz", [("/tmp/escape-fuzz-absolute", "file", b"x")])
        tar("symlink-out.tar.gz", [("l", "sym", "../../.."), ("l/x", "file", b"x")])
        tar("symlink-in.tar.gz", [("a.arff", "file", arff), ("b.arff", "sym", "a.arff")])
        tar("hardlink-out.tar.gz", [("h", "hard", "../escape-fuzz")])
        tar("hardlink-in.tar.gz", [("a.arff", "file", arff), ("b.arff", "hard", "a.arff")])
        tar("hardlink-missing.tar.gz", [("b.arff", "hard", "nothing-here")])
        tar("duplicate.tar.gz", [("a.arff", "file", arff), ("a.arff", "file", b"second")])
        tar("file-then-dir.tar.gz", [("a", "file", b"x"), ("a", "dir"), ("a/b", "file", b"y")])
        tar("dir-then-file.tar.gz", [("a", "dir"), ("a", "file", b"x")])
        tar("fifo.tar.gz", [("p", "fifo")])
        tar("device.tar.gz", [("null", "chr")])
        tar("deep.tar.gz", [("/".join(["d"] * 120) + "/a.arff", "file", arff)])
        tar("dot.tar.gz", [(".", "dir"), ("./a.arff", "file", arff)])
        tar("empty-name.tar.gz", [("", "file", b"x")])
        tar("many.tar.gz", [("f%05d" % i, "file", b"") for i in range(300)])
        tar("zero-size.tar.bz2", [("z.arff", "file", b"")], "bz2")
        tar("plain.tar", [("a.arff", "file", arff)], "")
        tar("xz.tar.xz", [("a.arff", "file", arff)], "xz")
        zipped("ok.zip", [("d/a.arff", arff)])
        zipped("dotdot.zip", [("../escape-fuzz-zip", b"x")])
        zipped("absolute.zip", [("/tmp/escape-fuzz-zip-absolute", b"x")])
        zipped("unicode.zip", [("ü/名.arff", arff)])
        zipped("duplicate.zip", [("a.arff", arff), ("a.arff", b"again")])
        zipped("dir-entries.zip", [("d/", b""), ("d/e/", b""), ("d/e/a.arff", arff)])
        zipped("empty.zip", [])
        zipped("backslash.zip", [("..\\escape-fuzz-backslash", b"x")])
        raw("text.arff.gz", gzip.compress(arff, mtime=0))
        raw("concatenated.arff.gz", gzip.compress(arff, mtime=0) + gzip.compress(b"0,4\n", mtime=0))
        raw("zeros.gz", gzip.compress(bytes(5000), mtime=0))
        raw("empty.gz", gzip.compress(b"", mtime=0))
        raw("bomb.arff.gz", gzip.compress(b"0,0,0,0,0,0,0,0,1,0\n" * 150000, compresslevel=1, mtime=0))
        raw("text.arff.bz2", bz2.compress(arff))
        raw("text.arff.xz", lzma.compress(arff))
        raw("zeros.tar.gz", gzip.compress(bytes(10240), mtime=0))
        raw("text-named.zip", arff)
        raw("text-named.tar.gz", gzip.compress(arff, mtime=0))
        raw("plain.arff", arff)
        raw("mtree.arff", b"#mtree\n./a type=file size=100000000\n./b type=dir\n")
        raw("empty.arff", b"")
        raw("nul.arff", bytes(100))
        """#

    /// Runs the unpacker on `archive` (named `display` in messages); checks what it left.
    static func unpack(_ archive: URL, display: String) -> Outcome {
        let parent = TestSupport.temporaryFolder("fuzz-unpack")
        defer { try? FileManager.default.removeItem(at: parent) }
        let target = parent.appendingPathComponent("source")
        do {
            let files = try Unpacker(limit: 2_000_000, entryLimit: 200).unpack(archive, into: target, displayName: display)
            for file in files {
                let resolved = target.appendingPathComponent(file).resolvingSymlinksInPath().path
                #expect(resolved.hasPrefix(target.resolvingSymlinksInPath().path), "\(display): \(file) escapes")
            }
            return .loaded
        } catch let error as DatasetError {
            #expect(error.description.contains(display), "\(display): the message does not name the file: \(error)")
            #expect(Fixtures.listing(parent).isEmpty, "\(display): left \(Fixtures.listing(parent))")
            return .rejected
        } catch {
            Issue.record("\(display): not a DatasetError: \(error)")
            return .rejected
        }
    }

    @Test func corpus() throws {
        var random = Generator(state: 12)
        let watchdog = Watchdog()
        defer { watchdog.stop() }
        var counts: [String: Int] = [:]
        let seeds = try Self.seeds()

        // Loader: every seed as is, then 1,000 mutants (one to three mutations each; XML mutated too).
        let work = TestSupport.temporaryFolder("fuzz-load")
        defer { try? FileManager.default.removeItem(at: work) }
        for index in 0..<(seeds.count + 1_000) {
            var input = seeds[index % seeds.count]
            if index >= seeds.count {
                let mutations = Int.random(in: 1...3, using: &random)
                for _ in 0..<mutations {
                    if input.xml != nil && Int.random(in: 0..<5, using: &random) == 0 {
                        input.xml = Self.mutate(input.xml!, &random)
                    } else {
                        input.arff = Self.mutate(input.arff, &random)
                    }
                }
            }
            let folder = work.appendingPathComponent("\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let archive = "fuzz-\(index).tar.gz"
            watchdog.begin("loader \(index) (\(input.name))")
            let outcome = try Self.load(input, archive: archive, impute: index % 2 == 0 ? .error : .zero, folder: folder)
            watchdog.end()
            counts["loader \(outcome)", default: 0] += 1
            try? FileManager.default.removeItem(at: folder)
        }

        // Unpacker: odd archives, the mirror's small real archives, and byte-level mutants of both.
        let archives = TestSupport.temporaryFolder("fuzz-archives")
        defer { try? FileManager.default.removeItem(at: archives) }
        try Fixtures.python(Self.archiveScript, [archives.path])
        for real in ["mulan/flags.tar.xz", "meka/Enron.arff.bz2", "mulan/enron.tar.bz2"] {
            try FileManager.default.copyItem(at: Fixtures.mirror.appendingPathComponent(real),
                                             to: archives.appendingPathComponent("real-" + (real as NSString).lastPathComponent))
        }
        let originals = try FileManager.default.contentsOfDirectory(atPath: archives.path).sorted()
        var mutants = 0
        for (index, name) in originals.enumerated() {
            let original = archives.appendingPathComponent(name)
            let display = "fuzz-archive-\(index)-\(name)"
            watchdog.begin(display)
            counts["unpacker \(Self.unpack(original, display: display))", default: 0] += 1
            watchdog.end()
            let bytes = [UInt8](try Data(contentsOf: original))
            guard bytes.count < 2_000_000 else { continue }
            for variant in 0..<6 {
                var mutated = bytes
                if variant < 2 {
                    mutated = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                } else {
                    for _ in 0..<variant where !mutated.isEmpty {
                        mutated[Int.random(in: 0..<mutated.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                    }
                }
                let file = archives.appendingPathComponent("mutant-\(variant)-\(name)")
                try Data(mutated).write(to: file)
                let mutantDisplay = "fuzz-archive-\(index)-\(variant)-\(name)"
                watchdog.begin(mutantDisplay)
                counts["unpacker \(Self.unpack(file, display: mutantDisplay))", default: 0] += 1
                watchdog.end()
                mutants += 1
                try FileManager.default.removeItem(at: file)
            }
        }
        for escaped in ["/tmp/escape-fuzz-absolute", "/tmp/escape-fuzz-zip-absolute"] {
            #expect(!FileManager.default.fileExists(atPath: escaped))
        }
        let loaderTotal = counts["loader loaded", default: 0] + counts["loader rejected", default: 0]
        let unpackerTotal = counts["unpacker loaded", default: 0] + counts["unpacker rejected", default: 0]
        print("fuzz: \(loaderTotal + unpackerTotal) inputs; loader \(loaderTotal) (\(counts["loader loaded", default: 0]) loaded, "
              + "\(counts["loader rejected", default: 0]) rejected naming the file); unpacker \(unpackerTotal) "
              + "(\(originals.count) archives + \(mutants) mutants: \(counts["unpacker loaded", default: 0]) unpacked, "
              + "\(counts["unpacker rejected", default: 0]) rejected naming the file); "
              + "slowest \(watchdog.slowest.name) \(String(format: "%.2f", watchdog.slowest.seconds)) s")
        #expect(loaderTotal + unpackerTotal >= 1_000)
    }
}
