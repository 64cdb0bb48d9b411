/// `mlp`'s hyper-parameters (docs/models.md §1).
public struct MLPHyperParameters: ModelHyperParameterSet {
    /// Width h of every hidden layer.
    public private(set) var hiddenWidth = 256
    /// Hidden layers.
    public private(set) var hiddenLayers = 2
    /// Dropout probability after every hidden layer.
    public private(set) var dropout = 0.2
    /// Negative slope of the LeakyReLU activations.
    public private(set) var leakySlope = 0.1

    public static let model = ModelKind.mlp
    public init() {}
    public static let defaults = ModelDefaults(lr: 1e-3, weightDecay: 0, evidence: "docs/evidence.md: the mlp sweep")

    public static let fields: [HyperParameterField<Self>] = [
        .count("hidden_width", \.hiddenWidth, minimum: 1), .count("hidden_layers", \.hiddenLayers, minimum: 1),
        .number("dropout", \.dropout, .probability), .number("leaky_slope", \.leakySlope, .number),
    ]
}

/// `clif`'s hyper-parameters (docs/models.md §2).
public struct CLIFHyperParameters: ModelHyperParameterSet {
    /// Batch normalisation of the GIN layers over the label nodes.
    public enum BatchNorm: String, CaseIterable, Sendable {
        case off, on
    }

    /// The label graph A the GIN layers propagate over.
    public enum LabelGraph: String, CaseIterable, Sendable {
        /// A = I (the paper).
        case identity
        /// A from the training labels' co-occurrence counts (the authors' code).
        case cooccurrence
    }

    /// Width H of the feature, label and joint embeddings.
    public private(set) var hiddenWidth = 768
    /// Dropout probability after every MLP layer.
    public private(set) var dropout = 0.2
    /// Negative slope of the LeakyReLU activations.
    public private(set) var leakySlope = 0.1
    /// GIN layers over the label graph.
    public private(set) var ginLayers = 2
    /// Weight of the link-prediction loss.
    public private(set) var linkWeight = 1e-3
    public private(set) var batchNorm = BatchNorm.off
    public private(set) var labelGraph = LabelGraph.identity

    public static let model = ModelKind.clif
    public init() {}
    public static let defaults = ModelDefaults(lr: 1e-3, weightDecay: 1e-4, evidence: "docs/evidence.md: the models sweep (the paper's lr 1e-4 under-trains on yeast)")

    public static let fields: [HyperParameterField<Self>] = [
        .count("hidden_width", \.hiddenWidth, minimum: 1), .number("dropout", \.dropout, .probability),
        .number("leaky_slope", \.leakySlope, .number), .count("gin_layers", \.ginLayers, minimum: 1),
        .number("link_weight", \.linkWeight, .nonNegative), .choice("batch_norm", \.batchNorm), .choice("label_graph", \.labelGraph),
    ]
}

/// `dela`'s hyper-parameters (docs/models.md §3).
public struct DELAHyperParameters: ModelHyperParameterSet {
    /// Widths of the encoder's three layers.
    public private(set) var encoderHidden1 = 256, encoderHidden2 = 512, encoderOutput = 256
    /// Widths of the decoder's two layers.
    public private(set) var decoderHidden = 256, decoderOutput = 512
    /// Latent dimension D; 0 means ⌈d/2⌉ for d features.
    public private(set) var latentDimension = 0
    /// Dropout probability of the encoder.
    public private(set) var dropout = 0.2
    /// Temperature τ of the binary-Concrete gates.
    public private(set) var temperature = 2.0 / 3.0
    /// Weight of the KL term.
    public private(set) var klWeight = 1e-4
    /// Gate logits start uniform in ±`gateInit`.
    public private(set) var gateInit = 10.0
    /// Learning rate of the gates relative to the base rate.
    public private(set) var gateLrMultiplier = 0.8

    public static let model = ModelKind.dela
    public init() {}
    public static let defaults = ModelDefaults(lr: 1e-3, weightDecay: 1e-4, evidence: "docs/evidence.md: the models sweep (the paper's lr 1e-4 under-trains)")

    public static let fields: [HyperParameterField<Self>] = [
        .count("encoder_hidden_1", \.encoderHidden1, minimum: 1), .count("encoder_hidden_2", \.encoderHidden2, minimum: 1),
        .count("encoder_output", \.encoderOutput, minimum: 1), .count("decoder_hidden", \.decoderHidden, minimum: 1),
        .count("decoder_output", \.decoderOutput, minimum: 1),
        .count("latent_dimension", \.latentDimension, minimum: 0, derived: "0 means ⌈d/2⌉, d the feature count"),
        .number("dropout", \.dropout, .probability), .number("temperature", \.temperature, .positive),
        .number("kl_weight", \.klWeight, .nonNegative), .number("gate_init", \.gateInit, .number),
        .number("gate_lr_multiplier", \.gateLrMultiplier, .nonNegative),
    ]
}

/// `mpvae`'s hyper-parameters (docs/models.md §4): the authors' config.py defaults; dropout is
/// 1 − keep_prob.
public struct MPVAEHyperParameters: ModelHyperParameterSet {
    /// What evaluation uses for the latent z.
    public enum EvalZ: String, CaseIterable, Sendable {
        /// A sample, like the original.
        case sample
        /// z = μ_x: deterministic.
        case mean
    }

    /// Latent dimension L.
    public private(set) var latentDim = 50
    /// Columns r of the covariance root R [q, r]; nil: the label count q.
    public private(set) var zDim: Int? = nil
    /// Samples S of the training loss.
    public private(set) var trainSamples = 100
    /// Monte-Carlo samples of evaluation; 0: the closed form.
    public private(set) var evalSamples = 0
    public private(set) var evalZ = EvalZ.sample
    /// Dropout probability (1 − keep_prob).
    public private(set) var dropout = 0.5
    /// Weights of the negative log-likelihood and the ranking loss.
    public private(set) var nllCoeff = 0.1, cCoeff = 200.0
    /// Weight β of the KL term.
    public private(set) var beta = 1.1
    /// The L2 penalty l2_coeff · ½ · l2_decay · Σ‖W‖².
    public private(set) var l2Coeff = 1.0, l2Decay = 1e-5
    /// The 512 and 256 widths of the encoders and the decoder.
    public private(set) var hiddenLarge = 512, hiddenSmall = 256

    public static let model = ModelKind.mpvae
    public init() {}
    public static let defaults = ModelDefaults(lr: 1e-3, weightDecay: 0, hyperParameters: ["nll_coeff": "10", "c_coeff": "0.1"],
                                               evidence: "the authors' lr; docs/evidence.md: the models sweep (the published loss weights collapse)")

    public static let fields: [HyperParameterField<Self>] = [
        .count("latent_dim", \.latentDim, minimum: 1), .count("z_dim", \.zDim, minimum: 1, derived: "the label count q"),
        .count("train_samples", \.trainSamples, minimum: 1), .count("eval_samples", \.evalSamples, minimum: 0),
        .choice("eval_z", \.evalZ), .number("dropout", \.dropout, .probability),
        .number("nll_coeff", \.nllCoeff, .nonNegative), .number("c_coeff", \.cCoeff, .nonNegative), .number("beta", \.beta, .nonNegative),
        .number("l2_coeff", \.l2Coeff, .nonNegative), .number("l2_decay", \.l2Decay, .nonNegative),
        .count("hidden_large", \.hiddenLarge, minimum: 1), .count("hidden_small", \.hiddenSmall, minimum: 1),
    ]
}

/// `linear` takes no hyper-parameters.
public struct LinearHyperParameters: ModelHyperParameterSet {
    public static let model = ModelKind.linear
    public init() {}
    public static let defaults = ModelDefaults(lr: 1e-2, weightDecay: 0, evidence: "docs/models.md §5")
    public static let fields: [HyperParameterField<Self>] = []
}
