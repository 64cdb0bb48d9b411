import Artifacts
import Foundation
import Testing
import TestSupport

@Suite struct OutputDigestTests {
    /// Logs and TensorBoard event files hold wall-clock times, so they stay out of the output digest.
    @Test func outputHashesSkipLogsEventFilesAndHiddenFiles() throws {
        let folder = TestSupport.temporaryFolder("digest")
        for name in ["a.npy", "model.safetensors", "stage.log", "events.out.tfevents.mlbatch", "events.out.tfevents.1700000000.host.1.0",
                     ".a.npy.tmp-1", Manifest.fileName] {
            try Data(name.utf8).write(to: folder.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("drift"), withIntermediateDirectories: true)
        try Data([1]).write(to: folder.appendingPathComponent("drift/x.npy"))
        #expect(try Manifest.hashOutputs(in: folder).keys.sorted() == ["a.npy", "drift/x.npy", "model.safetensors"])
        #expect(!Manifest.isDigested("run.tfevents"))
        #expect(Manifest.isDigested("epochs.csv"))
    }
}
