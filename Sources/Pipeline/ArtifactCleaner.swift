import Foundation

/// Deletes artifacts for `pipeline clean`. The caller holds the ``ArtifactLock``.
public enum ArtifactCleaner {
    /// Deletes everything in `root` except the lock file; returns the removed entries.
    public static func removeAll(root: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0 != ".lock" }.sorted()
        for name in names { try FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
        return names
    }

    /// Deletes the folders of stale instances (parameters, inputs or tool version changed, or
    /// unrecorded) and folders that belong to no instance of the current pipeline, and drops
    /// their lock-file entries. Keeps up-to-date instances and incomplete ones (`run` resumes
    /// those). Returns the removed folders relative to `root`.
    public static func removeStale(plan: PipelinePlan, root: URL) throws -> [String] {
        var cache = try CacheState(plan: plan, root: root)
        let statuses = cache.statuses()
        var removed: [String] = []
        for (index, status) in statuses.enumerated() {
            guard case let .stale(reasons) = status, !reasons.contains(.missing), !reasons.contains(.incomplete) else { continue }
            try FileManager.default.removeItem(at: cache.folder(of: index))
            cache.lock.instances[plan.instances[index].id.description] = nil
            removed.append(plan.instances[index].folder)
        }
        let known = Set(plan.instances.map(\.folder))
        let stages = Set(plan.instances.map(\.id.stage))
        for stage in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() where !stage.hasPrefix(".") {
            let stageURL = root.appendingPathComponent(stage)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: stageURL.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            if !stages.contains(stage) {
                try FileManager.default.removeItem(at: stageURL)
                removed.append(stage)
                continue
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: stageURL.path).sorted() where !known.contains(stage + "/" + name) {
                try FileManager.default.removeItem(at: stageURL.appendingPathComponent(name))
                removed.append(stage + "/" + name)
            }
        }
        let ids = Set(plan.instances.map(\.id.description))
        cache.lock.instances = cache.lock.instances.filter { ids.contains($0.key) }
        try cache.lock.write(into: root)
        return removed
    }
}
