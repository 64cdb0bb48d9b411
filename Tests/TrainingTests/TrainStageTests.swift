import Formats
import Foundation
import NumpyIO
import OptimiserChoices
import TensorBoardEvents
import Testing
import TestSupport
import Training

/// End-to-end runs of the real `fetch`, `split` and `train` executables on emotions from the mirror.
@Suite(.serialized) struct TrainStageTests {
    /// Fetches and splits emotions once into `folder`.
    func prepareEmotions(in folder: URL) throws -> (dataset: String, split: String) {
        let dataset = folder.appendingPathComponent("fetch").path, split = folder.appendingPathComponent("split").path
        let fetch = try TestSupport.runProduct("fetch", ["--dataset", "emotions", "--mirror", TestSupport.datasetsMirror.path,
                                                         "--catalog", TestSupport.packageRoot.appendingPathComponent("Datasets/catalog.yaml").path,
                                                         "--cache", folder.appendingPathComponent("cache").path, "--output", dataset])
        try #require(fetch.status == 0, "\(fetch.standardError)")
        let splitRun = try TestSupport.runProduct("split", ["--dataset", dataset, "--output", split, "--seed", "7"])
        try #require(splitRun.status == 0, "\(splitRun.standardError)")
        return (dataset, split)
    }

    func trainArguments(_ inputs: (dataset: String, split: String), output: URL, selector: String = "uncertainty",
                                epochs: Int = 12) -> [String] {
        ["--dataset", inputs.dataset, "--split", inputs.split, "--fold", "1", "--output", output.path, "--epochs", "\(epochs)",
         "--warmup-epochs", "3", "--batch-size", "64", "--lr", "1e-3", "--selector", selector, "--threads", "1"]
    }

    private let arrays = ["predictions.npy", "correlation.npy", "weights.npy", "selected.npy", "train-indices.npy",
                          "prediction-epochs.npy", "model.npz", "model.safetensors"]

    /// `train --help` lists every model's hyper-parameters after the stage's parameters.
    @Test func helpListsEveryModelsHyperParameters() throws {
        let help = try TestSupport.runProduct("train", ["--help"])
        #expect(help.status == 0)
        for row in ["| mlp | `hidden_width` | `256` |", "| clif | `label_graph` |", "| dela | `latent_dimension` | `0` (0 means",
                    "| mpvae | `z_dim` | the label count q |"] {
            #expect(help.standardOutput.contains(row), "\(row) missing from train --help")
        }
    }

    /// Each history encoding: uint8 (the default) and float16.
    @Test(arguments: ["uint8", "float16"]) func killedRunResumesToTheSameArtifacts(encoding: String) throws {
        let folder = TestSupport.temporaryFolder("train-resume-\(encoding)")
        let inputs = try prepareEmotions(in: folder)
        let reference = folder.appendingPathComponent("reference"), resumed = folder.appendingPathComponent("resumed")
        let arguments = { (output: URL) in self.trainArguments(inputs, output: output) + ["--history-dtype", encoding] }
        let complete = try TestSupport.runProduct("train", arguments(reference))
        try #require(complete.status == 0, "\(complete.standardError)")
        #expect(complete.standardOutput.contains("epoch 12/12 loss="))

        // Start the same run, kill it (SIGKILL) once it reports epoch 6, then rerun the same command.
        let process = Process()
        process.executableURL = TestSupport.productsFolder.appendingPathComponent("train")
        process.arguments = arguments(resumed)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var seen = ""
        while !seen.contains("epoch 6/12") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: resumed.appendingPathComponent("manifest.json").path))
        #expect(!FileManager.default.fileExists(atPath: resumed.appendingPathComponent("predictions.npy").path))

        let rerun = try TestSupport.runProduct("train", arguments(resumed))
        try #require(rerun.status == 0, "\(rerun.standardError)")
        #expect(rerun.standardOutput.contains("resumed after epoch"))
        for name in arrays {
            let a = try Data(contentsOf: reference.appendingPathComponent(name))
            let b = try Data(contentsOf: resumed.appendingPathComponent(name))
            #expect(a.elementsEqual(b), "\(name) differs after resuming")
        }
        #expect(try MappedNpyFile(resumed.appendingPathComponent("predictions.npy")).header.dtype.rawValue.dropFirst() == (encoding == "uint8" ? "u1" : "f2"))
        // The TensorBoard log holds every epoch once: the killed run's later epochs were cut off.
        let events = try EventFile.read(resumed.appendingPathComponent(TrainFiles.events))
        #expect(events.scalars.first { $0.tag == "loss/train" }?.points.map(\.step) == Array(1...12))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: resumed.path)
            .filter { $0.hasPrefix("checkpoint") || $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }

    @Test func everySelectorTrainsAndWritesTheContractShapes() throws {
        let folder = TestSupport.temporaryFolder("train-selectors")
        let inputs = try prepareEmotions(in: folder)
        for selector in ["random", "balance", "active-bias", "recency-bias", "hard-imbalance", "uncertainty"] {
            let output = folder.appendingPathComponent(selector)
            // A folder reused from a run that recorded C: the stale file must not survive.
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            try NpyFile.write([Float(1)], shape: [1, 1, 1], to: output.appendingPathComponent("correlation.npy"))
            let result = try TestSupport.runProduct("train", trainArguments(inputs, output: output, selector: selector, epochs: 8))
            try #require(result.status == 0, "\(selector): \(result.standardError)")
            let predictions = try MappedNpyFile(output.appendingPathComponent("predictions.npy"))
            let n = predictions.header.shape[1]
            #expect(predictions.header.dtype == .uint8 && predictions.header.shape == [8, n, 6])
            // Only uncertainty computes a label correlation; every other selector uses C = I and writes no file.
            let correlationURL = output.appendingPathComponent("correlation.npy")
            #expect(FileManager.default.fileExists(atPath: correlationURL.path) == (selector == "uncertainty"), "\(selector)")
            let manifest = try Manifest.read(from: output)
            #expect((manifest.outputs["correlation.npy"] != nil) == (selector == "uncertainty"), "\(selector)")
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("correlation.npy.partial").path))
            #expect(try MappedNpyFile(output.appendingPathComponent("selected.npy")).header.shape == [8, n])
            // Every epoch draws ⌈n/b⌉ batches of min(b, n) rows.
            let selected = try NpyFile.read(output.appendingPathComponent("selected.npy")).values(as: Int32.self)
            let perEpoch = ((n + 63) / 64) * 64
            for epoch in 0..<8 {
                let drawn = selected[(epoch * n)..<((epoch + 1) * n)].reduce(0) { $0 + Int($1) }
                #expect(drawn == (epoch < 3 || selector == "random" || selector == "balance" ? n : perEpoch),
                        "\(selector) epoch \(epoch + 1)")
            }
            let csv = try String(contentsOf: output.appendingPathComponent("epochs.csv"), encoding: .utf8)
            #expect(csv.split(separator: "\n").count == 9)
            guard selector == "uncertainty" else { continue }
            // The correlation matrix is C_aa = 1 and symmetric at every epoch.
            #expect(try MappedNpyFile(correlationURL).header.shape == [8, 6, 6])
            let c = try NpyFile.read(correlationURL).values(as: Float.self)
            for epoch in 0..<8 {
                for a in 0..<6 {
                    #expect(c[epoch * 36 + a * 7] == 1)
                    for b in 0..<6 { #expect(c[epoch * 36 + a * 6 + b] == c[epoch * 36 + b * 6 + a]) }
                }
            }
        }
    }

    /// The authors' code path (docs/replication.md): `sequential` feeds the stored order in every
    /// epoch and tests the last epoch; the authors' uncertainty arm warms up in stored order, then its
    /// pressure rises from 1 after the warm-up to s0 at the last epoch; order.npy records every draw.
    @Test func authorsCodePathTrainsAndRecordsItsOrder() throws {
        let folder = TestSupport.temporaryFolder("train-authors")
        let inputs = try prepareEmotions(in: folder)
        let sequential = folder.appendingPathComponent("sequential")
        let plain = try TestSupport.runProduct("train", trainArguments(inputs, output: sequential, selector: "sequential", epochs: 8)
                                                   + ["--test-epoch", "last", "--weight-decay", "0"])
        try #require(plain.status == 0, "\(plain.standardError)")
        let n = try RunDescription.read(from: sequential).trainCount
        let order = try NpyFile.read(sequential.appendingPathComponent("order.npy"))
        #expect(order.shape == [8, n])
        let rows = try order.values(as: Int32.self)
        for epoch in 0..<8 { #expect(Array(rows[(epoch * n)..<((epoch + 1) * n)]) == (0..<Int32(n)).map { $0 }, "epoch \(epoch + 1)") }
        let tested = try TestMetrics.read(from: sequential)
        #expect(tested.bestEpoch == 8)
        #expect(tested[.macroAUCTiesWin] != nil && tested[.macroAUC] != nil)

        let authors = folder.appendingPathComponent("authors")
        let run = try TestSupport.runProduct("train", trainArguments(inputs, output: authors, epochs: 12) + [
            "--arm", "authors-uncertainty", "--warmup-order", "stored", "--history", "batch", "--uncertainty-levels", "centres",
            "--saturation", "top-level", "--correlation", "ones", "--quantiser", "ceil", "--pressure-schedule", "rise", "--s0", "8",
            "--test-epoch", "last"])
        try #require(run.status == 0, "\(run.standardError)")
        let pressures = try EpochRecord.readCSV(from: authors).map(\.pressure)
        #expect(pressures.prefix(3).allSatisfy { $0 == 1 }, "warm-up epochs 1…3")
        #expect(abs(pressures[3] - 1) < 1e-12 && abs(pressures[11] - 8) < 1e-9, "\(pressures)")
        #expect(zip(pressures.dropFirst(3), pressures.dropFirst(4)).allSatisfy { $0 < $1 }, "rising after the warm-up")
        let drawn = try NpyFile.read(authors.appendingPathComponent("order.npy"))
        let width = (n + 63) / 64 * 64
        #expect(drawn.shape == [12, width])
        let draws = try drawn.values(as: Int32.self)
        #expect(Array(draws[0..<n]) == (0..<Int32(n)).map { $0 } && draws[n..<width].allSatisfy { $0 == -1 }, "stored-order warm-up, padded")
        #expect(draws[(11 * width)..<(12 * width)].allSatisfy { $0 >= 0 && $0 < Int32(n) }, "a sampled epoch fills every column")
        #expect(try TestMetrics.read(from: authors).bestEpoch == 12)
        #expect(!FileManager.default.fileExists(atPath: authors.appendingPathComponent("correlation.npy").path), "C = ones is not recorded")
    }

    @Test func trainingLossFallsAndNumpyReadsEveryArray() throws {
        let folder = TestSupport.temporaryFolder("train-numpy")
        let inputs = try prepareEmotions(in: folder)
        let output = folder.appendingPathComponent("run")
        let result = try TestSupport.runProduct("train", trainArguments(inputs, output: output, epochs: 30))
        try #require(result.status == 0, "\(result.standardError)")
        let rows = try String(contentsOf: output.appendingPathComponent("epochs.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        let losses = rows.map { Double($0[1])! }, aucs = rows.map { Double($0[3])! }
        #expect(losses.last! < losses.first! * 0.9)
        #expect(aucs.last! > 0.7)
        let check = try TestSupport.python("""
            import json, sys, numpy as np
            folder = sys.argv[1]
            run = json.load(open(folder + '/run.json'))
            for name in ['predictions', 'correlation', 'weights', 'selected', 'order', 'train-indices', 'prediction-epochs']:
                a = np.load(f'{folder}/{name}.npy', mmap_mode='r')
                assert np.isfinite(np.asarray(a, dtype=np.float64)).all(), name
            codes = np.load(folder + '/predictions.npy')
            assert codes.dtype == np.uint8 and run['parameters']['history_dtype'] == 'uint8', codes.dtype
            assert codes.shape == (run['parameters']['epochs'], run['train_count'], len(run['label_names'])), codes.shape
            p = codes.astype(np.float32) / 255  # the documented dequantisation, within 1/510
            assert ((p >= 0) & (p <= 1)).all() and 0 < p.mean() < 1
            assert codes.max() > 128 and codes.min() < 128, (codes.min(), codes.max())
            m = np.load(folder + '/model.npz')
            assert m['layers.0.weight'].shape[1] == 72, m['layers.0.weight'].shape
            print('ok', p.shape)
            """, [output.path])
        #expect(check.status == 0, "\(check.standardError)")
        #expect(check.standardOutput.hasPrefix("ok"))
        // The shipped example script accepts the fresh artifact too.
        let script = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", TestSupport.packageRoot.appendingPathComponent("scripts/check_artifacts.py").path, output.path])
        #expect(script.status == 0, "\(script.standardOutput)\(script.standardError)")
    }

    /// history_budget: a run over its budget keeps one epoch in k of predictions.npy and
    /// correlation.npy, says so once, records it in run.json, and trains exactly as the run that
    /// keeps every epoch (its kept slices are that run's); analyze reads it, drift epochs moved to
    /// the nearest kept. An explicit history_every wins; a run within the budget is unaffected.
    @Test func aRunOverItsHistoryBudgetKeepsEveryKthEpoch() throws {
        let folder = TestSupport.temporaryFolder("train-budget")
        let inputs = try prepareEmotions(in: folder)
        let full = folder.appendingPathComponent("full"), thinned = folder.appendingPathComponent("thinned")
        let explicit = folder.appendingPathComponent("explicit")
        let reference = try TestSupport.runProduct("train", trainArguments(inputs, output: full))
        try #require(reference.status == 0, "\(reference.standardError)")
        #expect(!reference.standardOutput.contains("history_budget"))
        let fullText = try String(contentsOf: full.appendingPathComponent(TrainFiles.run), encoding: .utf8)
        #expect(!fullText.contains("history_budget") && !fullText.contains("history_thinning"))

        // 12 epochs of ≈ 474 rows × 6 labels: ≈ 70 KB of weights, selected and order, 3 KB of history
        // an epoch; 80 KB keeps 3 epochs (one in 4).
        let result = try TestSupport.runProduct("train", trainArguments(inputs, output: thinned) + ["--history-budget", "80KB"])
        try #require(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.components(separatedBy: "history_budget 80KB: predictions.npy and correlation.npy keep one epoch in 4 (3 of 12").count == 2,
                "\(result.standardOutput)")
        let run = try RunDescription.read(from: thinned)
        #expect(run.parameters.historyBudget == .bytes(80_000) && run.historyThinning?.every == 4 && run.correlationEpochs == [4, 8, 12])
        let check = try TestSupport.python("""
            import sys, numpy as np
            full, thinned = sys.argv[1], sys.argv[2]
            kept = np.load(thinned + '/prediction-epochs.npy')
            assert kept.tolist() == [4, 8, 12], kept
            for name in ['predictions', 'correlation']:
                a, b = np.load(f'{full}/{name}.npy'), np.load(f'{thinned}/{name}.npy')
                assert b.shape[0] == 3 and (a[kept - 1] == b).all(), name
            for name in ['weights', 'selected', 'order']:
                assert (np.load(f'{full}/{name}.npy') == np.load(f'{thinned}/{name}.npy')).all(), name
            print('ok')
            """, [full.path, thinned.path])
        #expect(check.status == 0 && check.standardOutput.hasPrefix("ok"), "\(check.standardError)")
        for name in [TrainFiles.epochs, TrainFiles.testMetrics, TrainFiles.model] {
            #expect(try Data(contentsOf: full.appendingPathComponent(name)) == Data(contentsOf: thinned.appendingPathComponent(name)), "\(name)")
        }
        let script = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", TestSupport.packageRoot.appendingPathComponent("scripts/check_artifacts.py").path, thinned.path])
        #expect(script.status == 0, "\(script.standardOutput)\(script.standardError)")
        let steps = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"),
                                        ["python3", TestSupport.packageRoot.appendingPathComponent("scripts/correlation_drift.py").path, thinned.path, "4", "12"])
        #expect(steps.status == 0 && steps.standardOutput.contains("epoch    8  ||C_t - C_(t-4)||_F"), "\(steps.standardOutput)\(steps.standardError)")

        // analyze: the drift of the thinned run is between kept epochs, and epoch 5 becomes 4.
        let analysis = folder.appendingPathComponent("analyze")
        let analyze = try TestSupport.runProduct("analyze", ["--runs", thinned.path, "--output", analysis.path, "--drift-epochs", "5,12"])
        try #require(analyze.status == 0, "\(analyze.standardError)")
        #expect((analyze.standardOutput + analyze.standardError).contains("using the nearest kept, 4,12"))
        let drift = try String(contentsOf: analysis.appendingPathComponent("drift/drift.csv"), encoding: .utf8)
        #expect(drift.split(separator: "\n").dropFirst().map { $0.split(separator: ",").reversed()[1] } == ["8", "12"], "\(drift)")
        #expect(FileManager.default.fileExists(atPath: analysis.appendingPathComponent("drift").path))
        let differences = try FileManager.default.contentsOfDirectory(atPath: analysis.appendingPathComponent("drift").path).filter { $0.hasSuffix(".npy") }
        #expect(differences.count == 1 && differences[0].hasSuffix("-C12-minus-C4.npy"), "\(differences)")

        // An explicit history_every wins: predictions one in 3 as asked, every C kept, nothing in run.json.
        let asked = try TestSupport.runProduct("train", trainArguments(inputs, output: explicit) + ["--history-budget", "80KB", "--history-every", "3"])
        try #require(asked.status == 0, "\(asked.standardError)")
        #expect(asked.standardOutput.contains("above history_budget 80KB; history_every 3 keeps them as asked"), "\(asked.standardOutput)")
        #expect(try RunDescription.read(from: explicit).historyThinning == nil)
        #expect(try MappedNpyFile(explicit.appendingPathComponent(TrainFiles.predictions)).header.shape.first == 4)
        #expect(try MappedNpyFile(explicit.appendingPathComponent(TrainFiles.correlation)).header.shape == [12, 6, 6])
    }

    /// A run whose loss runs away stops with an error naming the epoch and leaves nothing behind
    /// (it used to finish with a loss of 4e21 and exit 0).
    @Test func divergingRunStopsAndLeavesNothing() throws {
        let folder = TestSupport.temporaryFolder("train-diverge")
        let inputs = try prepareEmotions(in: folder)
        let output = folder.appendingPathComponent("diverged")
        var arguments = trainArguments(inputs, output: output, selector: "random", epochs: 6)
        arguments[arguments.firstIndex(of: "--lr")! + 1] = "1e6"
        let result = try TestSupport.runProduct("train", arguments + ["--weight-decay", "0"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("training diverged at epoch") && result.standardError.contains("Lower the learning rate"),
                "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path), "a folder the failed run created is removed")
    }

    /// Decoupled weight decay and a cosine schedule train through the command line and are recorded.
    @Test func adamWAndCosineScheduleTrain() throws {
        let folder = TestSupport.temporaryFolder("train-adamw")
        let inputs = try prepareEmotions(in: folder)
        let output = folder.appendingPathComponent("adamw")
        let result = try TestSupport.runProduct("train", trainArguments(inputs, output: output, selector: "random", epochs: 8)
            + ["--weight-decay-mode", "decoupled", "--lr-schedule", "cosine", "--lr-floor", "0.1"])
        #expect(result.status == 0, "\(result.standardError)")
        let run = try RunDescription.read(from: output)
        #expect(run.parameters.weightDecayMode == .decoupled && run.parameters.lrSchedule == .cosine && run.parameters.lrFloor == 0.1)
        #expect(try TestMetrics.read(from: output)[.macroAUC]! > 0.6)
    }

    @Test func badArgumentsAreRejectedWithTheValidValues() throws {
        let folder = TestSupport.temporaryFolder("train-bad")
        let result = try TestSupport.runProduct("train", ["--dataset", folder.path, "--split", folder.path, "--output",
                                                          folder.appendingPathComponent("x").path, "--selector", "greedy"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("uncertainty"))
        let missing = try TestSupport.runProduct("train", ["--dataset", folder.path, "--split", folder.path, "--output",
                                                           folder.appendingPathComponent("y").path])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("manifest.json"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("y/manifest.json").path))
    }
}
