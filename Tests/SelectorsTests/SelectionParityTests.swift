import StageKit
import Formats
import Foundation
import NumpyIO
import Selectors
import Testing
import TestSupport

/// The formulas of docs/method.md against the parity fixture `selection.npz` (NumPy + scikit-learn).
@Suite struct SelectionParityTests {
    let archive: [String: NpyArray]
    /// H as [T, n, q] Float32, oldest first.
    let history: [Float]
    let depth = 5, n = 6, q = 3

    init() throws {
        archive = try Fixtures.npz("selection")
        history = try #require(archive["input/H"]).float32Values()
        #expect(try #require(archive["input/H"]).shape == [depth, n, q])
    }

    func window(capacity: Int = 5) -> PredictionWindow {
        var window = PredictionWindow(capacity: capacity, sampleCount: n, labelCount: q)
        history.withUnsafeBufferPointer { h in
            for t in 0..<depth {
                window.recordAll(values: UnsafeBufferPointer(rebasing: h[(t * n * q)..<((t + 1) * n * q)]))
            }
        }
        return window
    }

    func selector(_ kind: SelectorKind) throws -> any BatchSelector {
        let selector = BatchSelectors.make(parameters: TrainParameters().with { $0.selector = kind; $0.batchSize = 2 },
                                               labels: [UInt8](repeating: 0, count: n * q), labelCount: q, seed: 1)
        for t in 0..<depth { selector.observe(epoch: t + 1, probabilities: Array(history[(t * n * q)..<((t + 1) * n * q)])) }
        return selector
    }

    @Test func entropyFluctuationAndUncertainty() throws {
        var values: [Float] = []
        Uncertainty.labelUncertainty(window: window(), lambda1: 0, into: &values)
        #expect(close(values.doubles, try Fixtures.doubles(archive, "out/e")))
        Uncertainty.labelUncertainty(window: window(), lambda1: 1, into: &values)
        #expect(close(values.doubles, try Fixtures.doubles(archive, "out/d")))
        Uncertainty.labelUncertainty(window: window(), lambda1: 0.5, into: &values)
        #expect(close(values.doubles, try Fixtures.doubles(archive, "out/u")))
    }

    @Test func correlationAndCorrelatedUncertainty() throws {
        var u: [Float] = []
        Uncertainty.labelUncertainty(window: window(), lambda1: 0.5, into: &u)
        let c = LabelCorrelation.matrix(u: u, sampleCount: n, labelCount: q, bins: 5, mode: .mi)
        #expect(close(c.doubles, try Fixtures.doubles(archive, "out/C")))
        var ubar: [Float] = []
        LabelCorrelation.correlate(u: u, correlation: c, sampleCount: n, labelCount: q, into: &ubar)
        #expect(close(ubar.doubles, try Fixtures.doubles(archive, "out/Ubar")))
    }

    @Test func largerCorrelationCase() throws {
        let u = try #require(archive["big/U"]).float32Values()
        let expected = try Fixtures.doubles(archive, "big/C")
        for counting in [LabelCorrelation.PairCounting.automatic, .dense, .sparse] {
            let c = LabelCorrelation.matrix(u: u, sampleCount: 200, labelCount: 8, bins: 5, mode: .mi, counting: counting)
            #expect(close(c.doubles, expected), "\(counting)")
        }
    }

    @Test func uncertaintySelectorWeightsAndCorrelation() throws {
        let plan = try selector(.uncertainty).plan(epoch: 6)
        #expect(close(plan.weights.doubles, try Fixtures.doubles(archive, "out/w")))
        #expect(close(plan.correlation.doubles, try Fixtures.doubles(archive, "out/C")))
        let expectedPressure = SelectionPressure.pressure(epoch: 6, s0: 100, warmupEpochs: 5, epochs: 100)
        #expect(plan.pressure == expectedPressure)
    }

    @Test func quantisationProbabilitiesAndPressure() throws {
        let w = try Fixtures.doubles(archive, "out/w")
        let expectedQ = try #require(archive["out/Q"]).int64Values()
        #expect(w.map { Int64(SelectionPressure.quantise($0, sampleCount: n)) } == expectedQ)
        #expect(close(SelectionPressure.probabilities(normalisedScores: w, pressure: 100),
                      try Fixtures.doubles(archive, "out/P_s100")))
        let s20 = SelectionPressure.pressure(epoch: 20, s0: 100, warmupEpochs: 5, epochs: 100)
        #expect(close(s20, try Fixtures.scalar(archive, "out/s_epoch20"), relative: 1e-12))
        #expect(close(SelectionPressure.probabilities(normalisedScores: w, pressure: s20),
                      try Fixtures.doubles(archive, "out/P_epoch20")))
        #expect(SelectionPressure.pressure(epoch: 5, s0: 100, warmupEpochs: 5, epochs: 100) == 100)
        #expect(abs(SelectionPressure.pressure(epoch: 100, s0: 100, warmupEpochs: 5, epochs: 100) - 1) < 1e-12)
    }

    @Test func activeBiasOverWholeHistory() throws {
        var moments = RunningMoments(sampleCount: n, labelCount: q)
        history.withUnsafeBufferPointer { h in
            for t in 0..<depth {
                moments.record(rows: 0..<Int32(n), values: UnsafeBufferPointer(rebasing: h[(t * n * q)..<((t + 1) * n * q)]))
            }
        }
        var scores: [Double] = []
        moments.activeBiasScores(into: &scores)
        let expected = try Fixtures.doubles(archive, "out/active_bias_w")
        #expect(close(scores, expected))
        // Through the selector: the same criterion, min–max normalised (Eq. 8).
        let low = expected.min()!, high = expected.max()!
        #expect(close(try selector(.activeBias).plan(epoch: 6).weights.doubles, expected.map { ($0 - low) / (high - low) }))
    }

    @Test func recencyBiasWindowEntropy() throws {
        var scores: [Double] = []
        Uncertainty.recencyEntropy(window: window(), into: &scores)
        let expected = try Fixtures.doubles(archive, "out/recency_bias_w")
        #expect(close(scores, expected))
        let low = expected.min()!, high = expected.max()!
        #expect(close(try selector(.recencyBias).plan(epoch: 6).weights.doubles, expected.map { ($0 - low) / (high - low) }))
    }

    @Test func ringBufferKeepsOnlyTheLastTValues() throws {
        // A window of 3 over the 5 epochs equals a window of 3 over the last 3 epochs.
        var last3 = PredictionWindow(capacity: 3, sampleCount: n, labelCount: q)
        history.withUnsafeBufferPointer { h in
            for t in 2..<depth {
                last3.recordAll(values: UnsafeBufferPointer(rebasing: h[(t * n * q)..<((t + 1) * n * q)]))
            }
        }
        var expected: [Float] = [], actual: [Float] = []
        Uncertainty.labelUncertainty(window: last3, lambda1: 0.5, into: &expected)
        Uncertainty.labelUncertainty(window: window(capacity: 3), lambda1: 0.5, into: &actual)
        #expect(actual == expected)
    }
}
