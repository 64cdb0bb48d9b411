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
}
