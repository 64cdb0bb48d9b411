import Formats
import Foundation
import Metrics
import Selectors
import StageKit
import Testing

/// The authors' code path (docs/replication.md), one function per formula, the arithmetic worked by hand.
@Suite struct AuthorsCodeHandWorkedTests {
    /// s_t = s0 · (exp(log(1/s0)/(a − b)))^(t − b) with s0 = 8, a = 12, b = 102 (the notebook's
    /// `calculate_probabilities(U, epoch, 10, 100, 8)` shifted to 1-based epochs it applies to):
    /// t = 12 → 8·8^(−1) = 1; t = 102 → 8; t = 57 → 8^(1 − 45/90) = √8 = 2.8284271247461903;
    /// t = 11 (the first epoch after a 10-epoch warm-up) → 8^(−1/90) = e^(−2.0794415/90) = 0.97715996843424.
    @Test func risingPressure() {
        #expect(abs(SelectionPressure.risingPressure(epoch: 12, s0: 8, from: 12, to: 102) - 1) < 1e-12)
        #expect(abs(SelectionPressure.risingPressure(epoch: 102, s0: 8, from: 12, to: 102) - 8) < 1e-12)
        #expect(abs(SelectionPressure.risingPressure(epoch: 57, s0: 8, from: 12, to: 102) - 2.8284271247461903) < 1e-12)
        #expect(abs(SelectionPressure.risingPressure(epoch: 11, s0: 8, from: 12, to: 102) - 0.9771599684342402) < 1e-12)
        // Without rise-epochs the rise runs from the first epoch after the warm-up to the last.
        let parameters = TrainParameters().with { $0.pressureSchedule = .rise; $0.s0 = 8; $0.warmupEpochs = 10; $0.epochs = 101 }
        #expect(abs(SelectionPressure.pressure(epoch: 11, parameters: parameters) - 1) < 1e-12)
        #expect(abs(SelectionPressure.pressure(epoch: 101, parameters: parameters) - 8) < 1e-12)
    }

    /// Q = ⌈(1 − w)/(1/n)⌉: n = 4, w = 0.3 → 0.7/0.25 = 2.8 → 3 (floor: 2); w = 0.5 → 0.5/0.25 = 2 → 2;
    /// w = 1 → 0; w = 0 → 4.
    @Test func quantiserRoundsUp() {
        #expect(SelectionPressure.quantiseUp(0.3, sampleCount: 4) == 3)
        #expect(SelectionPressure.quantise(0.3, sampleCount: 4) == 2)
        #expect(SelectionPressure.quantiseUp(0.5, sampleCount: 4) == 2)
        #expect(SelectionPressure.quantiseUp(1, sampleCount: 4) == 0)
        #expect(SelectionPressure.quantiseUp(0, sampleCount: 4) == 4)
    }

    /// np.digitize(u, [0, .2, .4, .6, .8, 1]) − 1 clipped to 0…4: 0.2 → 1, 0.19999 → 0, 1 → 4,
    /// NaN → 4 (NaN sorts above every edge), −0.1 → 0; centres (b + ½)/5 are the literals 0.1 … 0.9.
    @Test func binsAndCentres() {
        #expect(UncertaintyLevels.bin(0.2, bins: 5) == 1)
        #expect(UncertaintyLevels.bin(0.19999, bins: 5) == 0)
        #expect(UncertaintyLevels.bin(0.6, bins: 5) == 3)
        #expect(UncertaintyLevels.bin(1, bins: 5) == 4)
        #expect(UncertaintyLevels.bin(.nan, bins: 5) == 4)
        #expect(UncertaintyLevels.bin(-0.1, bins: 5) == 0)
        #expect((0..<5).map { UncertaintyLevels.centre($0, bins: 5) } == [0.1, 0.3, 0.5, 0.7, 0.9])
    }

    /// NumPy's row sum of q copies of S (`np.full((1, q), S).sum(axis=1)`, NumPy 2.4):
    /// q = 6, S = 2.6 → ((((S+S)+S)+S)+S)+S = 15.6 (6·S = 15.600000000000001);
    /// q = 9, S = 0.1 → eight running sums, ((0.2+0.2)+(0.2+0.2))+…, then + 0.1 = 0.9;
    /// q = 21, S = 0.3 → 6.299999999999999.
    @Test func numpyRowSumOrder() {
        #expect(UncertaintyLevels.numpyRowSum(repeating: 2.6, count: 6) == 15.6)
        #expect(UncertaintyLevels.numpyRowSum(repeating: 0.1, count: 9) == 0.9)
        #expect(UncertaintyLevels.numpyRowSum(repeating: 0.3, count: 21) == 6.299999999999999)
    }

    /// One row, three labels, λ1 = ½, 5 bins. Label 0: window [0.5, 0.7]: d = 0.2, e(0.7) = 0.8812909,
    /// u = 0.1 + 0.4406 = 0.5406 → bin 2. Label 1: latest value exactly 1 → e = NaN → bin 4.
    /// Label 2: window [0.5, 0.5], e(0.5) = 1, d = 0 → u = 0.5 → bin 2. A second row recorded once:
    /// d = 0/0 = NaN → bin 4 in every label.
    @Test func authorsUncertaintyCodes() {
        var window = PredictionWindow(capacity: 5, sampleCount: 2, labelCount: 3)
        let first: [Float] = [0.5, 0.9, 0.5], second: [Float] = [0.7, 1, 0.5], once: [Float] = [0.5, 0.5, 0.5]
        first.withUnsafeBufferPointer { window.record(rows: [0], values: $0) }
        second.withUnsafeBufferPointer { window.record(rows: [0], values: $0) }
        once.withUnsafeBufferPointer { window.record(rows: [1], values: $0) }
        var codes: [UInt8] = []
        UncertaintyLevels.authorsCodes(window: window, lambda1: 0.5, bins: 5, into: &codes)
        #expect(codes == [2, 4, 2, 4, 4, 4])
    }

    /// Label 0: scores [0.1, 0.4, 0.4, 0.8], labels [0, 1, 0, 1]; label 1: no positive.
    /// Ties-win: the positive at 0.4 beats or ties both negatives (2), the one at 0.8 both (2):
    /// 4/(2·2) = 1 for label 0, 0 for label 1, divided by q = 2 → 0.5. Standard (ties ½, labels
    /// with both classes only): (1.5 + 2)/4 = 0.875.
    @Test func tiesWinMacroAUC() {
        let scores: [Float] = [0.1, 0.3, 0.4, 0.3, 0.4, 0.3, 0.8, 0.3], labels: [UInt8] = [0, 0, 1, 0, 0, 0, 1, 0]
        #expect(RankingMetrics.macroAUCTiesWin(scores: scores, labels: labels, sampleCount: 4, labelCount: 2) == 0.5)
        #expect(RankingMetrics.macroAUC(scores: scores, labels: labels, sampleCount: 4, labelCount: 2) == 0.875)
    }

    /// Combinations the authors' options do not allow are refused with the parameter to change.
    @Test func conflictingOptionsAreRefused() {
        let topLevelContinuous = TrainParameters().with { $0.saturation = .topLevel; $0.correlation = .ones }
        #expect(throws: ParameterError.self) { try topLevelContinuous.validate() }
        let topLevelWithMI = TrainParameters().with { $0.saturation = .topLevel; $0.uncertaintyLevels = .centres }
        #expect(throws: ParameterError.self) { try topLevelWithMI.validate() }
        let riseEpochsWithDecay = TrainParameters().with { $0.riseEpochs = [12, 102] }
        #expect(throws: ParameterError.self) { try riseEpochsWithDecay.validate() }
        let backwardsRise = TrainParameters().with { $0.pressureSchedule = .rise; $0.riseEpochs = [20, 10] }
        #expect(throws: ParameterError.self) { try backwardsRise.validate() }
        let badArm = TrainParameters().with { $0.arm = "a vs b" }
        #expect(throws: ParameterError.self) { try badArm.validate() }
        let authors = TrainParameters().with {
            $0.saturation = .topLevel; $0.uncertaintyLevels = .centres; $0.correlation = .ones
            $0.pressureSchedule = .rise; $0.riseEpochs = [12, 102]; $0.arm = "authors-uncertainty"
        }
        #expect(throws: Never.self) { try authors.validate() }
    }
}
