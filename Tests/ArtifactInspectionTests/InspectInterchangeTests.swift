import ArtifactInspection
import Foundation
import NumpyIO
import SafetensorsIO
import TensorBoardEvents
import Testing
import TestSupport

/// `pipeline inspect` on the files written for Python tools.
@Suite struct InspectInterchangeTests {
    @Test func inspectListsSafetensorsNamesAndShapes() throws {
        let url = TestSupport.temporaryFolder().appendingPathComponent("model.safetensors")
        try SafetensorsFile.write([("layers.0.weight", NpyArray([Float](repeating: 0, count: 6), shape: [2, 3])),
                                   ("layers.0.bias", NpyArray([Float(0), 0], shape: [2]))], metadata: ["format": "pt"], to: url)
        let text = try ArtifactInspector.describe(url)
        #expect(text.contains("safetensors: 2 tensors, 32 bytes of data; metadata: format=pt"))
        #expect(text.contains("  layers.0.weight  F32   [2, 3]"))
        #expect(text.contains("  layers.0.bias    F32   [2]"))
    }

    @Test func inspectListsScalarTagsWithTheirLastValues() throws {
        let url = TestSupport.temporaryFolder().appendingPathComponent("events.out.tfevents.mlbatch")
        let writer = try EventFileWriter(creating: url, wallTime: 1_700_000_000)
        try writer.write(Event(wallTime: 1_700_000_000, step: 0, summary: [
            HParams.sessionStart(["selector": .string("uncertainty"), "lr": .number(0.001)], startTime: 1_700_000_000),
            .text("parameters", "| a | b |"),
        ]))
        for epoch in 1...3 {
            try writer.write(Event(wallTime: 1_700_000_000 + Double(epoch), step: Int64(epoch),
                                   summary: [.scalar("loss/train", 1 / Float(epoch)), .scalar("macro_auc/validation", 0.5 + Float(epoch) / 10)]))
        }
        let text = try ArtifactInspector.describe(url)
        #expect(text.contains("TensorBoard event file (brain.Event:2): 5 events, steps 0–3"))
        #expect(text.contains("wall time: 2023-11-14T22:13:20Z → 2023-11-14T22:13:23Z"))
        #expect(text.contains("hyper-parameters (HParams): lr=0.001, selector=uncertainty"))
        #expect(text.contains("scalars: 2 tags (points, last step, last value)"))
        #expect(text.contains("  loss/train            3  step 3  0.33333334"))
        #expect(text.contains("  macro_auc/validation  3  step 3  0.8"))
        #expect(text.contains("other summaries: _hparams_/session_start_info, parameters"))
    }
}
