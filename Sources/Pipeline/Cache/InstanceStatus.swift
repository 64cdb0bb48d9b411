import Artifacts
import Formats
import Foundation

/// Why an instance must be (re)built.
public enum StaleReason: Equatable, Sendable, CustomStringConvertible {
    /// The instance folder does not exist.
    case missing
    /// The folder exists without a manifest.json: an interrupted or failed run.
    case incomplete
    /// manifest.json exists but cannot be read (the error names the file and the parse error).
    case corruptManifest(String)
    /// Outputs that are missing or differ from the hashes in manifest.json (`--verify` only).
    case damaged([String])
    /// The stage left out inputs it could not read (analyze's `skip_unreadable`): redone until it reads them all.
    case skippedInputs([String])
    /// The folder is complete but pipeline.lock has no record of it.
    case notRecorded
    case toolVersionChanged(from: String, to: String)
    case parametersChanged([String])
    case inputsChanged([String])
    /// manifest.json differs from the one recorded (the folder was rewritten outside the pipeline).
    case outputsChanged
    /// Some upstream folder is not built yet, so the key cannot be computed.
    case upstreamNotBuilt([String])

    public var description: String {
        switch self {
        case .missing: return "missing (never built)"
        case .incomplete: return "incomplete: no manifest.json (an interrupted or failed run; `run` resumes it)"
        case let .corruptManifest(error): return error
        case let .damaged(files): return "damaged: " + files.joined(separator: ", ") + " (`run --verify` rebuilds it)"
        case let .skippedInputs(paths):
            return "built without \(paths.count) unreadable input\(paths.count == 1 ? "" : "s") it skipped (\(paths.joined(separator: ", "))); `run` redoes it"
        case .notRecorded: return "not recorded in pipeline.lock"
        case let .toolVersionChanged(from, to): return "tool version changed: \(from) → \(to)"
        case let .parametersChanged(changes): return "parameters changed: " + changes.joined(separator: ", ")
        case let .inputsChanged(changes): return "input changed: " + changes.joined(separator: ", ")
        case .outputsChanged: return "outputs changed since they were recorded"
        case let .upstreamNotBuilt(ids): return "upstream not built: " + ids.joined(separator: ", ")
        }
    }
}

/// The cache state of one instance.
public enum InstanceStatus: Equatable, Sendable, CustomStringConvertible {
    case upToDate
    case stale([StaleReason])
    /// Up to date with the current upstream folders, but some of those will be rebuilt first;
    /// checked again once they have been.
    case waiting(on: [String])

    public var description: String {
        switch self {
        case .upToDate: return "up to date"
        case let .stale(reasons):
            let text = reasons.map(\.description).joined(separator: "; ")
            return reasons.allSatisfy { $0 == .missing || $0 == .incomplete } ? text : "stale: " + text
        case let .waiting(ids): return "up to date unless upstream changes: waits for " + ids.joined(separator: ", ")
        }
    }

    public var isUpToDate: Bool { self == .upToDate }
}

/// Computes fingerprints and cache states from the artifact folder and the lock file.
public struct CacheState {
    public let plan: PipelinePlan
    /// `Artifacts/<pipeline>`.
    public let root: URL
    public var lock: LockFile
    /// Whether ``status(of:upstreamStatus:)`` re-hashes each instance's outputs against its
    /// manifest (`--verify`), so a damaged instance is stale; each is hashed once.
    public let verify: Bool
    private let damage = DamageMemo()

    public init(plan: PipelinePlan, root: URL, verify: Bool = false) throws {
        self.plan = plan
        self.root = root
        self.verify = verify
        lock = try LockFile.read(from: root, pipeline: plan.definition.name)
        try lock.checkBuilder(plan: plan, root: root)
    }

    /// The folder of instance `index`.
    public func folder(of index: Int) -> URL {
        root.appendingPathComponent(plan.instances[index].folder)
    }

    /// The manifest of instance `index`, or nil if it is incomplete.
    public func manifest(of index: Int) -> Manifest? {
        try? Manifest.read(from: folder(of: index))
    }

    /// Upstream instances of `index` that have no manifest yet.
    public func unbuiltInputs(of index: Int) -> [String] {
        plan.instances[index].inputs.filter { manifest(of: $0.instance) == nil }.map { plan.instances[$0.instance].id.description }
    }

    /// The instance's fingerprint from the current upstream manifests, or nil if some upstream
    /// instance is not built (see ``unbuiltInputs(of:)``).
    public func fingerprint(of index: Int) -> Fingerprint? {
        let instance = plan.instances[index]
        var inputs: [Fingerprint.Input] = []
        for input in instance.inputs {
            guard let manifest = manifest(of: input.instance) else { return nil }
            inputs.append(Fingerprint.Input(flag: input.flag, instance: plan.instances[input.instance].id.description,
                                            digest: manifest.outputDigest))
        }
        return Fingerprint(uses: instance.type.rawValue, toolVersion: ToolVersion.string, parameters: instance.resolvedParameters,
                           inputs: inputs)
    }

    /// The state of instance `index` given the states of the instances before it in the plan.
    public func status(of index: Int, upstreamStatus: (Int) -> InstanceStatus) -> InstanceStatus {
        let instance = plan.instances[index]
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder(of: index).path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .stale([.missing])
        }
        let manifest: Manifest
        do {
            manifest = try Manifest.read(from: folder(of: index))
        } catch ArtifactError.missing {
            return .stale([.incomplete])
        } catch {
            return .stale([.corruptManifest("\(error)")])
        }
        guard let entry = lock.instances[instance.id.description] else { return .stale([.notRecorded]) }
        var reasons: [StaleReason] = []
        switch fingerprint(of: index) {
        case nil:
            reasons.append(.upstreamNotBuilt(unbuiltInputs(of: index)))
        case let current? where current.key != entry.key:
            let old = entry.fingerprint
            if old.toolVersion != current.toolVersion { reasons.append(.toolVersionChanged(from: old.toolVersion, to: current.toolVersion)) }
            let parameters = current.parameterChanges(from: old)
            if !parameters.isEmpty { reasons.append(.parametersChanged(parameters)) }
            let inputs = current.inputChanges(from: old)
            if !inputs.isEmpty { reasons.append(.inputsChanged(inputs)) }
            if reasons.isEmpty { reasons.append(.parametersChanged(["stage type \(old.uses) → \(current.uses)"])) }
        case .some:
            break
        }
        if manifest.outputDigest != entry.outputDigest { reasons.append(.outputsChanged) }
        if let skipped = manifest.skipped, !skipped.isEmpty { reasons.append(.skippedInputs(skipped.map(\.path))) }
        if verify {
            let damaged = damage.outputs(of: index) { manifest.damagedOutputs(in: folder(of: index)) }
            if !damaged.isEmpty { reasons.append(.damaged(damaged)) }
        }
        if !reasons.isEmpty { return .stale(reasons) }
        let pending = instance.upstream.filter { !upstreamStatus($0).isUpToDate }.map { plan.instances[$0].id.description }
        return pending.isEmpty ? .upToDate : .waiting(on: pending)
    }

    /// The state of every instance, in plan order.
    public func statuses() -> [InstanceStatus] {
        var result: [InstanceStatus] = []
        for index in plan.instances.indices {
            result.append(status(of: index) { result[$0] })
        }
        return result
    }

    /// Records a completed instance in the lock file and writes it.
    public mutating func record(_ index: Int, fingerprint: Fingerprint, manifest: Manifest) throws {
        lock.instances[plan.instances[index].id.description] = LockFile.Entry(
            key: fingerprint.key, fingerprint: fingerprint, outputDigest: manifest.outputDigest,
            finishedAt: ISO8601DateFormatter().string(from: Date()))
        lock.file = plan.definition.source ?? lock.file
        try lock.write(into: root)
        damage.forget(index)
    }
}

/// The damaged outputs of each instance verified so far (hashing every output is the slow part
/// of `--verify`, and the runner asks for an instance's status more than once).
private final class DamageMemo {
    private var found: [Int: [String]] = [:]

    func outputs(of index: Int, _ check: () -> [String]) -> [String] {
        if let known = found[index] { return known }
        let damaged = check()
        found[index] = damaged
        return damaged
    }

    func forget(_ index: Int) { found[index] = nil }
}
