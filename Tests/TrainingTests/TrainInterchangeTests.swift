import Formats
import Artifacts
import Foundation
import NumpyIO
import SafetensorsIO
import TensorBoardEvents
import Testing
import TestSupport
import Training

/// The files a train run writes for Python tools: the TensorBoard event file and model.safetensors.
extension TrainStageTests {
    @Test func eventFileHoldsTheEpochsAndTheSafetensorsTheModel() throws {
        let folder = TestSupport.temporaryFolder("train-interchange")
        let inputs = try prepareEmotions(in: folder)
        let output = folder.appendingPathComponent("run")
        let result = try TestSupport.runProduct("train", trainArguments(inputs, output: output, selector: "uncertainty", epochs: 8))
        try #require(result.status == 0, "\(result.standardError)")

        let events = try EventFile.read(output.appendingPathComponent(TrainFiles.events))
        #expect(events.events.first?.fileVersion == "brain.Event:2" && events.tornBytes == 0)
        let scalars = Dictionary(uniqueKeysWithValues: events.scalars.map { ($0.tag, $0.points) })
        let rows = try EpochRecord.readCSV(from: output)
        #expect(rows.count == 8)
        let columns: [(String, (EpochRecord) -> Double)] = [("loss/train", \.trainLoss), ("loss/validation", \.validationLoss),
                                                            ("macro_auc/validation", \.validationMacroAUC), ("selection/pressure", \.pressure)]
        for (tag, column) in columns {
            let points = try #require(scalars[tag], "\(tag) missing")
            #expect(points.map(\.step) == Array(1...8), "\(tag)")
            #expect(points.map(\.value) == rows.map { Float(column($0)) }, "\(tag)")
        }
        // timings.csv prints the selection time to 4 decimals.
        let seconds = try #require(scalars["selection/seconds"])
        for (point, row) in zip(seconds, rows) { #expect(abs(Double(point.value) - row.selectionSeconds) <= 0.5e-4 + 1e-7) }

        let test = try TestMetrics.read(from: output)
        #expect(MetricName.allCases.allSatisfy { test[$0] != nil })
        for name in MetricName.allCases {
            let points = scalars["test/\(name.rawValue)"]
            #expect(points?.count == 1 && points?.first?.step == Int64(test.bestEpoch) && points?.first?.value == Float(test[name]!), "\(name)")
        }
        let hyperParameters = try #require(events.hyperParameters)
        #expect(hyperParameters["selector"] == .string("uncertainty") && hyperParameters["epochs"] == .number(8)
            && hyperParameters["dataset"] == .string("emotions"))
        let tags = Set(events.events.flatMap { ($0.summary ?? []).map(\.tag) })
        #expect(tags.isSuperset(of: [HParams.sessionStartTag, HParams.sessionEndTag, "parameters"]))

        // model.safetensors holds model.npz's arrays; the event file stays out of the output digest.
        let weights = try SafetensorsFile.read(output.appendingPathComponent("model.safetensors"))
        let archive = try NpzFile.read(output.appendingPathComponent("model.npz"))
        #expect(Set(weights.keys) == Set(archive.keys) && weights.keys.contains("layers.0.weight"))
        for (name, array) in archive { #expect(weights[name]?.header == array.header && weights[name]?.bytes == array.bytes, "\(name)") }
        let manifest = try Manifest.read(from: output)
        #expect(manifest.outputs["model.safetensors"] != nil)
        #expect(manifest.outputs[TrainFiles.events] == nil)
    }
}
