import Foundation
import Testing
@testable import Pipeline

@Suite struct PlanTests {
    static func plan(_ yaml: String) throws -> PipelinePlan {
        try PipelinePlan(try PipelineParser.parse(yaml: yaml, file: "plan.yaml"))
    }

    @Test func matrixExpandsToTheProductInOrder() throws {
        let plan = try Self.plan(ParserTests.valid)
        #expect(plan.instances.map(\.id.description) == [
            "fetch/default", "split/default",
            "train/selector=random,fold=0", "train/selector=random,fold=1",
            "train/selector=uncertainty,fold=0", "train/selector=uncertainty,fold=1",
            "analyze/default",
        ])
        #expect(plan.instances[4].folder == "train/selector=uncertainty,fold=0")
        #expect(plan.instances[4].upstream == [1])
        #expect(plan.instances[6].upstream == [2, 3, 4, 5])
    }

    @Test func argumentsWireUpstreamFoldersParametersAndSeed() throws {
        let plan = try Self.plan(ParserTests.valid)
        #expect(plan.arguments(of: 0, root: "A/tiny") == ["--output", "A/tiny/fetch/default", "--dataset=emotions", "--mirror=../a", "--mirror=../b"])
        #expect(plan.arguments(of: 1, root: "A/tiny") == ["--output", "A/tiny/split/default", "--dataset", "A/tiny/fetch/default", "--folds=2", "--seed=7"])
        #expect(plan.arguments(of: 5, root: "A/tiny") == [
            "--output", "A/tiny/train/selector=uncertainty,fold=1", "--dataset", "A/tiny/fetch/default", "--split", "A/tiny/split/default",
            "--epochs=3", "--warmup-epochs=1", "--batch-size=16", "--lr=1e-4", "--history-dtype=float32", "--history-every=2", "--seed=7",
            "--selector=uncertainty", "--fold=1",
        ])
        let analyze = plan.arguments(of: 6, root: "A")
        #expect(analyze.filter { $0 == "--runs" }.count == 4)
        #expect(analyze.suffix(1) == ["--drift-epochs=1,3"])
    }

    @Test func upstreamMatrixIsInheritedAndMatchedOnSharedKeys() throws {
        let plan = try Self.plan("""
        stages:
          fetch: { uses: fetch, matrix: { dataset: [scene, yeast] } }
          split: { uses: split, needs: [fetch] }
          train: { uses: train, needs: [split], matrix: { fold: [0, 1] } }
          report: { uses: analyze, needs: [train] }
        """)
        #expect(plan.instances.map(\.id.description) == [
            "fetch/dataset=scene", "fetch/dataset=yeast", "split/dataset=scene", "split/dataset=yeast",
            "train/dataset=scene,fold=0", "train/dataset=scene,fold=1", "train/dataset=yeast,fold=0", "train/dataset=yeast,fold=1",
            "report/default",
        ])
        // The yeast split reads the yeast fetch; a yeast train reads the yeast fetch and split;
        // the inherited `dataset` coordinate is not passed to split or train as a flag.
        #expect(plan.arguments(of: 3, root: "R") == ["--output", "R/split/dataset=yeast", "--dataset", "R/fetch/dataset=yeast"])
        #expect(plan.arguments(of: 7, root: "R") == ["--output", "R/train/dataset=yeast,fold=1", "--dataset", "R/fetch/dataset=yeast",
                                                     "--split", "R/split/dataset=yeast", "--fold=1"])
        #expect(plan.instances[8].upstream == [4, 5, 6, 7])
        #expect(plan.descendants(of: [1]) == [3, 6, 7, 8])
        #expect(plan.ancestors(of: [6]) == [1, 3, 6])
    }

    /// A model hyper-parameter the model does not have, or a value it does not accept, stops the
    /// plan before anything runs, pointing at the setting.
    @Test func modelHyperParametersAreCheckedWhenThePlanIsBuilt() {
        for (setting, message) in [("model_param: [gin_layerz=3]", "model clif has no hyper-parameter 'gin_layerz'"),
                                   ("model_param: [label_graph=ring]", "model clif: hyper-parameter label_graph = 'ring' must be one of identity (0), cooccurrence (1)"),
                                   ("hidden_width: 0", "`hidden_width` must be an integer ≥ 1")] {
            let yaml = """
            stages:
              fetch: { uses: fetch, with: { dataset: x } }
              split: { uses: split, needs: [fetch] }
              train: { uses: train, needs: [split], with: { model: clif, \(setting) } }
            """
            do {
                _ = try Self.plan(yaml)
                Issue.record("\(setting) was accepted")
            } catch {
                let text = String(describing: error)
                #expect(text.hasPrefix("plan.yaml:4:") && text.contains(message), "\(text)")
            }
        }
    }

    /// Drift epochs beyond the epochs of a train instance the analysis reads stop the plan,
    /// pointing at `drift_epochs`, or at the stage when the default (30, 70) is the one too late;
    /// `analyze` used to clamp them to the last epoch with a warning once training had finished.
    @Test func driftEpochsBeyondTheTrainEpochsAreRefused() throws {
        func yaml(_ drift: String) -> String {
            """
            stages:
              fetch: { uses: fetch, with: { dataset: x } }
              split: { uses: split, needs: [fetch] }
              train: { uses: train, needs: [split], matrix: { fold: [0, 1] }, with: { epochs: 40 } }
              analyze: { uses: analyze, needs: [train]\(drift) }
            """
        }
        for (drift, place) in [(", with: { drift_epochs: [5, 30, 70] }", "plan.yaml:5:67"), ("", "plan.yaml:5:3")] {
            #expect {
                _ = try Self.plan(yaml(drift))
            } throws: { error in
                "\(error)" == "\(place): `drift_epochs` reaches epoch 70, but train instance `train/fold=0` runs 40 epochs; choose drift "
                    + "epochs within 1…40 (stage `analyze`, instance default)"
            }
        }
        #expect(try Self.plan(yaml(", with: { drift_epochs: [5, 40] }")).instances.count == 5)
    }

    /// A train `fold` the split does not make stops the plan, pointing at `fold`: k folds make
    /// folds 0…k−1, a holdout split makes fold 0 only.
    @Test func trainFoldsBeyondTheSplitAreRefused() throws {
        func yaml(_ split: String, folds: String) -> String {
            """
            stages:
              fetch: { uses: fetch, with: { dataset: x } }
              split: { uses: split, needs: [fetch], with: { \(split) } }
              train: { uses: train, needs: [split], matrix: { fold: [\(folds)] } }
            """
        }
        for (split, folds, made) in [("folds: 3", "0, 3", "0…2"), ("holdout: 0.2", "1", "0…0")] {
            #expect {
                _ = try Self.plan(yaml(split, folds: folds))
            } throws: { error in
                "\(error)".hasSuffix("`fold` \(folds.suffix(1)) does not exist: split `split/default` makes folds \(made) "
                                     + "(stage `train`, instance fold=\(folds.suffix(1)))")
            }
        }
        #expect(try Self.plan(yaml("folds: 3", folds: "0, 2")).instances.count == 4)
        #expect(try Self.plan(yaml("holdout: 0.2", folds: "0")).instances.count == 3)
    }

    /// A model too large for this machine's memory stops the plan, pointing at the setting and
    /// estimating the memory (one feature and one label counted: the data is not fetched yet);
    /// train used to abort with "failed to allocate 287999999744 bytes".
    @Test func modelTooLargeForMemoryIsRefused() {
        for (setting, place) in [("model_param: [hidden_width=999999999]", "plan.yaml:4:62"), ("hidden_width: 999999999", "plan.yaml:4:63")] {
            let yaml = """
            stages:
              fetch: { uses: fetch, with: { dataset: x } }
              split: { uses: split, needs: [fetch] }
              train: { uses: train, needs: [split], with: { \(setting) } }
            """
            #expect {
                _ = try Self.plan(yaml)
            } throws: { error in
                let text = "\(error)"
                return text.hasPrefix(place) && text.contains("model mlp has at least 1e+18 parameters with these hyper-parameters and needs at "
                                                              + "least 1.6e+10 GB to train") && text.contains("GB of memory; choose smaller widths")
            }
        }
    }

    /// Planning is linear in the instances and stages: a 20,000-instance matrix and a file of
    /// 4,000 stages used to take 27 s and 24 s (a quadratic duplicate check of matrix values, the
    /// upstream check walking every stage per stage, parameter declarations re-read by reflection
    /// per setting); docs/reliability.md has the timings.
    @Test func largePlansAreMade() throws {
        let seeds = (0..<20_000).map(String.init).joined(separator: ", ")
        let matrix = try Self.plan("""
            stages:
              fetch: { uses: fetch, with: { dataset: x } }
              split: { uses: split, needs: fetch }
              train: { uses: train, needs: split, matrix: { seed: [\(seeds)] } }
            """)
        #expect(matrix.instances.count == 20_002)
        let trains = (0..<4_000).map { "  t\($0): { uses: train, needs: split, with: { seed: \($0) } }\n" }.joined()
        let stages = try Self.plan("stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  split: { uses: split, needs: fetch }\n" + trains
                                   + "  analyze: { uses: analyze, needs: [\((0..<4_000).map { "t\($0)" }.joined(separator: ", "))] }\n")
        #expect(stages.instances.count == 4_003)
        #expect(stages.instances.last?.inputs.count == 4_000)
    }

    /// A plan above ``PipelinePlan/instanceLimit`` instances is refused before it is expanded,
    /// saying the limit and the count (a 1.5 M-value matrix used to run for minutes).
    @Test func absurdPlansAreRefusedNamingTheLimit() throws {
        let thousand = "[" + (1...1_000).map(String.init).joined(separator: ", ") + "]"
        #expect {
            _ = try Self.plan("""
                stages:
                  fetch: { uses: fetch, with: { dataset: x } }
                  split: { uses: split, needs: fetch }
                  train: { uses: train, needs: split, matrix: { seed: \(thousand), epochs: \(thousand) } }
                """)
        } throws: { error in
            "\(error)" == "plan.yaml:4:3: the matrix of stage `train` has 1000000 points, above the limit of 100000 instances a plan may have; "
                + "shrink the matrix or split the pipeline into several files"
        }
        // Each axis below the limit, but with the upstream matrix the stage exceeds it.
        let fourHundred = "[" + (1...400).map(String.init).joined(separator: ", ") + "]"
        #expect {
            _ = try Self.plan("""
                stages:
                  fetch: { uses: fetch, with: { dataset: x } }
                  split: { uses: split, needs: fetch, matrix: { seed: \(fourHundred) } }
                  train: { uses: train, needs: split, matrix: { epochs: \(fourHundred) } }
                """)
        } throws: { error in
            "\(error)" == "plan.yaml:4:3: the plan reaches 160401 instances at stage `train` (160000 of its own), above the limit of 100000; "
                + "shrink the matrices or split the pipeline into several files"
        }
        let values = "[" + (0...PipelinePlan.instanceLimit).map(String.init).joined(separator: ", ") + "]"
        #expect {
            _ = try Self.plan("stages:\n  fetch: { uses: fetch, with: { dataset: x } }\n  split: { uses: split, needs: fetch, matrix: { seed: \(values) } }\n")
        } throws: { error in
            "\(error)".hasPrefix("plan.yaml:3:55: matrix axis `seed` has 100001 values, above the limit of 100000 instances a plan may have")
        }
    }

    @Test func folderNamesCannotEscape() {
        #expect(PipelinePlan.folderName("selector=active-bias,fold=0") == "selector=active-bias,fold=0")
        #expect(PipelinePlan.folderName("path=../x y") == "path=..%2Fx%20y")
        #expect(PipelinePlan.folderName("..") == "%2E.")
    }

    @Test func selectionResolvesStagesAndInstances() throws {
        let plan = try Self.plan(ParserTests.valid)
        #expect(try InstanceSelection(parsing: "train").resolve(in: plan) == [2, 3, 4, 5])
        #expect(try InstanceSelection(parsing: "train[selector=uncertainty,fold=1]").resolve(in: plan) == [5])
        #expect(try InstanceSelection(parsing: "train[fold=0]").resolve(in: plan) == [2, 4])
        #expect(throws: PipelineError.unknownSelection("--stage: no stage `trian` in plan.yaml; stages: fetch, split, train, analyze")) {
            try InstanceSelection(parsing: "trian").resolve(in: plan)
        }
        #expect(throws: PipelineError.unknownSelection("--stage: stage `train` has no matrix key `model`; keys: selector, fold")) {
            try InstanceSelection(parsing: "train[model=mlp]").resolve(in: plan)
        }
        #expect(throws: PipelineError.unknownSelection("--stage: `fold=7` matches no instance of `train`; values: 0, 1")) {
            try InstanceSelection(parsing: "train[fold=7]").resolve(in: plan)
        }
        #expect(throws: PipelineError.self) { try InstanceSelection(parsing: "train[fold=1") }
    }
}
