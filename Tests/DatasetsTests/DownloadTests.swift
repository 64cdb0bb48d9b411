import Formats
import Artifacts
import Datasets
import Foundation
import Testing
import TestSupport

/// Downloads against a real HTTP server on the loopback interface, serving a mirror file.
@Suite struct DownloadTests {
    static let musicURL = TestSupport.datasetsMirror.appendingPathComponent("meka/Music.arff")
    static let musicSHA = "276be786e33b2ec11b91147483aa5758d8df6eb8b55f8ac82e5e0b231f0270b5"
    let fast = Downloader(attempts: 3, retryDelay: 0, timeout: 10)

    private func body() throws -> [UInt8] { [UInt8](try Data(contentsOf: Self.musicURL)) }

    /// Thread-safe record of progress callbacks.
    final class ProgressLog: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(Int64, Int64?)] = []
        func add(_ received: Int64, _ total: Int64?) { lock.lock(); entries.append((received, total)); lock.unlock() }
        var all: [(Int64, Int64?)] { lock.lock(); defer { lock.unlock() }; return entries }
    }

    @Test func downloadsWithProgress() throws {
        let server = try LoopbackServer(body: try body())
        defer { server.stop() }
        let destination = TestSupport.temporaryFolder().appendingPathComponent("Music.arff")
        let log = ProgressLog()
        try fast.download(server.url("Music.arff"), to: destination) { log.add($0, $1) }
        #expect(try SHA256.hex(ofFile: destination) == Self.musicSHA)
        let entries = log.all
        #expect(!entries.isEmpty)
        #expect(entries.last?.0 == Int64(server.body.count))
        #expect(entries.allSatisfy { $0.1 == Int64(server.body.count) })
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.0 <= $1.0 })
        #expect(!FileManager.default.fileExists(atPath: Downloader.partialURL(for: destination).path))
    }

    @Test func resumesWithRangeAfterADroppedConnection() throws {
        let server = try LoopbackServer(body: try body(), script: [.serve(cutAfter: 150_000)])
        defer { server.stop() }
        let destination = TestSupport.temporaryFolder().appendingPathComponent("Music.arff")
        try fast.download(server.url("Music.arff"), to: destination)
        #expect(try SHA256.hex(ofFile: destination) == Self.musicSHA)
        let ranges = server.ranges
        #expect(ranges.count == 2)
        #expect(ranges.first == .some(nil))
        #expect(ranges.last == "bytes=150000-")
    }

    @Test func resumesAPartialFileLeftByAnEarlierRun() throws {
        let bytes = try body()
        let server = try LoopbackServer(body: bytes)
        defer { server.stop() }
        let destination = TestSupport.temporaryFolder().appendingPathComponent("Music.arff")
        try Data(bytes.prefix(1000)).write(to: Downloader.partialURL(for: destination))
        try fast.download(server.url("Music.arff"), to: destination)
        #expect(try SHA256.hex(ofFile: destination) == Self.musicSHA)
        #expect(server.ranges == ["bytes=1000-"])
    }

    @Test func retriesAfterServerErrors() throws {
        let server = try LoopbackServer(body: try body(), script: [.status(503), .status(500)])
        defer { server.stop() }
        let destination = TestSupport.temporaryFolder().appendingPathComponent("Music.arff")
        try fast.download(server.url("Music.arff"), to: destination)
        #expect(try SHA256.hex(ofFile: destination) == Self.musicSHA)
        #expect(server.ranges.count == 3)
    }

    @Test func givesUpAfterTheLastAttempt() throws {
        let server = try LoopbackServer(body: try body(), script: [.status(503), .status(503), .status(503)])
        defer { server.stop() }
        let destination = TestSupport.temporaryFolder().appendingPathComponent("Music.arff")
        #expect(throws: DatasetError.self) { try fast.download(server.url("Music.arff"), to: destination) }
        #expect(server.ranges.count == 3)
        #expect(!FileManager.default.fileExists(atPath: destination.path))
    }

    @Test func notFoundIsNotRetried() throws {
        let server = try LoopbackServer(body: try body(), script: [.status(404)])
        defer { server.stop() }
        let destination = TestSupport.temporaryFolder().appendingPathComponent("Music.arff")
        #expect(throws: DatasetError.download(url: server.url("x").absoluteString, reason: "HTTP 404")) {
            try fast.download(server.url("x"), to: destination)
        }
        #expect(server.ranges.count == 1)
    }

    @Test func refusedConnectionIsAnError() throws {
        let server = try LoopbackServer(body: [])
        let url = server.url("Music.arff")
        server.stop()
        let destination = TestSupport.temporaryFolder().appendingPathComponent("Music.arff")
        #expect(throws: DatasetError.self) { try Downloader(attempts: 2, retryDelay: 0, timeout: 5).download(url, to: destination) }
    }

    @Test func checksumMismatchDeletesTheDownload() throws {
        var corrupt = try body()
        corrupt[100] ^= 0xFF
        let server = try LoopbackServer(body: corrupt)
        defer { server.stop() }
        let cache = TestSupport.temporaryFolder("cache")
        let locator = ArchiveLocator(mirrors: [], cache: cache, downloader: fast)
        do {
            _ = try locator.locate(archive: "meka/Music.arff", sha256: Self.musicSHA, urls: [server.url("Music.arff").absoluteString])
            Issue.record("a corrupt download was accepted")
        } catch let error as DatasetError {
            guard case let .checksumMismatch(file, expected, _, deleted) = error else { Issue.record("wrong error \(error)"); return }
            #expect(deleted && expected == Self.musicSHA && file.hasSuffix("meka/Music.arff"))
        }
        #expect(Fixtures.listing(cache).allSatisfy { !$0.hasSuffix(".arff") && !$0.hasSuffix(".part") })
    }

    /// The whole fetch stage, downloading from the loopback server into the cache (no mirror).
    @Test func fetchStageDownloadsIntoTheCache() throws {
        let server = try LoopbackServer(body: try body())
        defer { server.stop() }
        var options = Fixtures.options("music")
        options.parameters.mirror = []
        options.parameters.url = [server.url("Music.arff").absoluteString]
        options.downloader = fast
        let meta = try FetchStage.run(options)
        #expect(meta.statistics.instances == 592)
        #expect(FileManager.default.fileExists(atPath: URL(fileURLWithPath: options.parameters.cache).appendingPathComponent("meka/Music.arff").path))
        let manifest = try Manifest.read(from: options.output)
        #expect(manifest.inputs.first?.path == server.url("Music.arff").absoluteString)
        // A second run finds the verified file in the cache and does not download again.
        options.output = TestSupport.temporaryFolder().appendingPathComponent("again")
        options.parameters.url = []
        _ = try FetchStage.run(options)
        #expect(server.ranges.count == 1)
    }
}
