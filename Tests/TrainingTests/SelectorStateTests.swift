import StageKit
import Formats
import Foundation
import Selectors
import Testing
import TestSupport
@testable import Training

/// The selector part of a checkpoint: the window is saved one slot per file, and a slot unchanged
/// since the previous checkpoint is hard-linked from it rather than written again.
@Suite struct SelectorStateTests {
    static func selector() -> any BatchSelector {
        BatchSelectors.make(parameters: TrainParameters().with { $0.selector = .uncertainty; $0.window = 3; $0.batchSize = 2 },
                                labels: [UInt8](repeating: 0, count: 8), labelCount: 2, seed: 1)
    }

    static func linkCount(_ url: URL) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.referenceCount] as? Int)
    }

    @Test func unchangedSlotsAreLinkedAndTheStateReadsBack() throws {
        let folder = TestSupport.temporaryFolder("selector-state")
        let first = folder.appendingPathComponent("checkpoint-1"), second = folder.appendingPathComponent("checkpoint-2")
        for url in [first, second] { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        let selector = Self.selector()
        for epoch in 1...3 { selector.observe(epoch: epoch, probabilities: (0..<8).map { Float($0 + epoch) / 20 }) }
        try SelectorState.write(selector.checkpoint(), into: first, previous: nil)
        selector.observe(epoch: 4, probabilities: [Float](repeating: 0.5, count: 8))  // overwrites slot 0 only
        try SelectorState.write(selector.checkpoint(), into: second, previous: first)

        func slot(_ folder: URL, _ s: Int) -> URL { folder.appendingPathComponent("selector-window-slot-\(s).npy") }
        #expect(try Self.linkCount(slot(second, 0)) == 1)
        #expect(try Self.linkCount(slot(second, 1)) == 2 && Self.linkCount(slot(second, 2)) == 2)
        let restored = Self.selector()
        try restored.restore(SelectorState.read(from: second))
        #expect(restored.checkpoint() == selector.checkpoint())
        #expect(restored.plan(epoch: 9).indices == selector.plan(epoch: 9).indices)
    }

    /// A selector about to be restored holds no window of its own: the window [T, n, q] is
    /// allocated by the first record, so a resumed run never holds a fresh window beside the
    /// restored one (at q = 4,000, n = 16,000 a resumed train run peaked at 3.75 GB; 1.28 GB each).
    /// A checkpoint taken before any record restores too.
    @Test func aWindowIsAllocatedByItsFirstRecord() throws {
        var window = PredictionWindow(capacity: 3, sampleCount: 4, labelCount: 2)
        #expect(window.storage.isEmpty)
        let fresh = Self.selector()
        #expect(fresh.checkpoint().window.isEmpty)
        let untouched = Self.selector()
        try untouched.restore(fresh.checkpoint())
        #expect(untouched.checkpoint() == fresh.checkpoint() && untouched.plan(epoch: 9).indices == fresh.plan(epoch: 9).indices)
        [Float](repeating: 0.25, count: 8).withUnsafeBufferPointer { window.recordAll(values: $0) }
        #expect(window.storage.count == 24 && window.storage[0..<8].allSatisfy { $0 == 0.25 } && window.storage[8...].allSatisfy { $0 == 0 })
    }
}
