import Formats
import Foundation
import TensorBoardEvents
import Testing
import TestSupport
import Training

@Suite struct TrainingEventsTests {
    private func record(_ epoch: Int) -> EpochRecord {
        EpochRecord(epoch: epoch, trainLoss: 1 / Double(epoch), validationLoss: 0.5, validationMacroAUC: 0.6, pressure: 100,
                    seconds: 0.2, selectionSeconds: 0.01)
    }

    private func trainLossSteps(_ folder: URL) throws -> [Int64] {
        try EventFile.read(folder.appendingPathComponent(TrainFiles.events)).scalars.first { $0.tag == "loss/train" }?.points.map(\.step) ?? []
    }

    @Test func resumingCutsTheEpochsAfterTheCheckpoint() throws {
        let folder = TestSupport.temporaryFolder("training-events")
        let events = try TrainingEvents(folder: folder, hyperParameters: ["selector": "uncertainty"], completed: [])
        for epoch in 1...3 { try events.record(record(epoch)) }
        // Killed after epoch 3, resumed from the checkpoint of epoch 2.
        let resumed = try TrainingEvents(folder: folder, hyperParameters: ["selector": "uncertainty"], completed: [record(1), record(2)])
        #expect(try trainLossSteps(folder) == [1, 2])
        try resumed.record(record(3))
        try resumed.finish(TestMetrics(bestEpoch: 3, bestValidationMacroAUC: 0.7, metrics: [.macroAUC: 0.7]))
        let contents = try EventFile.read(folder.appendingPathComponent(TrainFiles.events))
        #expect(contents.scalars.map(\.tag).last == "test/macro_auc")
        #expect(try trainLossSteps(folder) == [1, 2, 3])
        #expect(contents.events.filter { ($0.summary ?? []).contains { $0.tag == HParams.sessionStartTag } }.count == 1)
    }

    @Test func aMissingFileIsRebuiltFromTheCheckpointsRecords() throws {
        let folder = TestSupport.temporaryFolder("training-events")
        _ = try TrainingEvents(folder: folder, hyperParameters: ["lr": "0.0001"], completed: [record(1), record(2)])
        let contents = try EventFile.read(folder.appendingPathComponent(TrainFiles.events))
        #expect(contents.hyperParameters == ["lr": .number(0.0001)])
        #expect(try trainLossSteps(folder) == [1, 2])
        #expect(contents.scalars.first { $0.tag == "loss/train" }?.points.map(\.value) == [1, 0.5])
    }

    /// Issue 20, item 1: a finish killed after the test events is done again from the last
    /// epoch's checkpoint; the test events must not appear twice.
    @Test func aRepeatedFinishWritesTheTestEventsOnce() throws {
        let folder = TestSupport.temporaryFolder("training-events")
        let metrics = TestMetrics(bestEpoch: 2, bestValidationMacroAUC: 0.7, metrics: [.macroAUC: 0.7])
        let events = try TrainingEvents(folder: folder, hyperParameters: ["selector": "random"], completed: [])
        for epoch in 1...3 { try events.record(record(epoch)) }
        try events.finish(metrics)
        let again = try TrainingEvents(folder: folder, hyperParameters: ["selector": "random"], completed: [record(1), record(2), record(3)])
        try again.finish(metrics)
        let contents = try EventFile.read(folder.appendingPathComponent(TrainFiles.events))
        #expect(contents.scalars.first { $0.tag == "test/macro_auc" }?.points.map(\.step) == [2])
        #expect(try trainLossSteps(folder) == [1, 2, 3])
        #expect(contents.events.filter { ($0.summary ?? []).contains { $0.tag == HParams.sessionEndTag } }.count == 1)
    }
}
