import Foundation
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

    /// Whether the selector draws batches with the quantised exponential sampler (Eq. 9–11).
    public var usesSampler: Bool { self != .random && self != .balance }
}

/// How label correlation enters the uncertainty criterion (Eq. 6–7).
public enum CorrelationMode: String, Codable, Sendable, ChoiceParameter {
    /// Natural-log mutual information of the binned uncertainties, diagonal 1.
    case mi
    /// Mutual information divided by √(H_a H_b) (0 if either entropy is 0), diagonal 1.
    case nmi
    /// C = I (ablation).
    case none
}

/// Which predictions form the history the criteria read.
public enum HistoryMode: String, Codable, Sendable, ChoiceParameter {
    /// An eval-mode pass over the whole training part after every epoch (the default).
    case epoch
    /// The train-mode outputs of each sample when it appears in a batch (the authors' code).
    case batch
}

/// How weight decay enters the Adam update.
public enum WeightDecayMode: String, Codable, Sendable, ChoiceParameter {
    /// decay · θ added to the gradient (`torch.optim.Adam(weight_decay=…)`, the paper's setting).
    case l2
    /// θ ← θ · (1 − lr · decay) before the Adam step (`torch.optim.AdamW`).
    case decoupled
}

/// The learning rate after the warm-up.
public enum LearningRateDecay: String, Codable, Sendable, ChoiceParameter {
    /// The base rate (the paper's protocol).
    case constant
    /// Multiplied by `lr_step_factor` every `lr_step_every` epochs.
    case step
    /// Cosine annealing to `lr_floor` × the base rate at the last step.
    case cosine
}

/// Element type of `predictions.npy` (README, "Artifact reference", gives the trade-off).
public enum HistoryDType: String, Codable, Sendable, ChoiceParameter {
    /// One byte per probability: round(p · 255), ties to even; read as code / 255 (max error 1/510).
    case uint8
    /// IEEE half precision (relative error ≤ 2⁻¹¹, absolute ≤ 2⁻¹² near 1).
    case float16
    /// The training engine's own values.
    case float32
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
    @Parameter(help: "Another model hyper-parameter as key=value (comma-separated or repeated; in a pipeline file a list or a mapping); train --help and the README list each model's keys.",
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
    @Parameter(help: "Adam learning rate.", range: .positive)
    public var lr: Float = 1e-4
    @Parameter(help: "Weight decay: L2 added to the gradient, or decoupled (see weight-decay-mode).", range: .nonNegative)
    public var weightDecay: Float = 1e-4
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
    @Parameter(help: "History window T.", range: .atLeast(1))
    public var window = 5
    @Parameter(help: "Trade-off λ1 between window fluctuation and current entropy.", range: .within(0, 1))
    public var lambda1 = 0.5
    @Parameter(help: "Bins τ for the label-correlation histograms.", range: .atLeast(2))
    public var bins = 5
    @Parameter(help: "Initial selection pressure s0.", range: .within(1, 1e6))
    public var s0 = 100.0
    @Parameter(help: "Label correlation of the uncertainty selector.")
    public var correlation = CorrelationMode.mi
    @Parameter(help: "Prediction history: epoch (eval-mode pass) or batch (train-mode outputs).")
    public var history = HistoryMode.epoch
    @Parameter(help: "Element type of predictions.npy: uint8 stores round(p·255) (read as value/255, max error 1/510), float16 or float32 the probabilities.")
    public var historyDtype = HistoryDType.uint8
    @Parameter(help: "Keep the predictions of every k-th epoch (the last epoch is always kept).", range: .atLeast(1))
    public var historyEvery = 1
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
    public var recordsCorrelation: Bool { selector == .uncertainty && correlation != .none }

    /// The configuration's name in the analysis: `arm`, else the selector's name.
    public var armName: String { arm ?? selector.rawValue }

    public func validate() throws(ParameterError) {
        if let arm, arm.isEmpty || !arm.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
            throw .invalid("arm", value: arm, expected: "a name of letters, digits, '.', '_' or '-', e.g. authors-uncertainty")
        }
        if warmupEpochs >= epochs {
            throw .conflict("warmup-epochs", reason: "warm-up epochs (\(warmupEpochs)) must be below epochs (\(epochs))")
        }
        for item in modelParam.flatMap({ $0.split(separator: ",") }) where item.split(separator: "=", maxSplits: 1).count != 2 {
            throw .invalid("model-param", value: String(item), expected: "key=value, e.g. dropout=0.1 or eval_z=mean")
        }
        try checkModelFitsInMemory(try modelHyperParameters())
    }

    /// Refuses a model that cannot train in this machine's memory. The data is not known here:
    /// one feature and one label give a lower bound (`ModelFactory` checks the real dimensions).
    func checkModelFitsInMemory(_ hyperParameters: [String: Double]) throws(ParameterError) {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        let bytes = model.trainingBytes(hyperParameters, features: 1, labels: 1)
        guard bytes > memory else { return }
        let widthAlone = hiddenWidth.map { model.trainingBytes(["hidden_width": Double($0)], features: 1, labels: 1) > memory } ?? false
        throw .conflict(widthAlone ? "hidden-width" : "model-param",
                        reason: model.tooLargeReason(parameters: model.parameterCount(hyperParameters, features: 1, labels: 1), bytes: bytes,
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
        StageOutput(TrainFiles.predictionEpochs, "int32 [kept epochs]: the 1-based epochs predictions.npy holds."),
        StageOutput(TrainFiles.correlation, "float32 [epochs, q, q]: the label correlation C used in each epoch; only uncertainty with correlation mi or nmi writes it (every other run uses C = I).",
                    always: false),
        StageOutput(TrainFiles.weights, "float32 [epochs, n_train]: the normalised selection criterion w."),
        StageOutput(TrainFiles.selected, "int32 [epochs, n_train]: how often each training row was drawn."),
        StageOutput(TrainFiles.trainIndices, "int32 [n_train]: the dataset row of each training row."),
        StageOutput(TrainFiles.epochs, "One row per epoch: losses, validation Macro-AUC, selection pressure (EpochRecord)."),
        StageOutput(TrainFiles.timings, "One row per epoch: wall seconds of the epoch and of the selector.", digested: false),
        StageOutput(TrainFiles.testMetrics, "The eight test metrics at the best validation epoch (TestMetrics)."),
        StageOutput(TrainFiles.model, "The best epoch's parameters, PyTorch names and shapes."),
        StageOutput(TrainFiles.safetensors, "The same parameters as safetensors (safetensors.numpy.load_file, torch load_state_dict)."),
        StageOutput(TrainFiles.events, "TensorBoard event file: per-epoch scalars, test metrics, hyper-parameters; holds wall-clock times.",
                    digested: false, always: false),
        StageOutput(TrainFiles.run, "Dataset, labels and every resolved parameter (RunDescription)."),
    ]
}
