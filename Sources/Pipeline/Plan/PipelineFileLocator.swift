import Foundation

/// Finds a pipeline file the way users type it: a path that differs from `Pipelines/corel5k.yaml`
/// only in letter case finds it on case-sensitive file systems too, and a bare name `corel5k`
/// finds `Pipelines/corel5k.yaml`.
public enum PipelineFileLocator {
    /// The existing file for `path` (relative to `base`), or an error listing the pipelines
    /// available in `Pipelines/`.
    public static func locate(_ path: String, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> URL {
        var candidates = [path]
        if !path.contains("/") {
            candidates += ["Pipelines/\(path)", "Pipelines/\(path).yaml", "Pipelines/\(path).yml"]
        }
        for candidate in candidates {
            if let found = resolveIgnoringCase(candidate, base: base) { return found }
        }
        let folder = base.appendingPathComponent("Pipelines")
        let available = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        let hint = available.isEmpty ? "no Pipelines/ folder here; run from the repository root"
                                     : "available: " + available.map { "Pipelines/\($0)" }.joined(separator: ", ")
        throw PipelineError.io(path: path, reason: "no such pipeline file; \(hint)")
    }

    /// Resolves `path` component by component; where a component does not exist exactly,
    /// uses the single entry of the folder that matches it ignoring case.
    static func resolveIgnoringCase(_ path: String, base: URL) -> URL? {
        var current = path.hasPrefix("/") ? URL(fileURLWithPath: "/") : base
        for component in path.split(separator: "/").map(String.init) {
            let exact = current.appendingPathComponent(component)
            if component == "." || component == ".." || FileManager.default.fileExists(atPath: exact.path) {
                current = exact
                continue
            }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: current.path)) ?? []
            let matches = entries.filter { $0.lowercased() == component.lowercased() }
            guard matches.count == 1 else { return nil }
            current = current.appendingPathComponent(matches[0])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: current.path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return current.standardizedFileURL
    }

    /// `url` relative to `base` when it lies inside it (for messages), else its full path.
    public static func displayPath(of url: URL, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> String {
        let prefix = base.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
