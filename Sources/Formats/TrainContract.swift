import Foundation
import OptimiserChoices
import StageKit

/// The base classifiers (docs/models.md).
public enum ModelKind: String, Codable, Sendable, ChoiceParameter {
    /// Two hidden LeakyReLU layers (the fast default).
    case mlp
    /// Hang & Zhang, TPAMI 2022: GIN label embeddings and a per-label classifier.
    case clif
    /// Hang & Zhang, ICML 2022: Gaussian latent with binary-Concrete label gates.
    case dela
    /// Bai, Kong, Gomes, IJCAI 2020: multivariate probit VAE with a learnt covariance root.
    case mpvae
    /// One Linear layer: per-label logistic regression through the same engine (the floor
    /// every other model must beat).
    case linear
}

/// The batch selection criteria (docs/method.md, "Competing selectors" and the paper's method).
public enum SelectorKind: String, Codable, Sendable, ChoiceParameter {
    /// A fresh shuffle each epoch, every sample once.
    case random
    /// Random batches with per-(sample, label) loss weights (Hand et al. 2018).
    case balance
    /// Σ_j std of the whole prediction history (Chang et al. 2017).
    case activeBias = "active-bias"
    /// Σ_j binary entropy of the window's fraction of predictions > 0.5 (Song et al. 2020).
    case recencyBias = "recency-bias"
    /// Imbalance weight × current BCE loss (Zhou et al. 2024).
    case hardImbalance = "hard-imbalance"
    /// The paper's uncertainty × label-correlation criterion (Eq. 1–8).
    case uncertainty
    /// The training rows in stored order, the same batches every epoch (the authors' Random
    /// baseline: `DataLoader(shuffle=False)`; docs/replication.md).
    case sequential

    /// Whether the selector draws batches with the quantised exponential sampler (Eq. 9–11).
    public var usesSampler: Bool { ![.random, .balance, .sequential].contains(self) }
}

/// The order of the warm-up epochs' batches (docs/replication.md).
public enum WarmupOrder: String, Codable, Sendable, ChoiceParameter {
    /// A fresh shuffle each warm-up epoch (the paper's Algorithm 1).
    case shuffled
    /// Consecutive batches of the stored training order (the authors' code).
    case stored
}

/// How the selection pressure s_t moves after the warm-up (docs/method.md §6, docs/replication.md).
public enum PressureSchedule: String, Codable, Sendable, ChoiceParameter {
    /// Eq. 11: s0 at the end of the warm-up, decaying exponentially to 1 at the last epoch.
    case decay
    /// The authors' code: s_t = s0^((t − a)/(b − a)) with [a, b] = `rise-epochs`: 1 at epoch a,
    /// s0 at epoch b, extrapolated outside.
    case rise
}

/// The uncertainty values the criterion sums (docs/replication.md).
public enum UncertaintyLevels: String, Codable, Sendable, ChoiceParameter {
    /// u itself (the paper's Eq. 5).
    case continuous
    /// The centre of u's bin among `bins` equal bins of [0, 1] (the authors' code: 0.1, 0.3, …, 0.9).
    case centres
}

/// What an undefined uncertainty does: the log of an output of exactly 0 or 1, or the
/// fluctuation of a window holding one value (docs/method.md §3).
public enum Saturation: String, Codable, Sendable, ChoiceParameter {
    /// Probabilities clamped to [1e-7, 1 − 1e-7] before any logarithm; a one-value window has d = 0.
    case clamp
    /// The authors' code: u is NaN and falls in the top level (np.digitize puts NaN above the
    /// last edge); needs uncertainty-levels centres.
    case topLevel = "top-level"
}

/// The rounding of the quantiser Q (Eq. 9).
public enum QuantiserRounding: String, Codable, Sendable, ChoiceParameter {
    /// Q = ⌊(1 − w)/Δ⌋ (the paper).
    case floor
    /// Q = ⌈(1 − w)/Δ⌉ (the authors' code).
    case ceil
}

/// The epoch whose model gives the test metrics and `model.npz`.
public enum TestEpoch: String, Codable, Sendable, ChoiceParameter {
    /// The epoch with the best validation Macro-AUC (the paper's protocol).
    case best
    /// The last epoch: what the authors' code tests, because `state_dict().copy()` is shallow
    /// and the saved "best" state aliases the live parameters.
    case last
}

/// How label correlation enters the uncertainty criterion (Eq. 6–7).
public enum CorrelationMode: String, Codable, Sendable, ChoiceParameter {
    /// Natural-log mutual information of the binned uncertainties, diagonal 1.
    case mi
    /// Mutual information divided by √(H_a H_b) (0 if either entropy is 0), diagonal 1.
    case nmi
    /// C = I (ablation).
    case none
    /// C = a matrix of ones (the authors' code): every column of Ū is the row sum of U.
    case ones
}

/// Which predictions form the history the criteria read.
public enum HistoryMode: String, Codable, Sendable, ChoiceParameter {
    /// An eval-mode pass over the whole training part after every epoch (the default).
    case epoch
    /// The train-mode outputs of each sample when it appears in a batch (the authors' code).
    case batch
}

/// Element type of `predictions.npy` (docs/artifacts.md gives the trade-off).
public enum HistoryDType: String, Codable, Sendable, ChoiceParameter {
    /// One byte per probability: round(p · 255), ties to even; read as code / 255 (max error 1/510).
    case uint8
    /// IEEE half precision (relative error ≤ 2⁻¹¹, absolute ≤ 2⁻¹² near 1).
    case float16
    /// The training engine's own values.
    case float32

    /// Bytes of one stored probability.
    public var elementBytes: Int {
        switch self {
        case .uint8: 1
        case .float16: 2
        case .float32: 4
        }
    }
}

/// The train stage's parameters (docs/method.md, "Training protocol", gives the defaults).
public struct TrainParameters: StageParameters {
    @Parameter(help: "Fold to train on (0-based).", range: .atLeast(0))
    public var fold = 0
    @Parameter(help: "Base classifier.")
    public var model = ModelKind.mlp
    @Parameter(help: "Hidden width of the model (default: the model's own, mlp 256, clif 768).", range: .atLeast(1))
    public var hiddenWidth: Int? = nil
    @Parameter(help: "Dropout probability of the model (default: the model's own, 0.5 for mpvae, else 0.2).", range: ValidRange(lower: 0, upper: 1, upperIncluded: false))
    public var dropout: Double? = nil
    @Parameter(help: "Another model hyper-parameter as key=value (comma-separated or repeated; in a pipeline file a list or a mapping); train --help and docs/parameters.md list each model's keys.",
               repeated: true, keyValue: true)
    public var modelParam: [String] = []
    @Parameter(help: "Batch selector.")
    public var selector = SelectorKind.uncertainty
    @Parameter(help: "Name of this run's configuration in the analysis (a column of every table, one side of a declared comparison); absent: the selector's name.")
    public var arm: String? = nil
    @Parameter(help: "Epochs E.", range: .atLeast(1))
    public var epochs = 100
    @Parameter(help: "Batch size b.", range: .atLeast(1))
    public var batchSize = 128
    @Parameter(help: "Adam learning rate (default: the model's, in the model defaults table).", range: .positive)
    public var lr: Float? = nil
    @Parameter(help: "Weight decay: L2 added to the gradient, or decoupled (see weight-decay-mode) (default: the model's, in the model defaults table).",
               range: .nonNegative)
    public var weightDecay: Float? = nil
    @Parameter(help: "l2 (torch.optim.Adam, the paper's) or decoupled (torch.optim.AdamW).")
    public var weightDecayMode = WeightDecayMode.l2
    @Parameter(help: "Learning rate after the linear warm-up.")
    public var lrSchedule = LearningRateDecay.constant
    @Parameter(help: "With lr-schedule step: the factor applied every lr-step-every epochs.", range: .aboveAtMost(0, 1))
    public var lrStepFactor = 0.1
    @Parameter(help: "With lr-schedule step: epochs between decays.", range: .atLeast(1))
    public var lrStepEvery = 30
    @Parameter(help: "With lr-schedule cosine: the final learning rate as a fraction of lr.", range: .within(0, 1))
    public var lrFloor = 0.0
    @Parameter(help: "Warm-up epochs γ: random batches and a linear learning-rate warm-up; below epochs.", range: .atLeast(0))
    public var warmupEpochs = 5
    @Parameter(help: "Batches of the warm-up epochs: shuffled (the paper) or stored (consecutive batches of the stored training order, the authors' code).")
    public var warmupOrder = WarmupOrder.shuffled
    @Parameter(help: "History window T.", range: .atLeast(1))
    public var window = 5
    @Parameter(help: "Trade-off λ1 between window fluctuation and current entropy.", range: .within(0, 1))
    public var lambda1 = 0.5
    @Parameter(help: "Bins τ for the label-correlation histograms (at most 256: a bin is stored in a byte).", range: .within(2, 256))
    public var bins = 5
    @Parameter(help: "Selection pressure s0: where the decay starts, or where the rise ends.", range: .within(1, 1e6))
    public var s0 = 100.0
    @Parameter(help: "Selection pressure after the warm-up: decay (Eq. 11, s0 → 1 at the last epoch) or rise (the authors' code, 1 → s0 over rise-epochs).")
    public var pressureSchedule = PressureSchedule.decay
    @Parameter(help: "With pressure-schedule rise: the epochs a < b where s = 1 and s = s0 (the authors' code: 12,102 with 10 warm-up epochs of 101); absent: the first epoch after the warm-up and the last epoch.", range: .atLeast(1))
    public var riseEpochs: [Int] = []
    @Parameter(help: "Uncertainty values the criterion sums: continuous (Eq. 5) or centres (of u's bin, the authors' code).")
    public var uncertaintyLevels = UncertaintyLevels.continuous
    @Parameter(help: "An undefined uncertainty (log of an output of exactly 0 or 1, fluctuation of a one-value window): clamp (probabilities clamped to [1e-7, 1-1e-7]) or top-level (the authors' code; needs uncertainty-levels centres).")
    public var saturation = Saturation.clamp
    @Parameter(help: "Rounding of the quantiser Q (Eq. 9): floor (the paper) or ceil (the authors' code).")
    public var quantiser = QuantiserRounding.floor
    @Parameter(help: "Label correlation of the uncertainty selector.")
    public var correlation = CorrelationMode.mi
    @Parameter(help: "Prediction history: epoch (eval-mode pass) or batch (train-mode outputs).")
    public var history = HistoryMode.epoch
    @Parameter(help: "Element type of predictions.npy: uint8 stores round(p·255) (read as value/255, max error 1/510), float16 or float32 the probabilities.")
    public var historyDtype = HistoryDType.uint8
    @Parameter(help: "Keep the predictions of every k-th epoch (the last epoch is always kept).", range: .atLeast(1))
    public var historyEvery = 1
    @Parameter(help: "Most the history arrays (predictions, correlation, weights, selected, order) may take, e.g. 500MB or 2GB (default 2GB): a run keeping every epoch that would exceed it keeps every k-th epoch of predictions.npy and correlation.npy, the smallest k that fits; unlimited keeps every epoch.")
    public var historyBudget: HistoryBudget? = nil
    @Parameter(help: "The epoch whose model gives the test metrics and model.npz: best (best validation Macro-AUC) or last (what the authors' code tests).")
    public var testEpoch = TestEpoch.best
    @Parameter(help: "Keep this fraction of features with the largest training column sums.", range: .aboveAtMost(0, 1))
    public var featureFraction = 1.0
    @Parameter(help: "Seed of every random choice.")
    public var seed: UInt64 = 42
    @Parameter(help: "OpenBLAS threads (default: all cores).", range: .atLeast(1))
    public var threads: Int? = nil
    @Parameter(help: "Write the TensorBoard event file events.out.tfevents.mlbatch (per-epoch scalars, test metrics, hyper-parameters).")
    public var tensorboard = true

    public init() {}

    /// Whether the run computes a label correlation and so writes `correlation.npy`: only
    /// `uncertainty` with `correlation` mi or nmi. Every other run uses C = I in every epoch and
    /// writes no correlation file.
    public var recordsCorrelation: Bool { selector == .uncertainty && (correlation == .mi || correlation == .nmi) }

    /// The epochs [a, b] of a rising pressure: `riseEpochs`, else the first epoch after the warm-up and the last epoch.
    public var riseInterval: (from: Int, to: Int) {
        riseEpochs.count == 2 ? (riseEpochs[0], riseEpochs[1]) : (warmupEpochs + 1, epochs)
    }

    /// Columns of `order.npy`: the most rows one epoch draws (n for shuffles and stored order,
    /// ⌈n/b⌉·min(b, n) when the sampler may draw rows more than once).
    public func drawsPerEpoch(trainCount n: Int) -> Int {
        selector.usesSampler ? max(n, (n + batchSize - 1) / batchSize * min(batchSize, n)) : n
    }

    /// The configuration's name in the analysis: `arm`, else the selector's name.
    public var armName: String { arm ?? selector.rawValue }

    /// Whether `name` is a valid arm name: non-empty, letters, digits, '.', '_' or '-'.
    public static func isArmName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    public func validate() throws(ParameterError) {
        if let arm, !Self.isArmName(arm) {
            throw .invalid("arm", value: arm, expected: "a name of letters, digits, '.', '_' or '-', e.g. authors-uncertainty")
        }
        if warmupEpochs >= epochs {
            throw .conflict("warmup-epochs", reason: "warm-up epochs (\(warmupEpochs)) must be below epochs (\(epochs))")
        }
        if !riseEpochs.isEmpty && (riseEpochs.count != 2 || riseEpochs[0] >= riseEpochs[1]) {
            throw .invalid("rise-epochs", value: riseEpochs.map(String.init).joined(separator: ","), expected: "two epochs a < b, e.g. 12,102")
        }
        if pressureSchedule == .rise && riseEpochs.isEmpty && warmupEpochs + 1 >= epochs {
            throw .conflict("pressure-schedule", reason: "a rise from the first epoch after the warm-up (\(warmupEpochs + 1)) to the last (\(epochs)) needs at least two epochs; set rise-epochs")
        }
        if !riseEpochs.isEmpty && pressureSchedule != .rise {
            throw .conflict("rise-epochs", reason: "rise-epochs only applies with pressure-schedule rise")
        }
        if saturation == .topLevel && uncertaintyLevels != .centres {
            throw .conflict("saturation", reason: "saturation top-level gives undefined values a level, so it needs uncertainty-levels centres")
        }
        if saturation == .topLevel && (correlation == .mi || correlation == .nmi) {
            throw .conflict("saturation", reason: "the mutual information of correlation \(correlation.rawValue) needs defined uncertainties: use saturation clamp, or correlation ones or none")
        }
        for item in modelParam.flatMap({ $0.split(separator: ",") }) where item.split(separator: "=", maxSplits: 1).count != 2 {
            throw .invalid("model-param", value: String(item), expected: "key=value, e.g. dropout=0.1 or eval_z=mean")
        }
        try checkModelFitsInMemory(try modelHyperParameters())
    }

    /// Refuses a model that cannot train in this machine's memory. The data is not known here:
    /// one feature and one label give a lower bound (`ModelFactory` checks the real dimensions).
    func checkModelFitsInMemory(_ hyperParameters: ModelHyperParameters) throws(ParameterError) {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        let bytes = hyperParameters.trainingBytes(features: 1, labels: 1)
        guard bytes > memory else { return }
        // Blame --hidden-width when it alone is too large, else the model-param items.
        let width = modelHyperParameterSettings.filter { $0.flag == "hidden-width" }
        var widthAlone = false
        if !width.isEmpty { widthAlone = try ModelHyperParameters(model, given: width).trainingBytes(features: 1, labels: 1) > memory }
        throw .conflict(widthAlone ? "hidden-width" : "model-param",
                        reason: model.tooLargeReason(parameters: hyperParameters.parameterCount(features: 1, labels: 1), bytes: bytes,
                                                     memory: memory, atLeast: true))
    }

    /// The `key=value` items of `modelParam` (each entry may hold several, comma-separated), keys
    /// in snake case, values as written: the model checks and reads them.
    public var modelSettings: [(key: String, value: String)] {
        modelParam.flatMap { $0.split(separator: ",") }.map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return (parts[0].replacingOccurrences(of: "-", with: "_"), parts[1])
        }
    }
}

/// The train stage: one (fold, model, selector) run with per-epoch artifacts.
public enum TrainContract: StageContract {
    public typealias Parameters = TrainParameters
    public static let name = "train"
    public static let summary = "Train a multi-label model on one fold with a batch selector; write per-epoch .npy histories."
    public static let discussion = """
        Test metrics are taken at the epoch with the best validation Macro-AUC. Every epoch ends with a checkpoint: a \
        killed run resumes from its last completed epoch when the same command runs again, with byte-identical results.
        """
    public static let inputs = [
        StageInput("dataset", from: "fetch", help: "Folder of the fetch stage (features.npy, labels.npy, meta.json)."),
        StageInput("split", from: "split", help: "Folder of the split stage (roles.npy)."),
    ]
    public static let outputs = [
        StageOutput(TrainFiles.predictions, "uint8, float16 or float32 [kept epochs, n_train, q]: eval-mode P(y=1) per epoch (uint8: round(p·255), read as value/255, max error 1/510)."),
        StageOutput(TrainFiles.predictionEpochs, "int32 [kept epochs]: the 1-based epochs predictions.npy holds (and correlation.npy, when history-budget thinned the run: run.json history_thinning)."),
        StageOutput(TrainFiles.correlation, "float32 [epochs, q, q]: the label correlation C used in each epoch (the kept epochs alone when history-budget thinned the run); only uncertainty with correlation mi or nmi writes it (every other run uses C = I).",
                    always: false),
        StageOutput(TrainFiles.weights, "float32 [epochs, n_train]: the normalised selection criterion w."),
        StageOutput(TrainFiles.selected, "int32 [epochs, n_train]: how often each training row was drawn."),
        StageOutput(TrainFiles.order, "int32 [epochs, draws]: the training rows (positions in train-indices.npy) in the order the batches fed them, batch after batch; −1 pads an epoch that drew fewer (draws = n_train, or ⌈n_train/b⌉·min(b, n_train) for sampling selectors)."),
        StageOutput(TrainFiles.trainIndices, "int32 [n_train]: the dataset row of each training row."),
        StageOutput(TrainFiles.epochs, "One row per epoch: losses, validation Macro-AUC, selection pressure (EpochRecord)."),
        StageOutput(TrainFiles.timings, "One row per epoch: wall seconds of the epoch and of the selector.", digested: false),
        StageOutput(TrainFiles.testMetrics, "The test metrics at the best validation epoch, or the last with test-epoch last (TestMetrics)."),
        StageOutput(TrainFiles.model, "The tested epoch's parameters, PyTorch names and shapes."),
        StageOutput(TrainFiles.safetensors, "The same parameters as safetensors (safetensors.numpy.load_file, torch load_state_dict)."),
        StageOutput(TrainFiles.events, "TensorBoard event file: per-epoch scalars, test metrics, hyper-parameters; holds wall-clock times.",
                    digested: false, always: false),
        StageOutput(TrainFiles.run, "Dataset, labels and every resolved parameter (RunDescription)."),
    ]
}
