import Foundation
import NumpyIO

/// How the label-correlation matrix C of a run changes during training.
public enum Drift {
    /// Consecutive pairs of the configured epochs: [30, 70] → (30, 70); [10, 30, 70] → (10, 30), (30, 70).
    public static func pairs(_ epochs: [Int]) -> [(Int, Int)] {
        zip(epochs, epochs.dropFirst()).map { ($0, $1) }
    }

    /// A label pair whose correlation changed most between two epochs.
    public struct PairChange: Sendable, Equatable {
        public var first: Int
        public var second: Int
        public var before: Float
        public var after: Float
        public var change: Float { after - before }
    }

    /// Correlation matrices of one run at two epochs (1-based) and their difference C_b − C_a.
    public struct Snapshot: Sendable {
        public var key: RunKey
        public var labelNames: [String]
        public var epochA: Int
        public var epochB: Int
        public var before: [Float]
        public var after: [Float]
        public var difference: [Float]
        public var q: Int { labelNames.count }
    }

    /// ‖C_t − C_{t−1}‖_F between consecutive slices (index 0: slices 1 and 2; with every epoch kept,
    /// t = 2…E). Streams one q × q slice at a time
    /// from the memory-mapped file; O(E q²) time, O(q²) memory.
    public static func frobeniusSteps(_ file: MappedNpyFile) -> [Double] {
        let shape = file.header.shape
        let sliceCount = shape.dropFirst().reduce(1, *)
        var previous = [Float](repeating: 0, count: sliceCount)
        var current = [Float](repeating: 0, count: sliceCount)
        var norms: [Double] = []
        for epoch in 0..<shape[0] {
            current.withUnsafeMutableBufferPointer { file.readSlice(epoch, into: $0) }
            if epoch > 0 {
                var sum = 0.0
                current.withUnsafeBufferPointer { c in
                    previous.withUnsafeBufferPointer { p in
                        for i in 0..<sliceCount {
                            let d = Double(c[i]) - Double(p[i])
                            sum += d * d
                        }
                    }
                }
                norms.append(sum.squareRoot())
            }
            swap(&previous, &current)
        }
        return norms
    }

    /// The epoch of `kept` (ascending) nearest to `epoch`, the earlier of two as near.
    public static func nearest(_ epoch: Int, in kept: [Int]) -> Int {
        kept.min { (abs($0 - epoch), $0) < (abs($1 - epoch), $1) }!
    }

    /// C at `epochA` and `epochB` (1-based, epochs the run's `correlation.npy` holds) and C_b − C_a.
    public static func snapshot(_ run: TrainRun, file: MappedNpyFile, epochA: Int, epochB: Int) -> Snapshot {
        let q = run.labelNames.count, kept = run.correlationEpochs
        var before = [Float](repeating: 0, count: q * q)
        var after = [Float](repeating: 0, count: q * q)
        before.withUnsafeMutableBufferPointer { file.readSlice(kept.firstIndex(of: epochA)!, into: $0) }
        after.withUnsafeMutableBufferPointer { file.readSlice(kept.firstIndex(of: epochB)!, into: $0) }
        var difference = [Float](repeating: 0, count: q * q)
        difference.withUnsafeMutableBufferPointer { d in
            before.withUnsafeBufferPointer { a in
                after.withUnsafeBufferPointer { b in
                    for i in 0..<(q * q) { d[i] = b[i] - a[i] }
                }
            }
        }
        return Snapshot(key: run.key, labelNames: run.labelNames, epochA: epochA, epochB: epochB,
                        before: before, after: after, difference: difference)
    }

    /// The `count` off-diagonal pairs (a < b) with the largest |C_b − C_a|, largest first
    /// (ties by pair index). O(q² log q²).
    public static func topChanges(_ snapshot: Snapshot, count: Int) -> [PairChange] {
        let q = snapshot.q
        var changes: [PairChange] = []
        changes.reserveCapacity(q * (q - 1) / 2)
        for a in 0..<q {
            for b in (a + 1)..<max(q, a + 1) {
                changes.append(PairChange(first: a, second: b, before: snapshot.before[a * q + b], after: snapshot.after[a * q + b]))
            }
        }
        changes.sort { abs($0.change) != abs($1.change) ? abs($0.change) > abs($1.change) : ($0.first, $0.second) < ($1.first, $1.second) }
        return Array(changes.prefix(count))
    }
}
