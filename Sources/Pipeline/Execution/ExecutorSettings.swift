import Formats
import Foundation
import Yams

/// Which executor runs the stage instances.
public enum ExecutorKind: String, CaseIterable, Sendable {
    /// Child processes of the runner on this machine (the default).
    case local
    /// One Slurm batch job per instance.
    case slurm
}

/// What a Slurm batch job asks for: the `executor:` keys of a pipeline file, for every job or
/// for one stage type. Unset keys are left to the cluster's defaults (`cpusPerTask`: the
/// stage's `threads`, else 1).
public struct SlurmResources: Equatable, Sendable {
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// `--time`, in one of Slurm's formats (`30`, `2:00:00`, `1-12:00:00`, …).
    public var time: String?
    /// `--mem`, e.g. `4G` or `4000` (megabytes).
    public var mem: String?
    public var cpusPerTask: Int?
    /// Raw `#SBATCH` lines, each as written in a batch script (`--constraint=avx2`).
    public var extra: [String]?
    /// Shell lines run in the job before the stage command (`module load openblas`).
    public var prologue: [String]?

    public init() {}

    /// These resources with every key that `other` sets replaced by its value.
    public func overridden(by other: SlurmResources) -> SlurmResources {
        var result = self
        result.partition = other.partition ?? partition
        result.account = other.account ?? account
        result.qos = other.qos ?? qos
        result.time = other.time ?? time
        result.mem = other.mem ?? mem
        result.cpusPerTask = other.cpusPerTask ?? cpusPerTask
        result.extra = other.extra ?? extra
        result.prologue = other.prologue ?? prologue
        return result
    }
}

/// The optional `executor:` block of a pipeline file. It never affects cache keys: an instance
/// built by Slurm and one built locally are interchangeable.
public struct ExecutorSettings: Equatable, Sendable {
    /// `type:`; nil when the file does not say (then `local`, unless `run --executor` says otherwise).
    public var kind: ExecutorKind?
    /// Resources of every job.
    public var resources = SlurmResources()
    /// Per stage type (`train: { time: 12:00:00 }`): keys set there replace those above.
    public var overrides: [StageType: SlurmResources] = [:]

    public init() {}

    /// The resources of a job of stage type `type`.
    public func resources(for type: StageType) -> SlurmResources {
        overrides[type].map(resources.overridden) ?? resources
    }

    static let resourceKeys = ["partition", "account", "qos", "time", "mem", "cpus_per_task", "extra", "prologue"]
    static var keys: [String] { ["type"] + resourceKeys + StageType.allCases.map(\.rawValue) }
}

extension NodeReader {
    /// Reads the `executor:` mapping; errors point at the offending key or value.
    func executorSettings(_ node: Node) throws -> ExecutorSettings {
        var settings = ExecutorSettings()
        let entries = try mapping(node, what: "`executor`")
        try rejectUnknownKeys(entries, valid: ExecutorSettings.keys, context: "in `executor`")
        for entry in entries {
            if entry.key == "type" {
                let text = try scalar(entry.value, what: "`type`")
                guard let kind = ExecutorKind(rawValue: text) else {
                    throw fail(entry.value, "unknown executor `\(text)`; valid: \(ExecutorKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                settings.kind = kind
            } else if let type = StageType(rawValue: entry.key) {
                let body = try mapping(entry.value, what: "`executor.\(entry.key)`")
                try rejectUnknownKeys(body, valid: ExecutorSettings.resourceKeys, context: "in `executor.\(entry.key)`")
                settings.overrides[type] = try slurmResources(body)
            }
        }
        settings.resources = try slurmResources(entries.filter { ExecutorSettings.resourceKeys.contains($0.key) })
        return settings
    }

    /// Resource keys (already checked to be known) with their values validated.
    private func slurmResources(_ entries: [Entry]) throws -> SlurmResources {
        var resources = SlurmResources()
        for entry in entries {
            switch entry.key {
            case "partition": resources.partition = try word(entry)
            case "account": resources.account = try word(entry)
            case "qos": resources.qos = try word(entry)
            case "time":
                let text = try word(entry)
                guard Self.isSlurmTime(text) else {
                    throw fail(entry.value, "`time` must be a Slurm time limit: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes or days-hours:minutes:seconds (e.g. \"2:00:00\", \"1-12:00:00\"), not `\(text)`")
                }
                resources.time = text
            case "mem":
                let text = try word(entry)
                guard text.range(of: #"^[0-9]+[KMGT]?$"#, options: .regularExpression) != nil else {
                    throw fail(entry.value, "`mem` must be a size such as 4000 (megabytes), 500M, 4G or 1T, not `\(text)`")
                }
                resources.mem = text
            case "cpus_per_task":
                let text = try scalar(entry.value, what: "`cpus_per_task`")
                guard let count = Int(text), count >= 1 else {
                    throw fail(entry.value, "`cpus_per_task` must be an integer ≥ 1, not `\(text)`")
                }
                resources.cpusPerTask = count
            case "extra":
                resources.extra = try scalarOrSequence(entry.value).map { item in
                    let text = try scalar(item, what: "an `extra` entry")
                    guard text.hasPrefix("-"), !text.contains("\n") else {
                        throw fail(item, "each `extra` entry is one sbatch option as written on an #SBATCH line (e.g. `--constraint=avx2`), not `\(text)`")
                    }
                    return text
                }
            case "prologue":
                resources.prologue = try scalarOrSequence(entry.value).flatMap { item in
                    try scalar(item, what: "a `prologue` line").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
                }
            default: break
            }
        }
        return resources
    }

    /// A scalar without whitespace or double quotes (it becomes an `#SBATCH` value).
    private func word(_ entry: Entry) throws -> String {
        let text = try scalar(entry.value, what: "`\(entry.key)`")
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0 == "\"" }) else {
            throw fail(entry.value, "`\(entry.key)` must be one word without spaces or quotes, not `\(text)`")
        }
        return text
    }

    /// Slurm's time formats, or `UNLIMITED` / `INFINITE`.
    static func isSlurmTime(_ text: String) -> Bool {
        ["UNLIMITED", "INFINITE"].contains(text.uppercased())
            || text.range(of: #"^([0-9]+-[0-9]+(:[0-9]+){0,2}|[0-9]+(:[0-9]+){0,2})$"#, options: .regularExpression) != nil
    }
}
