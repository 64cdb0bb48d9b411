import Artifacts
import Foundation
import Testing
import TestSupport

@Suite struct ArtifactsTests {
    let folder = TestSupport.temporaryFolder("artifacts-tests")

    @Test func sha256OfKnownVector() throws {
        #expect(SHA256.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let url = folder.appendingPathComponent("abc.txt")
        try AtomicFile.write("abc", to: url)
        #expect(try SHA256.hex(ofFile: url) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// A full device (`/dev/full` answers every write with ENOSPC) is reported as "no space left
    /// on device writing FILE" with the fix, not as Foundation's raw NSCocoaErrorDomain dump.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDeviceIsNamedWithTheFix() throws {
        let full = URL(fileURLWithPath: "/dev/full")
        var raw: (any Error)?
        do { try Data([1, 2, 3]).write(to: full) } catch { raw = error }
        let error = try #require(raw)
        #expect("\(error)".contains("NSCocoaErrorDomain"))
        #expect(ArtifactError.message(for: error) == "no space left on device writing /dev/full; free space and run again "
                + "(a pipeline run resumes where it stopped; nothing half-written is kept)")
        // Through an atomic write: named after the destination, and no temporary file is left.
        let url = folder.appendingPathComponent("out.npy")
        #expect(throws: ArtifactError.noSpace(path: url.path)) {
            try AtomicFile.write(to: url) { _ in try Data([1]).write(to: full) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        // A FileHandle write error names no file: the message still says what happened.
        var handleError: (any Error)?
        do {
            let handle = try FileHandle(forWritingTo: full)
            defer { try? handle.close() }
            try handle.write(contentsOf: Data([1, 2, 3]))
        } catch { handleError = error }
        #expect(ArtifactError.message(for: try #require(handleError)).hasPrefix("no space left on device writing an output file;"))
        #expect(ArtifactError.message(for: CocoaError(.fileWriteNoPermission)) == "\(CocoaError(.fileWriteNoPermission))")
    }
}
