import Formats
import Artifacts
import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite struct CacheTests {
    static let base = Fingerprint(uses: "train", toolVersion: "0.1.0", parameters: ["epochs": "20", "fold": "0"],
                                  inputs: [.init(flag: "split", instance: "split/default", digest: "aa")])

    @Test func keyDependsOnParametersInputsAndVersionButNotNames() {
        var renamed = Self.base
        renamed.inputs[0].instance = "folds/default"
        #expect(renamed.key == Self.base.key)
        var edited = Self.base
        edited.parameters["epochs"] = "30"
        #expect(edited.key != Self.base.key)
        var newInput = Self.base
        newInput.inputs[0].digest = "ab"
        #expect(newInput.key != Self.base.key)
        var newVersion = Self.base
        newVersion.toolVersion = "0.2.0"
        #expect(newVersion.key != Self.base.key)
        #expect(Self.base.key.count == 64)
        // Setting order does not matter: the key sorts them.
        let reordered = Fingerprint(uses: "train", toolVersion: "0.1.0", parameters: ["fold": "0", "epochs": "20"], inputs: Self.base.inputs)
        #expect(reordered.key == Self.base.key)
    }

    @Test func changesAreExplained() {
        var edited = Self.base
        edited.parameters["epochs"] = "30"
        edited.parameters["lr"] = "1e-3"
        edited.parameters["fold"] = nil
        #expect(edited.parameterChanges(from: Self.base) == ["epochs: 20 → 30", "fold: removed (was 0)", "lr: added (1e-3)"])
        edited.inputs[0].digest = "bb"
        #expect(edited.inputChanges(from: Self.base) == ["split/default (new content)"])
    }

    /// Writes a minimal complete instance folder with one output file.
    static func writeInstance(_ folder: URL, content: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try content.write(to: folder.appendingPathComponent("out.txt"), atomically: true, encoding: .utf8)
        let manifest = Manifest(stage: "x", parameters: [:], inputs: [], outputs: try Manifest.hashOutputs(in: folder),
                                startedAt: Date(), finishedAt: Date(), command: [])
        try manifest.write(into: folder)
    }

    @Test func statusExplainsEachKindOfStaleness() throws {
        let yaml = { (folds: Int) in "name: c\nstages:\n  fetch: { uses: fetch, with: { dataset: d } }\n  split: { uses: split, needs: fetch, with: { folds: \(folds) } }\n" }
        let root = TestSupport.temporaryFolder()
        var cache = try CacheState(plan: PipelinePlan(try PipelineParser.parse(yaml: yaml(2), file: "c.yaml")), root: root)
        #expect(cache.statuses() == [.stale([.missing]), .stale([.missing])])

        try Self.writeInstance(root.appendingPathComponent("fetch/default"), content: "data 1")
        #expect(cache.statuses()[0] == .stale([.notRecorded]))
        try cache.record(0, fingerprint: cache.fingerprint(of: 0)!, manifest: cache.manifest(of: 0)!)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("split/default"), withIntermediateDirectories: true)
        #expect(cache.statuses() == [.upToDate, .stale([.incomplete])])

        try Self.writeInstance(root.appendingPathComponent("split/default"), content: "folds")
        try cache.record(1, fingerprint: cache.fingerprint(of: 1)!, manifest: cache.manifest(of: 1)!)
        #expect(cache.statuses() == [.upToDate, .upToDate])
        // The lock file survives a reload.
        #expect(try CacheState(plan: cache.plan, root: root).statuses() == [.upToDate, .upToDate])

        // Edited parameter.
        let edited = try CacheState(plan: PipelinePlan(try PipelineParser.parse(yaml: yaml(3), file: "c.yaml")), root: root)
        #expect(edited.statuses()[1] == .stale([.parametersChanged(["folds: 2 → 3"])]))
        #expect(edited.statuses()[1].description == "stale: parameters changed: folds: 2 → 3")

        // New upstream content: the fetch folder is stale (rewritten), split's input changed.
        try Self.writeInstance(root.appendingPathComponent("fetch/default"), content: "data 2")
        #expect(cache.statuses() == [.stale([.outputsChanged]), .stale([.inputsChanged(["fetch/default (new content)"])])])
        try cache.record(0, fingerprint: cache.fingerprint(of: 0)!, manifest: cache.manifest(of: 0)!)

        // Upstream incomplete: its dependent cannot be keyed.
        try FileManager.default.removeItem(at: root.appendingPathComponent("fetch/default/manifest.json"))
        #expect(cache.statuses() == [.stale([.incomplete]), .stale([.upstreamNotBuilt(["fetch/default"])])])
    }

    @Test func dependentOfAStaleInstanceWaits() throws {
        let yaml = { (dataset: String) in "name: w\nstages:\n  fetch: { uses: fetch, with: { dataset: \(dataset) } }\n  split: { uses: split, needs: fetch }\n" }
        let root = TestSupport.temporaryFolder()
        var cache = try CacheState(plan: PipelinePlan(try PipelineParser.parse(yaml: yaml("a"), file: "w.yaml")), root: root)
        for index in 0..<2 {
            try Self.writeInstance(root.appendingPathComponent(cache.plan.instances[index].folder), content: "\(index)")
            try cache.record(index, fingerprint: cache.fingerprint(of: index)!, manifest: cache.manifest(of: index)!)
        }
        let edited = try CacheState(plan: PipelinePlan(try PipelineParser.parse(yaml: yaml("b"), file: "w.yaml")), root: root)
        #expect(edited.statuses() == [.stale([.parametersChanged(["dataset: a → b"])]), .waiting(on: ["fetch/default"])])
    }

    /// Damaged outputs (a truncated file, a flipped byte, a deleted file) used to pass as up to
    /// date: plain status still does not read the outputs, but `--verify` re-hashes them against
    /// the manifest and names each damaged file. A corrupt manifest.json is named as corrupt, with
    /// the parse error, not as "no manifest.json".
    @Test func verifyNamesDamagedOutputsAndCorruptManifests() throws {
        let yaml = "name: v\nstages:\n  fetch: { uses: fetch, with: { dataset: d } }\n  split: { uses: split, needs: fetch }\n"
        let root = TestSupport.temporaryFolder()
        let plan = try PipelinePlan(try PipelineParser.parse(yaml: yaml, file: "v.yaml"))
        var cache = try CacheState(plan: plan, root: root)
        for index in 0..<2 {
            let folder = root.appendingPathComponent(plan.instances[index].folder)
            try Self.writeInstance(folder, content: "content \(index)")
            try "more".write(to: folder.appendingPathComponent("extra.txt"), atomically: true, encoding: .utf8)
            let manifest = Manifest(stage: "x", parameters: [:], inputs: [], outputs: try Manifest.hashOutputs(in: folder),
                                    startedAt: Date(), finishedAt: Date(), command: [])
            try manifest.write(into: folder)
            try cache.record(index, fingerprint: cache.fingerprint(of: index)!, manifest: manifest)
        }
        #expect(try CacheState(plan: plan, root: root, verify: true).statuses() == [.upToDate, .upToDate])
        let fetch = root.appendingPathComponent("fetch/default"), split = root.appendingPathComponent("split/default")
        var bytes = try Data(contentsOf: fetch.appendingPathComponent("out.txt"))
        bytes[2] ^= 0x01
        try bytes.write(to: fetch.appendingPathComponent("out.txt"))
        try FileManager.default.removeItem(at: fetch.appendingPathComponent("extra.txt"))
        try Data("content".utf8).write(to: split.appendingPathComponent("out.txt"))
        #expect(cache.statuses() == [.upToDate, .upToDate], "status does not read the outputs")
        let verified = try CacheState(plan: plan, root: root, verify: true).statuses()
        #expect(verified == [.stale([.damaged(["extra.txt (missing)", "out.txt (content differs from manifest.json)"])]),
                             .stale([.damaged(["out.txt (content differs from manifest.json)"])])])
        #expect(verified[0].description == "stale: damaged: extra.txt (missing), out.txt (content differs from manifest.json) (`run --verify` rebuilds it)")

        try Data("{\"stage\": \"x\", \"outp".utf8).write(to: split.appendingPathComponent("manifest.json"))
        let corrupt = cache.statuses()[1]
        guard case let .stale(reasons) = corrupt, case let .corruptManifest(text)? = reasons.first else {
            Issue.record("not reported corrupt: \(corrupt)")
            return
        }
        #expect(text.hasPrefix("\(split.path)/manifest.json: corrupt manifest (not valid JSON"), "\(text)")
        #expect(!corrupt.description.contains("no manifest.json"))
    }
}
