import Artifacts
import Formats
import Foundation
import StageKit
import Testing
import TestSupport

@Suite struct FormatsTests {
    /// The train contract's defaults are the paper's protocol (docs/method.md).
    @Test func trainDefaultsFollowTheMethod() {
        let p = TrainParameters()
        #expect(p.selector == .uncertainty && p.window == 5 && p.lambda1 == 0.5 && p.bins == 5 && p.s0 == 100)
        #expect(p.warmupEpochs == 5 && p.epochs == 100 && p.batchSize == 128 && p.lr == nil && p.weightDecay == nil)
        #expect(p.learningRate == 1e-3 && p.decay == 0)
        #expect(p.correlation == .mi && p.history == .epoch && p.historyDtype == .uint8 && p.model == .mlp)
    }

    /// The flags users and shipped pipelines type stay as they were.
    @Test func stageParameterNamesAreTheCommandLineFlags() {
        #expect(StageType.fetch.parameters.map(\.name) == ["dataset", "catalog", "mirror", "cache", "url", "sha256", "layout", "data", "xml",
                                                           "format", "labels", "label-prefix", "delimiter", "arrays", "impute",
                                                           "drop-attribute", "drop-identifiers", "max-unpacked-bytes", "max-unpacked-entries",
                                                           "synthetic-rows", "synthetic-features", "synthetic-labels", "synthetic-cardinality",
                                                           "synthetic-power-law", "synthetic-group-size", "synthetic-noise", "synthetic-seed"])
        #expect(StageType.split.parameters.map(\.name) == ["folds", "order", "validation", "holdout", "drop-labels-at-most", "seed", "restarts"])
        #expect(StageType.train.parameters.map(\.name) == [
            "fold", "model", "hidden-width", "dropout", "model-param", "selector", "arm", "epochs", "batch-size", "lr", "weight-decay",
            "weight-decay-mode", "lr-schedule", "lr-step-factor", "lr-step-every", "lr-floor",
            "warmup-epochs", "warmup-order", "window", "lambda1", "bins", "s0", "pressure-schedule", "rise-epochs",
            "uncertainty-levels", "saturation", "quantiser", "correlation", "history", "history-dtype", "history-every", "history-budget",
            "test-epoch", "feature-fraction", "seed", "threads", "tensorboard",
        ])
        #expect(StageType.analyze.parameters.map(\.name) == ["drift-epochs", "convergence-levels", "top-pairs", "compare", "skip-unreadable"])
        #expect(StageType.allCases.map { $0.inputs.map(\.name) } == [[], ["dataset"], ["dataset", "split"], ["runs"]])
        #expect(StageType.analyze.aggregatesInputs && !StageType.train.aggregatesInputs)
    }

    @Test(arguments: [
        (["selector": ["greedy"]], "invalid selector 'greedy': expected one of random, balance, active-bias, recency-bias, hard-imbalance, uncertainty, sequential"),
        (["correlation": ["pearson"]], "invalid correlation 'pearson': expected one of mi, nmi, none, ones"),
        (["window": ["0"]], "invalid window '0': expected an integer ≥ 1"),
        (["lambda1": ["1.5"]], "invalid lambda1 '1.5': expected a number in [0, 1]"),
        (["bins": ["1"]], "invalid bins '1': expected an integer in [2, 256]"),
        (["bins": ["257"]], "invalid bins '257': expected an integer in [2, 256]"),
        (["s0": ["0.5"]], "invalid s0 '0.5': expected a number in [1, 1000000]"),
        (["feature-fraction": ["0"]], "invalid feature-fraction '0': expected a number in (0, 1]"),
        (["warmup-epochs": ["100"]], "warm-up epochs (100) must be below epochs (100)"),
        (["model-param": ["width"]], "invalid model-param 'width': expected key=value, e.g. dropout=0.1 or eval_z=mean"),
        (["model": ["clif"], "model-param": ["gin_layerz=3"]],
         "model clif has no hyper-parameter 'gin_layerz'; valid keys: batch_norm, dropout, gin_layers, hidden_width, label_graph, leaky_slope, link_weight"),
        (["model-param": ["dropout=1.5"]], "model mlp: hyper-parameter dropout = '1.5' must be a value in [0, 1)"),
        (["model": ["mpvae"], "model-param": ["eval_z=median"]],
         "model mpvae: hyper-parameter eval_z = 'median' must be one of sample (0), mean (1)"),
        (["model": ["mpvae"], "model-param": ["train_samples=2.5"]],
         "model mpvae: hyper-parameter train_samples = '2.5' must be a whole number ≥ 1"),
        (["model": ["linear"], "hidden-width": ["64"]], "model linear has no hyper-parameter 'hidden_width'; it takes none"),
    ])
    func trainRejectsOutOfRangeValues(_ given: [String: [String]], _ message: String) {
        do {
            _ = try TrainParameters.resolve(given)
            Issue.record("\(given) was accepted")
        } catch {
            #expect(error.description == message)
        }
    }

    /// The pipeline reads an instance's parameters typed: a train's epochs and threads, a split's
    /// folds (1 with holdout); the canonical texts are the parameters' own, the model's defaults stated.
    @Test func resolvedParametersAreTyped() throws {
        let train = try StageType.train.resolve(["epochs": ["7"], "threads": ["2"]])
        #expect(train.train?.epochs == 7 && train.train?.threads == 2 && train.split == nil && train.analyze == nil)
        #expect(train.canonicalTexts == TrainParameters().with { $0.epochs = 7; $0.threads = 2; $0.lr = 1e-3; $0.weightDecay = 0 }.canonicalTexts)
        #expect(try StageType.split.resolve(["holdout": ["0.2"]]).split?.foldCount == 1)
        #expect(try StageType.split.resolve(["folds": ["3"]]).split?.foldCount == 3)
        #expect(try StageType.analyze.resolve(["drift-epochs": ["5,40"]]).analyze?.driftEpochs == [5, 40])
    }

    @Test func modelSettingsSplitPairsInSnakeCase() throws {
        let p = try TrainParameters.resolve(["model": ["dela"], "model-param": ["gate_init=3,decoder-hidden=8", "temperature=0.5"]])
        #expect(p.modelSettings.map { "\($0.key)=\($0.value)" } == ["gate_init=3", "decoder_hidden=8", "temperature=0.5"])
    }

    @Test func fetchChecksTheAdHocSourceDescription() {
        #expect(throws: ParameterError.self) { try FetchParameters.resolve(["dataset": ["x"], "url": ["http://h/x.zip"]]) }
        #expect(throws: ParameterError.self) { try FetchParameters.resolve(["dataset": ["x"], "sha256": ["abc"]]) }
        #expect(throws: ParameterError.missing("dataset")) { try FetchParameters.resolve([:]) }
    }

    @Test func runDescriptionUsesSnakeCaseAndRoundTrips() throws {
        var parameters = TrainParameters()
        parameters.selector = .activeBias
        parameters.batchSize = 64
        let run = RunDescription(dataset: "emotions", labelNames: ["a", "b"], trainCount: 10, parameters: parameters)
        let folder = TestSupport.temporaryFolder()
        try run.write(to: folder.appendingPathComponent(TrainFiles.run))
        let text = try String(contentsOf: folder.appendingPathComponent(TrainFiles.run), encoding: .utf8)
        #expect(text.contains("\"batch_size\" : 64") && text.contains("\"selector\" : \"active-bias\"") && text.contains("\"label_names\""))
        #expect(try RunDescription.read(from: folder) == run)
    }

    @Test func epochRecordsRoundTripThroughCSV() throws {
        let folder = TestSupport.temporaryFolder()
        let url = folder.appendingPathComponent(TrainFiles.epochs)
        let records = [EpochRecord(epoch: 1, trainLoss: 0.5, validationLoss: 0.25, validationMacroAUC: 0.75, pressure: 100, seconds: 1.5,
                                   selectionSeconds: 0.25),
                       EpochRecord(epoch: 2, trainLoss: 0.125, validationLoss: 0.5, validationMacroAUC: 0.875, pressure: 50, seconds: 2,
                                   selectionSeconds: 0.5)]
        try EpochRecord.writeCSV(records, into: folder)
        #expect(try EpochRecord.readCSV(from: folder) == records)
        try FileManager.default.removeItem(at: folder.appendingPathComponent(TrainFiles.timings))
        #expect(try EpochRecord.readCSV(from: folder).allSatisfy { $0.seconds.isNaN && $0.selectionSeconds.isNaN })
        try "epoch,train_loss\n1,0.5\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: ArtifactError.self) { try EpochRecord.readCSV(from: folder) }
    }

    @Test func testMetricsWriteNullForUndefinedValues() throws {
        let folder = TestSupport.temporaryFolder()
        let metrics = TestMetrics(bestEpoch: 3, bestValidationMacroAUC: -.infinity, metrics: [.macroAUC: .nan, .hammingLoss: 0.25])
        try metrics.write(to: folder.appendingPathComponent(TrainFiles.testMetrics))
        let text = try String(contentsOf: folder.appendingPathComponent(TrainFiles.testMetrics), encoding: .utf8)
        #expect(text.contains("\"macro_auc\" : null") && !text.contains("bestValidationMacroAUC"), "undefined values are null or absent")
        let read = try TestMetrics.read(from: folder)
        #expect(read == metrics && read[.hammingLoss] == 0.25 && read[.macroAUC] == nil)
        #expect(MetricName.allCases.map(\.rawValue) == ["macro_auc", "ranking_loss", "hamming_loss", "one_error", "coverage",
                                                        "average_precision", "micro_f1", "macro_f1", "macro_auc_ties_win"])
        #expect(MetricName.allCases.filter(\.lowerIsBetter) == [.rankingLoss, .hammingLoss, .oneError, .coverage])
    }

    @Test func progressEventsAppendAndTheLatestCompleteOneIsRead() throws {
        let folder = TestSupport.temporaryFolder()
        #expect(ProgressEvent.latest(in: folder) == nil)
        func record(_ epoch: Int) -> EpochRecord {
            EpochRecord(epoch: epoch, trainLoss: 0.5, validationLoss: 0.4, validationMacroAUC: 0.7, pressure: 10, seconds: 1.5,
                        selectionSeconds: 0.25)
        }
        for epoch in 1...3 {
            ProgressEvent(record: record(epoch), epochs: 3, etaSeconds: Double(3 - epoch) * 65).append(to: folder)
        }
        let handle = try FileHandle(forWritingTo: folder.appendingPathComponent(ProgressEvent.fileName))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"epoch\":4,\"epo".utf8))  // a half-written line is skipped
        try handle.close()
        let latest = try #require(ProgressEvent.latest(in: folder))
        #expect(latest == ProgressEvent(record: record(3), epochs: 3, etaSeconds: 0))
        // One flat JSON object per line: the epoch's record and the run's progress.
        #expect(ProgressEvent(record: record(1), epochs: 3, etaSeconds: 130).line
            == #"{"epoch":1,"epochs":3,"etaSeconds":130,"pressure":10,"seconds":1.5,"selectionSeconds":0.25,"trainLoss":0.5,"validationLoss":0.4,"validationMacroAUC":0.7}"#)
        #expect(ProgressEvent(record: record(1), epochs: 3, etaSeconds: 130).etaText == "2:10")
    }

    @Test func stageFolderWritesTheManifestLastAndRefusesMissingOutputs() throws {
        let folder = TestSupport.temporaryFolder().appendingPathComponent("split")
        let stage = try StageFolder<SplitContract>(folder)
        try AtomicFile.write("x", to: stage.file(SplitFiles.folds))
        #expect(throws: ArtifactError.self) { try stage.complete(parameters: SplitParameters(), inputs: [], command: ["split"]) }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(Manifest.fileName).path))
        for name in [SplitFiles.roles, SplitFiles.keptLabels, SplitFiles.report] { try AtomicFile.write("y", to: stage.file(name)) }
        let manifest = try stage.complete(parameters: SplitParameters(), inputs: [], command: ["split"])
        #expect(manifest.stage == "split"
            && manifest.outputs.keys.sorted() == [SplitFiles.folds, SplitFiles.roles, SplitFiles.keptLabels, SplitFiles.report].sorted())
        #expect(manifest.parameters["folds"] == "5" && manifest.parameters["holdout"] == nil)
        // A new run of the stage removes the old manifest first.
        let rerun = try StageFolder<SplitContract>(folder)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(Manifest.fileName).path))
        // A failed run discards its outputs, keeping the log and hidden files.
        try FileManager.default.createDirectory(at: rerun.file("checkpoint-3"), withIntermediateDirectories: true)
        for name in ["stage.log", ".pipeline-key"] { try AtomicFile.write("x", to: rerun.file(name)) }
        try rerun.discardOutputs()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [".pipeline-key", "stage.log"])
    }

    /// Logs, hidden files and the contract's undigested outputs (the TensorBoard event file, which
    /// holds wall-clock times) stay out of the output digest.
    @Test func outputHashesSkipLogsHiddenFilesAndUndigestedOutputs() throws {
        let folder = TestSupport.temporaryFolder("digest")
        for name in ["a.npy", TrainFiles.safetensors, "stage.log", TrainFiles.events, ".a.npy.tmp-1", ProgressEvent.fileName, Manifest.fileName] {
            try Data(name.utf8).write(to: folder.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("drift"), withIntermediateDirectories: true)
        try Data([1]).write(to: folder.appendingPathComponent("drift/x.npy"))
        #expect(TrainContract.undigestedOutputs == [TrainFiles.events, TrainFiles.timings])
        #expect(try Manifest.hashOutputs(in: folder, excluding: TrainContract.undigestedOutputs).keys.sorted()
            == ["a.npy", "drift/x.npy", TrainFiles.safetensors])
        #expect(!Manifest.isDigested("run.log") && Manifest.isDigested(TrainFiles.epochs))
    }
}
