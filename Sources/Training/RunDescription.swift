import Artifacts
import Foundation
import Tensors

/// `run.json`: what a train folder holds, for the analyze stage and for scripts.
public struct RunDescription: Codable, Sendable {
    public var dataset: String
    public var model: String
    public var selector: String
    public var fold: Int
    public var seed: UInt64
    public var epochs: Int
    public var labelNames: [String]
    public var trainCount: Int
    public var options: [String: String]

    public init(dataset: String, model: String, selector: String, fold: Int, seed: UInt64, epochs: Int,
                labelNames: [String], trainCount: Int, options: [String: String]) {
        self.dataset = dataset
        self.model = model
        self.selector = selector
        self.fold = fold
        self.seed = seed
        self.epochs = epochs
        self.labelNames = labelNames
        self.trainCount = trainCount
        self.options = options
    }

    /// Writes the description atomically with sorted keys.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }
}

/// Process-wide set-up before training: OpenBLAS threads and its cold-start warm-up.
public enum TrainingEnvironment {
    /// Sets OpenBLAS to `threads` (or leaves its default) and runs one large sgemm.
    public static func prepare(threads: Int?) {
        if let threads { BLAS.setThreads(threads) }
        BLAS.warmUp()
    }
}
