import OrderedCollections
import Formats
import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite struct ParserTests {
    static let valid = """
    name: tiny
    seed: 7
    defaults:
      train: { epochs: 3, warmup_epochs: 1 }
    stages:
      fetch: { uses: fetch, with: { dataset: emotions, mirror: [../a, ../b] } }
      split: { uses: split, needs: fetch, with: { folds: 2 } }
      train:
        uses: train
        needs: [split]
        matrix: { selector: [random, uncertainty], fold: [0, 1] }
        with: { batch_size: 16, lr: 1e-4, history: { dtype: float32, every: 2 } }
      analyze: { uses: analyze, needs: [train], with: { drift_epochs: [1, 3] } }
    """

    @Test func parsesStagesParametersAndSeed() throws {
        let pipeline = try PipelineParser.parse(yaml: Self.valid, file: "tiny.yaml")
        #expect(pipeline.name == "tiny")
        #expect(pipeline.stages.map(\.name) == ["fetch", "split", "train", "analyze"])
        let train = try #require(pipeline.stage(named: "train"))
        #expect(train.uses == .train)
        #expect(train.needs == ["split"])
        #expect(Array(train.settings.keys) == ["epochs", "warmup-epochs", "batch-size", "lr", "history-dtype", "history-every", "seed"])
        #expect(train.settings["epochs"]?.value == .scalar("3"))
        #expect(train.settings["lr"]?.value == .scalar("1e-4"))
        #expect(train.settings["seed"]?.value == .scalar("7"))
        #expect(Array(train.matrix.keys) == ["selector", "fold"])
        #expect(train.matrix["fold"] == ["0", "1"])
        // The seed goes to split and train only; `needs` may be a single name.
        #expect(pipeline.stage(named: "fetch")?.settings["seed"] == nil)
        #expect(pipeline.stage(named: "split")?.settings["seed"]?.value == .scalar("7"))
        #expect(pipeline.stage(named: "split")?.needs == ["fetch"])
        #expect(pipeline.stage(named: "fetch")?.settings["mirror"]?.value == .list(["../a", "../b"]))
        #expect(pipeline.stage(named: "analyze")?.settings["drift-epochs"]?.value == .list(["1", "3"]))
    }

    /// `model_param` may be a mapping; it gives the same items as the list form.
    @Test func keyValueParametersTakeAMapping() throws {
        func modelParam(_ with: String) throws -> SettingValue? {
            let yaml = "stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  split: { uses: split, needs: fetch }\n"
                + "  train: { uses: train, needs: split, with: { model: mpvae, \(with) } }\n"
            return try PipelineParser.parse(yaml: yaml, file: "m.yaml").stage(named: "train")?.settings["model-param"]?.value
        }
        #expect(try modelParam("model_param: { nll_coeff: 10, c_coeff: 0.1 }") == .list(["nll_coeff=10", "c_coeff=0.1"]))
        #expect(try modelParam("model_param: { nll_coeff: 10, c_coeff: 0.1 }") == modelParam("model_param: [nll_coeff=10, c_coeff=0.1]"))
    }

    @Test func unknownNestedKeyIsNamedInFull() {
        expectError("stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  split: { uses: split, needs: fetch }\n"
                    + "  train: { uses: train, needs: split, with: { history: { dtpye: uint8 } } }\n",
                    line: 4, column: 58, "unknown parameter `history_dtpye` for a train stage")
    }

    @Test func nameDefaultsToFileStem() throws {
        let pipeline = try PipelineParser.parse(yaml: "stages:\n  fetch: { uses: fetch, with: { dataset: scene } }\n", file: "x.yaml", defaultName: "scene-run")
        #expect(pipeline.name == "scene-run")
    }

    @Test func shippedPipelinesParse() throws {
        let folder = TestSupport.packageRoot.appendingPathComponent("Pipelines")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names == ["ablation-corel5k.yaml", "ablation-scene-clif.yaml", "ablation-scene.yaml", "ablation-yeast.yaml",
                          "bibtex.yaml", "cal500.yaml", "corel5k.yaml", "emotions.yaml", "enron.yaml", "model-defaults.yaml", "mpvae.yaml",
                          "quickstart.yaml", "replication-scene-clif.yaml", "replication-scene-dela.yaml", "replication-yeast-dela.yaml",
                          "scene-clif.yaml", "scene-dela.yaml", "scene.yaml", "sensitivity-scene.yaml", "sensitivity-yeast.yaml",
                          "sweep-mlp.yaml", "sweep-models.yaml", "synthetic-1000.yaml", "tmc2007-500.yaml", "yeast-dela.yaml", "yeast.yaml"])
        for name in names {
            let pipeline = try PipelineParser.parse(contentsOf: folder.appendingPathComponent(name))
            #expect(pipeline.name + ".yaml" == name)
            let plan = try PipelinePlan(pipeline)
            let runs = plan.instances.filter { $0.id.stage == "train" }, floors = plan.instances.filter { $0.id.stage == "floor" }
            if name == "synthetic-1000.yaml" {
                // The fetch stage generates the dataset (format synthetic): no mirror.
                #expect(runs.count == 10 && floors.count == 5 && pipeline.stage(named: "fetch")?.settings["mirror"] == nil)
            } else {
                // The mirror, written relative to the file's folder, names the mirror beside the checkout
                // (compared as real paths: `../shared` may be a symbolic link).
                let mirror = try #require(pipeline.stage(named: "fetch")?.settings["mirror"]?.value)
                guard case let .list(paths) = mirror, paths.count == 1, let path = paths.first else {
                    Issue.record("\(name): mirror is \(mirror), expected one folder")
                    continue
                }
                let resolved = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/"))
                #expect(resolved.resolvingSymlinksInPath().path == TestSupport.datasetsMirror.resolvingSymlinksInPath().path, "\(path)")
            }
            switch name {
            case "synthetic-1000.yaml": break
            case "quickstart.yaml": #expect(runs.count == 4 && floors.count == 2)
            case "sweep-mlp.yaml": #expect(runs.count == 96 && floors.isEmpty)
            case "mpvae.yaml": #expect(runs.count == 20 && floors.count == 10)
            case "model-defaults.yaml":
                // Two datasets × five folds of each model, every one at its defaults.
                let models = plan.instances.filter { ["mlp", "dela", "clif", "mpvae"].contains($0.id.stage) }
                #expect(runs.isEmpty && models.count == 40 && floors.count == 10)
                #expect((models + floors).allSatisfy { !Set($0.settings.map(\.flag)).contains("lr") && $0.parameters.train?.lr == $0.parameters.train?.model.defaults.lr })
            case "sweep-models.yaml":
                // Three datasets × two folds: dela 3 × 2 settings, mpvae 1 + 1 + 1, clif 2.
                let counts = ["dela", "mpvae", "mpvae-higher-lr", "mpvae-published", "clif"].map { stage in plan.instances.filter { $0.id.stage == stage }.count }
                #expect(runs.isEmpty && counts == [36, 6, 6, 6, 12] && floors.count == 6)
            case let replication where replication.hasPrefix("replication-"):
                // Four arms × 5 folds × 3 seeds, in the stages paper (two selectors), sequential and authors-uncertainty.
                let arms = plan.instances.filter { ["paper", "sequential", "authors-uncertainty"].contains($0.id.stage) }
                #expect(runs.isEmpty && arms.count == 60 && floors.count == 5, "\(name)")
            case let claims where claims.hasPrefix("ablation-") || claims.hasPrefix("sensitivity-"):
                // docs/claims.md: one train stage per arm. Ablation: random + 6 (λ1 × correlation) arms,
                // × 5 folds × 3 seeds on scene, × 5 folds elsewhere; sensitivity: random + 12 arms × 5 folds.
                let arms = plan.instances.filter { $0.type == .train && $0.id.stage != "floor" }
                let expected = ["ablation-scene.yaml": 105, "ablation-scene-clif.yaml": 105, "ablation-yeast.yaml": 35,
                                "ablation-corel5k.yaml": 35, "sensitivity-scene.yaml": 65, "sensitivity-yeast.yaml": 65][claims]
                #expect(runs.isEmpty && arms.count == expected && floors.count == 5, "\(name)")
                let compare = plan.instances.first { $0.type == .analyze }?.resolvedParameters["compare"] ?? ""
                #expect(Set(arms.map { $0.resolvedParameters["arm"] ?? $0.resolvedParameters["selector"]! }).allSatisfy { compare.contains($0) }, "\(name)")
            default: #expect(runs.count == 30 && floors.count == 5, "\(name)")
            }
            // Every shipped train stage but model-defaults' states its optimiser settings, so no shipped
            // result depends on a model's defaults (ModelDefaults); mpvae's pipelines state its loss weights too.
            for instance in plan.instances where instance.type == .train && name != "model-defaults.yaml" {
                let flags = Set(instance.settings.map(\.flag))
                #expect(flags.isSuperset(of: ["lr", "weight-decay"]), "\(name): \(instance.id) leaves lr or weight_decay to the model's defaults")
                #expect(instance.parameters.train?.model != .mpvae || flags.contains("model-param"), "\(name): \(instance.id)")
            }
            // Every paper pipeline filters labels as the authors do, and every floor is the linear model.
            #expect(plan.instances.filter { $0.type == .split }.allSatisfy { $0.resolvedParameters["drop-labels-at-most"] == "20" })
            #expect(floors.allSatisfy { $0.resolvedParameters["model"] == "linear" && $0.resolvedParameters["selector"] == "random" })
        }
    }

    /// Parses `yaml` expecting an error at `line`:`column` whose message contains every `fragment`.
    func expectError(_ yaml: String, line: Int, column: Int, _ fragments: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            _ = try PipelineParser.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch let error as PipelineError {
            guard case let .invalidFile(location, _) = error else {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(location == Pipeline.SourceLocation(file: "bad.yaml", line: line, column: column), "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("bad.yaml:\(line):\(column): "), sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error) lacks \(fragment)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func unknownTopLevelKey() {
        expectError("name: x\nstagez: {}\n", line: 2, column: 1, "unknown key `stagez`", "valid keys: name, description, seed, defaults, executor, stages")
    }

    @Test func unknownStageType() {
        expectError("stages:\n  fetch:\n    uses: fecth\n", line: 3, column: 11, "unknown stage type `fecth`", "valid: fetch, split, train, analyze")
    }

    @Test func unknownStageKey() {
        expectError("stages:\n  fetch:\n    uses: fetch\n    wiht: { dataset: x }\n", line: 4, column: 5, "unknown key `wiht`", "valid keys: uses, needs, with, matrix")
    }

    @Test func unknownParameterListsValidOnes() {
        expectError("stages:\n  fetch: { uses: fetch, with: { dataset: x, colour: red } }\n", line: 2, column: 45,
                    "unknown parameter `colour` for a fetch stage", "valid: dataset, catalog, mirror")
    }

    @Test func unknownSelectorListsChoices() {
        let yaml = """
        stages:
          fetch: { uses: fetch, with: { dataset: x } }
          split: { uses: split, needs: [fetch] }
          train:
            uses: train
            needs: [split]
            matrix: { selector: [random, uncertanity], fold: [0] }
        """
        expectError(yaml, line: 7, column: 34, "`selector` must be one of random, balance, active-bias, recency-bias, hard-imbalance, uncertainty, sequential, not `uncertanity`")
    }

    @Test func wrongValueType() {
        expectError("stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  split: { uses: split, needs: fetch, with: { folds: five } }\n",
                    line: 3, column: 54, "`folds` must be an integer ≥ 2, not `five`")
        expectError("seed: [1]\nstages:\n  fetch: { uses: fetch, with: { dataset: x } }\n", line: 1, column: 7, "`seed` must be a single value")
        expectError("stages: [fetch]\n", line: 1, column: 9, "`stages` must be a mapping")
    }

    @Test func needsOfUndefinedStage() {
        expectError("stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  split: { uses: split, needs: [fecth] }\n",
                    line: 3, column: 33, "needs `fecth`, which is not defined", "stages: fetch, split")
    }

    @Test func cycleIsReportedWithPath() {
        let yaml = """
        stages:
          fetch: { uses: fetch, with: { dataset: x } }
          a: { uses: split, needs: [fetch, b] }
          b: { uses: split, needs: [a] }
        """
        expectError(yaml, line: 4, column: 29, "cycle in `needs`: a → b → a")
        expectError("stages:\n  a: { uses: fetch, needs: a, with: { dataset: x } }\n", line: 2, column: 28, "cycle in `needs`: a → a")
    }

    @Test func missingUpstreamStageType() {
        expectError("stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  train: { uses: train, needs: [fetch], with: { fold: 0 } }\n",
                    line: 3, column: 18, "reads a split stage, but none is upstream", "add a stage with `uses: split`")
    }

    @Test func requiredParameterAndWiredKeys() {
        expectError("stages:\n  fetch: { uses: fetch }\n", line: 2, column: 3, "needs `dataset`")
        expectError("stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  split: { uses: split, needs: fetch, with: { dataset: y } }\n",
                    line: 3, column: 47, "`dataset` is wired by the pipeline")
        let both = "stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  split: { uses: split, needs: fetch }\n  train: { uses: train, needs: split, with: { fold: 0 }, matrix: { fold: [0, 1] } }\n"
        expectError(both, line: 4, column: 68, "`fold` is set both in `with` and in `matrix`")
    }

    /// YAML merge keys (`<<: *anchor`) merge the anchored mapping; keys written beside them win,
    /// then the mapping listed first. They used to be read as a nested key: "unknown parameter `<<_epochs`".
    @Test func mergeKeysMergeTheirMappings() throws {
        let yaml = """
        stages:
          fetch: { uses: fetch, with: { dataset: x } }
          split: { uses: split, needs: fetch, with: &split { folds: 3 } }
          a:
            uses: train
            needs: split
            with:
              <<: &base { epochs: 4, warmup_epochs: 1, lr: 0.01 }
              lr: 0.002
          b:
            uses: train
            needs: split
            with: { <<: [*base, { epochs: 9, batch_size: 8 }], seed: 5 }
        """
        let pipeline = try PipelineParser.parse(yaml: yaml, file: "m.yaml")
        let a = try #require(pipeline.stage(named: "a")).settings, b = try #require(pipeline.stage(named: "b")).settings
        #expect(a["epochs"]?.value == .scalar("4") && a["warmup-epochs"]?.value == .scalar("1") && a["lr"]?.value == .scalar("0.002"))
        #expect(b["epochs"]?.value == .scalar("4") && b["batch-size"]?.value == .scalar("8") && b["seed"]?.value == .scalar("5"))
        #expect(b["lr"]?.value == .scalar("0.01"))
        #expect(pipeline.stage(named: "split")?.settings["folds"]?.value == .scalar("3"))
        expectError("stages:\n  fetch: { uses: fetch, with: { dataset: x, <<: 3 } }\n", line: 2, column: 49,
                    "the merge key `<<` takes a mapping (`<<: *name`) or a list of them, not `3`")
    }

    /// A name that is not a folder name says what is wrong with it: `..` used to be told to "use
    /// only letters, digits, `.`, `_` and `-`", which it does.
    @Test func badNamesSayWhatIsWrong() {
        let stages = "stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n"
        expectError("name: ..\n" + stages, line: 1, column: 7, "pipeline name `..` is the folder itself or the one above it, not a name of its own")
        expectError("name: .x\n" + stages, line: 1, column: 7, "pipeline name `.x` starts with `.`, which hides the folder")
        expectError("name: a/b\n" + stages, line: 1, column: 7, "pipeline name `a/b` holds `/`; use only letters, digits, `.`, `_` and `-`")
        expectError("stages:\n  'a b': { uses: fetch, with: { dataset: x } }\n", line: 2, column: 3, "stage name `a b` holds a space")
    }

    @Test func syntaxAndDuplicateErrorsHaveLocations() {
        expectError("stages:\n  fetch: { uses: fetch\n", line: 3, column: 1, "YAML syntax error")
        expectError("name: a\nname: b\nstages: {}\n", line: 1, column: 1, "duplicate key `name`")
    }
}
