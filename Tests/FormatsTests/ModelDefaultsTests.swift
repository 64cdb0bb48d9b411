import Formats
import StageKit
import Testing

/// Each model's default settings (ModelDefaults): applied in one place, to what a run leaves
/// unstated, so that a run stating a value has the canonical arguments it had before and a run
/// stating nothing has those of one stating the model's defaults.
@Suite struct ModelDefaultsTests {
    static func resolve(_ given: [String: [String]]) throws -> TrainParameters { try TrainParameters.resolve(given) }

    /// Stated values are left alone: the canonical arguments (cache key, manifest) are those of
    /// the values as written, as when lr and weight_decay were not optional.
    @Test func statedValuesKeepTheirCanonicalArguments() throws {
        let stated = try Self.resolve(["model": ["mpvae"], "lr": ["1e-3"], "weight-decay": ["0"], "model-param": ["nll_coeff=10", "c_coeff=0.1"]])
        #expect(stated.withModelDefaults == stated && stated.unstatedModelDefaults.isEmpty)
        #expect(stated.canonicalTexts["lr"] == "0.001" && stated.canonicalTexts["weight-decay"] == "0.0")
        #expect(stated.canonicalTexts["model-param"] == "nll_coeff=10,c_coeff=0.1")
    }

    /// A run naming only its model trains with the model's defaults, under the canonical arguments
    /// of a run that states them.
    @Test(arguments: ModelKind.allCases) func unstatedValuesAreTheModelsDefaults(model: ModelKind) throws {
        let defaults = model.defaults
        let bare = try Self.resolve(["model": [model.rawValue]])
        #expect(bare.learningRate == defaults.lr && bare.decay == defaults.weightDecay)
        let stated = try Self.resolve(["model": [model.rawValue], "lr": ["\(defaults.lr)"], "weight-decay": ["\(defaults.weightDecay)"],
                                       "model-param": defaults.hyperParameters.map(\.text)])
        #expect(bare.withModelDefaults.canonicalTexts == stated.canonicalTexts)
        #expect(try bare.modelHyperParameters() == stated.modelHyperParameters())
        #expect(Set(bare.unstatedModelDefaults.keys) == Set(["lr", "weight_decay"] + (defaults.hyperParameters.isEmpty ? [] : ["model_param"])))
    }

    /// mpvae's default loss weights apply key by key: stating one keeps the other's default, and
    /// run.json's record names only what was filled in.
    @Test func mpvaeLossWeightsApplyKeyByKey() throws {
        let run = try Self.resolve(["model": ["mpvae"], "lr": ["3e-3"], "model-param": ["nll_coeff=5"]])
        guard case .mpvae(let values) = try run.modelHyperParameters() else {
            Issue.record("not mpvae's hyper-parameters")
            return
        }
        #expect(values.nllCoeff == 5 && values.cCoeff == 0.1)
        #expect(run.unstatedModelDefaults == ["weight_decay": "0.0", "model_param": "c_coeff=0.1"])
        #expect(run.withModelDefaults.modelParam == ["c_coeff=0.1", "nll_coeff=5"])
        // The published defaults stay the hyper-parameters' own (docs/models.md §4).
        #expect(MPVAEHyperParameters().nllCoeff == 0.1 && MPVAEHyperParameters().cCoeff == 200)
    }

    /// The pipeline's plan resolves a train stage with the defaults stated.
    @Test func planResolvesTrainWithTheDefaults() throws {
        let resolved = try StageType.train.resolve(["model": ["dela"]])
        #expect(resolved.canonicalTexts["lr"] == "0.001" && resolved.canonicalTexts["weight-decay"] == "0.0001")
    }

    /// train --help, pipeline stages and docs/parameters.md show every model's defaults.
    @Test func defaultsTableListsEveryModel() {
        let table = ModelKind.defaultsTable
        #expect(table.contains("| mpvae | `1e-3` | `0` | `nll_coeff=10`, `c_coeff=0.1` |"))
        #expect(table.contains("| linear | `1e-2` | `0` | – |") && table.contains("| clif | `1e-3` | `1e-4` |"))
    }
}
