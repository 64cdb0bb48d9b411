import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite struct ToolsTests {
    @Test func lowerCasePipelinesFolderResolves() throws {
        let base = TestSupport.temporaryFolder()
        try FileManager.default.createDirectory(at: base.appendingPathComponent("Pipelines"), withIntermediateDirectories: true)
        try "stages: {}\n".write(to: base.appendingPathComponent("Pipelines/demo.yaml"), atomically: true, encoding: .utf8)
        let expected = base.appendingPathComponent("Pipelines/demo.yaml").standardizedFileURL
        #expect(try PipelineFileLocator.locate("pipelines/demo.yaml", base: base) == expected)
        #expect(try PipelineFileLocator.locate("Pipelines/demo.yaml", base: base) == expected)
        #expect(try PipelineFileLocator.locate("demo", base: base) == expected)
        #expect(PipelineFileLocator.displayPath(of: expected, base: base) == "Pipelines/demo.yaml")
        do {
            _ = try PipelineFileLocator.locate("Pipelines/dmeo.yaml", base: base)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "Pipelines/dmeo.yaml: no such pipeline file; available: Pipelines/demo.yaml")
        }
    }

    @Test func secondLockHolderIsRefusedWithThePID() throws {
        let folder = TestSupport.temporaryFolder()
        let first = try ArtifactLock(folder: folder, wait: false)
        #expect(throws: PipelineError.locked(folder: folder.path, holder: "PID \(getpid())")) {
            _ = try ArtifactLock(folder: folder, wait: false)
        }
        withExtendedLifetime(first) {}
        #expect(PipelineError.locked(folder: "A/x", holder: "PID 12").description
            == "A/x is in use by another `pipeline` run (PID 12). Wait for it to finish, or pass --wait to queue behind it.")
    }

    /// A refused lock closes its descriptor once (see StageLockTests).
    @Test func refusedLockNeverClosesAnotherDescriptor() throws {
        let folder = TestSupport.temporaryFolder()
        let held = try ArtifactLock(folder: folder, wait: false)
        let probed = folder.appendingPathComponent("probe").path
        try #require(FileManager.default.createFile(atPath: probed, contents: Data("x".utf8)))
        let failures = TestSupport.failedProbes(iterations: 3000, racing: { _ = try? ArtifactLock(folder: folder, wait: false) },
                                                probe: { TestSupport.descriptorSurvives(probed) })
        #expect(failures == 0, "\(failures) descriptors were closed while still in use")
        withExtendedLifetime(held) {}
    }

    @Test func lockIsFreeAgainAfterRelease() throws {
        let folder = TestSupport.temporaryFolder()
        do { _ = try ArtifactLock(folder: folder, wait: false) }
        _ = try ArtifactLock(folder: folder, wait: false)
    }
}
