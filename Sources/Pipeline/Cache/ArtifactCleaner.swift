import Artifacts
import Formats
import Foundation

/// Deletes artifacts for `pipeline clean`. The caller holds the ``ArtifactLock``.
///
/// Nothing is deleted while something may still write into it: a stage process of an earlier
/// run whose runner was stopped (it holds its folder's ``StageLock``), or a Slurm job of an
/// earlier run recorded in the folder's `.slurm-job` that the queue still lists. Every folder is
/// checked before the first is deleted, so a refused clean deletes nothing.
public enum ArtifactCleaner {
    /// Deletes everything in `root` except the lock file; returns the removed entries. Refuses if
    /// another pipeline file with the same `name:` built `root`.
    public static func removeAll(plan: PipelinePlan, root: URL) throws -> [String] {
        try LockFile.read(from: root, pipeline: plan.definition.name).checkBuilder(plan: plan, root: root)
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0 != ".lock" }.sorted()
        try checkNothingWrites(into: names.flatMap { instanceFolders(in: root.appendingPathComponent($0)) })
        for name in names { try FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
        return names
    }

    /// Deletes the folders of stale instances (parameters, inputs or tool version changed, or
    /// unrecorded) and folders that belong to no instance of the current pipeline, and drops
    /// their lock-file entries. Keeps up-to-date instances and incomplete ones (`run` resumes
    /// those), but deletes the hidden temporary files that killed writers left in them (and in
    /// `root`), except in folders a stage process or a Slurm job of an earlier run may still
    /// write. Returns the removed folders and files relative to `root`.
    public static func removeStale(plan: PipelinePlan, root: URL) throws -> [String] {
        var cache = try CacheState(plan: plan, root: root)
        var removals: [(path: String, instance: String?)] = []
        for (index, status) in cache.statuses().enumerated() {
            guard case let .stale(reasons) = status, !reasons.contains(.missing), !reasons.contains(.incomplete) else { continue }
            removals.append((plan.instances[index].folder, plan.instances[index].id.description))
        }
        let known = Set(plan.instances.map(\.folder))
        let stages = Set(plan.instances.map(\.id.stage))
        for stage in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() where !stage.hasPrefix(".") {
            let stageURL = root.appendingPathComponent(stage)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: stageURL.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            if !stages.contains(stage) {
                removals.append((stage, nil))
                continue
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: stageURL.path).sorted() where !known.contains(stage + "/" + name) {
                removals.append((stage + "/" + name, nil))
            }
        }
        try checkNothingWrites(into: removals.flatMap { removal in
            let url = root.appendingPathComponent(removal.path)
            return removal.path.contains("/") ? [url] : instanceFolders(in: url)
        })
        for removal in removals {
            try FileManager.default.removeItem(at: root.appendingPathComponent(removal.path))
            if let instance = removal.instance { cache.lock.instances[instance] = nil }
        }
        let ids = Set(plan.instances.map(\.id.description))
        cache.lock.instances = cache.lock.instances.filter { ids.contains($0.key) }
        try cache.lock.write(into: root)
        let kept = plan.instances.map(\.folder).filter { folder in !removals.contains { $0.path == folder } }
        return removals.map(\.path) + (try removeLeftovers(root: root, instanceFolders: kept))
    }

    /// Deletes the temporary files of interrupted writes in `root` and in the instance folders
    /// (relative to `root`) that nothing may still write; returns their paths relative to `root`.
    private static func removeLeftovers(root: URL, instanceFolders: [String]) throws -> [String] {
        var removed = try AtomicFile.removeLeftovers(in: root, recursive: false)
        for folder in instanceFolders {
            let url = root.appendingPathComponent(folder)
            guard StageLock.holder(of: url) == nil, SlurmJobRecord.read(in: url) == nil else { continue }
            removed += try AtomicFile.removeLeftovers(in: url).map { folder + "/" + $0 }
        }
        return removed
    }

    /// The instance folders in a stage folder (none if it is not a folder).
    static func instanceFolders(in stage: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: stage.path)) ?? []
        return names.sorted().map { stage.appendingPathComponent($0) }.filter { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// Throws, naming the folder and what to do, if a live stage process or a Slurm job still
    /// in the queue may write into one of `folders`.
    static func checkNothingWrites(into folders: [URL]) throws {
        for folder in folders {
            if let holder = StageLock.holder(of: folder) {
                throw PipelineError.io(path: folder.path, reason: "still being written by \(holder), a stage process of an earlier run "
                    + "whose runner was stopped; wait for it to exit (or stop it), then clean again")
            }
        }
        let records = folders.compactMap { folder in SlurmJobRecord.read(in: folder).map { (folder: folder, record: $0) } }
        guard let first = records.first else { return }
        let listed: [String: (state: String, name: String)]
        do {
            listed = try SlurmQueue().listed(records.map(\.record.jobId))
        } catch {
            throw PipelineError.io(path: first.folder.appendingPathComponent(SlurmJobRecord.fileName).path,
                                   reason: "an earlier Slurm run recorded job \(first.record.jobId) here, and whether it still runs cannot be "
                                       + "checked (\(error)); cancel it with `scancel \(first.record.jobId)`, or delete the .slurm-job files "
                                       + "of jobs that no longer run, then clean again")
        }
        for (folder, record) in records {
            guard let job = listed[record.jobId], job.name == record.name else { continue }
            throw PipelineError.io(path: folder.path, reason: "Slurm job \(record.jobId) (\(job.state.lowercased())) of an earlier run is "
                + "still building this instance; wait for it, or cancel it with `scancel \(record.jobId)`, then clean again")
        }
    }
}
