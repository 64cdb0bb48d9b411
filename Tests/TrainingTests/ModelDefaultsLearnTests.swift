import Formats
import Foundation
import Testing
import TestSupport

/// Every model learns at its defaults: a `train` command naming only the model (no lr, weight
/// decay or hyper-parameter) reaches a test Macro-AUC clearly above chance on emotions and scene
/// after a few epochs, and run.json says which defaults applied. (The 100-epoch figures:
/// docs/evidence.md, "Every model at its defaults".)
@Suite(.serialized) struct ModelDefaultsLearnTests {
    /// Fetches `dataset` from the mirror and splits it as the protocol does.
    static func prepare(_ dataset: String, in folder: URL) throws -> [String] {
        let fetch = folder.appendingPathComponent("fetch").path, split = folder.appendingPathComponent("split").path
        let fetched = try TestSupport.runProduct("fetch", ["--dataset", dataset, "--mirror", TestSupport.datasetsMirror.path,
                                                           "--catalog", TestSupport.packageRoot.appendingPathComponent("Datasets/catalog.yaml").path,
                                                           "--cache", folder.appendingPathComponent("cache").path, "--output", fetch])
        try #require(fetched.status == 0, "\(fetched.standardError)")
        let splitRun = try TestSupport.runProduct("split", ["--dataset", fetch, "--output", split, "--drop-labels-at-most", "20"])
        try #require(splitRun.status == 0, "\(splitRun.standardError)")
        return ["--dataset", fetch, "--split", split]
    }

    @Test(arguments: [("emotions", 8), ("scene", 4)]) func everyModelLearnsAtItsDefaults(dataset: String, epochs: Int) throws {
        let folder = TestSupport.temporaryFolder("model-defaults-\(dataset)")
        let inputs = try Self.prepare(dataset, in: folder)
        for model in ModelKind.allCases {
            let output = folder.appendingPathComponent(model.rawValue)
            let run = try TestSupport.runProduct("train", inputs + ["--output", output.path, "--model", model.rawValue, "--selector", "random",
                                                                    "--epochs", "\(epochs)", "--warmup-epochs", "1", "--threads", "1",
                                                                    "--tensorboard", "false"])
            try #require(run.status == 0, "\(model): \(run.standardError)")
            let auc = try #require(try JSONDecoder().decode(TestMetrics.self, from: Data(contentsOf: output.appendingPathComponent(TrainFiles.testMetrics)))[.macroAUC])
            #expect(auc > 0.7, "\(model) on \(dataset): test Macro-AUC \(auc) after \(epochs) epochs at its defaults")
            let description = try RunDescription.read(from: output)
            #expect(description.parameters.lr == model.defaults.lr && description.parameters.weightDecay == model.defaults.weightDecay)
            #expect(description.modelDefaults?["lr"] != nil && description.modelDefaults?["weight_decay"] != nil, "\(model): \(String(describing: description.modelDefaults))")
        }
    }
}
