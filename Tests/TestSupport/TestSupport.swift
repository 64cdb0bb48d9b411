import Foundation

/// Locations and helpers shared by the test targets.
public enum TestSupport {
    /// The read-only `shared/` folder beside the checkout (`MLBATCH_SHARED` overrides),
    /// found by walking up from this source file.
    public static let sharedFolder: URL = {
        if let override = ProcessInfo.processInfo.environment["MLBATCH_SHARED"] {
            return URL(fileURLWithPath: override)
        }
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("shared")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("datasets").path) {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        fatalError("cannot find ../shared (set MLBATCH_SHARED to its path)")
    }()

    /// `shared/datasets`: the offline mirror of real dataset archives.
    public static var datasetsMirror: URL { sharedFolder.appendingPathComponent("datasets") }
    /// `shared/parity`: PyTorch and scikit-learn reference fixtures.
    public static var parityFolder: URL { sharedFolder.appendingPathComponent("parity") }

    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        fatalError("cannot find Package.swift above \(#filePath)")
    }()

    /// A new empty temporary folder.
    public static func temporaryFolder(_ prefix: String = "mlbatch-test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The folder holding the built products of this test run (the executables live here).
    public static let productsFolder: URL = Bundle.main.bundleURL

    /// The result of running a child process.
    public struct ProcessResult: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// Runs a built executable product (e.g. `"fetch"`) with arguments and captures its output.
    public static func runProduct(_ name: String, _ arguments: [String], environment: [String: String] = [:],
                                  currentDirectory: URL? = nil) throws -> ProcessResult {
        try run(productsFolder.appendingPathComponent(name), arguments, environment: environment, currentDirectory: currentDirectory)
    }

    /// Runs any executable with arguments and captures its output.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        let error = FileManager.default.temporaryDirectory.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: error.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: error)
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: error)
        try process.run()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             standardOutput: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
                             standardError: (try? String(contentsOf: error, encoding: .utf8)) ?? "")
    }

    /// Runs `python3 -c script args…` (NumPy must be importable) and captures its output.
    public static func python(_ script: String, _ arguments: [String] = []) throws -> ProcessResult {
        try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments)
    }

    /// Runs blocking work (waiting for child processes) on a Dispatch thread and awaits it, so a
    /// long test does not hold one of Swift concurrency's cooperative threads (as many as cores):
    /// holding them stalls the continuations of other, concurrently running async tests.
    public static func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Whether a test that needs the Python module `module` should run: when `python3` can import
    /// it, and always under CI (`CI` set), where a missing package must fail the test instead of
    /// skipping it. Use as `.enabled(if: TestSupport.pythonCanImport("tensorboard"), "needs …")`.
    public static func pythonCanImport(_ module: String) -> Bool {
        if ProcessInfo.processInfo.environment["CI"] != nil { return true }
        return (try? python("import \(module)").status) == 0
    }
}
