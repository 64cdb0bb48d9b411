import Artifacts
import Formats
import Foundation
import Testing
import TestSupport

@Suite struct StageLockTests {
    @Test func secondHolderIsRefusedAndTheLockIsFreeAfterRelease() throws {
        let folder = TestSupport.temporaryFolder("stage-lock")
        do {
            let first = try StageLock(folder: folder)
            #expect(throws: StageLockError.self) { _ = try StageLock(folder: folder) }
            #expect(StageLock.holder(of: folder)?.pid == getpid())
            withExtendedLifetime(first) {}
        }
        _ = try StageLock(folder: folder)
    }

    /// A refused lock closes its descriptor once: closing it a second time, after another thread
    /// had opened a file under the same number, closed that file underneath it.
    @Test func refusedLockNeverClosesAnotherDescriptor() throws {
        let folder = TestSupport.temporaryFolder("stage-lock")
        let held = try StageLock(folder: folder)
        let probed = folder.appendingPathComponent("probe").path
        try #require(FileManager.default.createFile(atPath: probed, contents: Data("x".utf8)))
        let failures = TestSupport.failedProbes(iterations: 3000, racing: { _ = try? StageLock(folder: folder) },
                                                probe: { TestSupport.descriptorSurvives(probed) })
        #expect(failures == 0, "\(failures) descriptors were closed while still in use")
        withExtendedLifetime(held) {}
    }
}
