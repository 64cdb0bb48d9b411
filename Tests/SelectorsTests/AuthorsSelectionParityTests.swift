import Formats
import Foundation
import NumpyIO
import Selectors
import StageKit
import Testing

/// The authors' code path (docs/replication.md) against `Fixtures/authors-selection.npz`, written by
/// `python3 scripts/authors_selection.py --write-fixture Tests/SelectorsTests/Fixtures/authors-selection.npz`:
/// the notebook's selection arithmetic replayed on a 20-epoch prediction stream (n = 300, q = 6,
/// b = 32, 6 warm-up epochs in stored order, pressure rising from 1 at its epoch 6 to 40 at 19).
@Suite struct AuthorsSelectionParityTests {
    let archive: [String: NpyArray]
    let n: Int, q: Int, batchSize: Int, warmup: Int, epochs: Int

    init() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/authors-selection.npz")
        let archive = try NpzFile.read(url)
        func scalar(_ key: String) throws -> Int { Int(try #require(archive[key]).int64Values().first ?? -1) }
        n = try scalar("n")
        q = try scalar("q")
        batchSize = try scalar("batch_size")
        warmup = try scalar("warm_epoch")
        epochs = try scalar("epochs")
        self.archive = archive
    }

    func array(_ key: String) throws -> NpyArray { try #require(archive[key], "fixture lacks \(key)") }

    /// The notebook's options in this project's terms. Its 0-based epoch x computes the pressure of
    /// epoch x + 1, our 1-based epoch x + 2: the rise from x = e_end to x = e0 is rise-epochs e_end + 2, e0 + 2.
    func authorsParameters() throws -> TrainParameters {
        let riseStart = Int(try array("e_end").int64Values()[0]), riseEnd = Int(try array("e0").int64Values()[0])
        let s0 = try array("se0").float64Values()[0]
        return TrainParameters().with {
            $0.selector = .uncertainty
            $0.epochs = epochs + 1
            $0.batchSize = batchSize
            $0.warmupEpochs = warmup
            $0.warmupOrder = .stored
            $0.history = .batch
            $0.window = 5
            $0.lambda1 = 0.5
            $0.bins = 5
            $0.s0 = s0
            $0.pressureSchedule = .rise
            $0.riseEpochs = [riseStart + 2, riseEnd + 2]
            $0.uncertaintyLevels = .centres
            $0.saturation = .topLevel
            $0.correlation = .ones
            $0.quantiser = .ceil
        }
    }

    /// Replays the stream batch by batch; before each epoch after the warm-up, the pressure and the
    /// normalised Eq. 10 probabilities equal the notebook's from the end of the previous epoch
    /// (Q exactly, probabilities within 1e-12 relative: NumPy's exp and log may differ from glibc's
    /// by an ulp), and the warm-up epochs' batches are the stored order.
    @Test func probabilitiesPressuresAndWarmupBatchesMatchTheNotebook() throws {
        let parameters = try authorsParameters()
        try parameters.validate()
        let selector = BatchSelectors.make(parameters: parameters, labels: [UInt8](repeating: 0, count: n * q), labelCount: q, seed: 1)
        let batchEpoch = try array("batch_epoch").int64Values().map(Int.init)
        let batchRows = try array("batch_rows").int64Values().map(Int32.init)
        let outputs = try array("batch_outputs").float32Values()
        let pressures = try array("pressure").float64Values()
        let probabilities = try array("probabilities").float64Values()
        let quantised = try array("quantised").int64Values()
        var comparedEpochs = 0, batch = 0
        for x in 0..<epochs {
            let plan = selector.plan(epoch: x + 1)
            var rowsThisEpoch: [Int32] = []
            while batch < batchEpoch.count && batchEpoch[batch] == x {
                let rows = batchRows[(batch * batchSize)..<((batch + 1) * batchSize)].filter { $0 >= 0 }
                rowsThisEpoch += rows
                selector.observe(rows: rows[...], probabilities: Array(outputs[(batch * batchSize * q)..<((batch * batchSize + rows.count) * q)]))
                batch += 1
            }
            if x < warmup {
                #expect(Array(plan.indices) == rowsThisEpoch, "warm-up epoch \(x): stored-order batches")
                #expect(plan.offsets == Array(stride(from: 0, to: n, by: batchSize)) + [n])
            } else {
                // Epoch x drew from the probabilities computed at the end of epoch x − 1.
                let expected = Array(probabilities[((x - 1) * n)..<(x * n)])
                #expect(abs(plan.pressure - pressures[x - 1]) <= 1e-12 * pressures[x - 1], "pressure of epoch \(x)")
                let total = plan.samplingWeights.reduce(0, +)
                let base = exp(-log(plan.pressure) / Double(n))
                for i in 0..<n {
                    let p = plan.samplingWeights[i] / total
                    #expect(abs(p - expected[i]) <= 1e-12 * expected[i], "epoch \(x) row \(i): \(p) vs \(expected[i])")
                    if base != 1 {  // at s = 1 every weight is 1 whatever Q
                        let q = Int((log(plan.samplingWeights[i]) / log(base)).rounded())
                        #expect(Int64(q) == quantised[(x - 1) * n + i], "epoch \(x) row \(i): Q")
                    }
                }
                comparedEpochs += 1
            }
        }
        #expect(comparedEpochs >= 12)
        #expect(batch == batchEpoch.count)
    }

    /// The authors' Random baseline (`DataLoader(shuffle=False)`): `sequential` feeds the same
    /// stored-order batches every epoch.
    @Test func sequentialBatchesAreTheStoredOrderEveryEpoch() throws {
        let expected = try array("sequential_rows").int64Values().map(Int32.init).filter { $0 >= 0 }
        let selector = BatchSelectors.make(parameters: TrainParameters().with { $0.selector = .sequential; $0.batchSize = batchSize },
                                           labels: [UInt8](repeating: 0, count: n * q), labelCount: q, seed: 3)
        for epoch in [1, 2, 50] {
            let plan = selector.plan(epoch: epoch)
            #expect(Array(plan.indices) == expected)
            #expect(plan.offsets == Array(stride(from: 0, to: n, by: batchSize)) + [n])
        }
    }
}
