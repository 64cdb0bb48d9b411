import Metrics
import Testing

/// Three samples × three labels worked out by hand (and checked with scikit-learn 1.9):
///
///     scores  0.9 0.6 0.2 | 0.3 0.8 0.7 | 0.4 0.1 0.7
///     labels  1   0   1   | 0   1   0   | 1   1   1
@Suite struct MetricsHandWorkedTests {
    static let scores: [Float] = [0.9, 0.6, 0.2, 0.3, 0.8, 0.7, 0.4, 0.1, 0.7]
    static let labels: [UInt8] = [1, 0, 1, 0, 1, 0, 1, 1, 1]
    static let metrics = MultiLabelMetrics(scores: scores, labels: labels, sampleCount: 3, labelCount: 3)

    /// Label 0: positives 0.9, 0.4 beat the negative 0.3 → 1. Label 1: 0.8 beats 0.6, 0.1 loses → ½.
    /// Label 2: 0.2 loses to 0.7, 0.7 ties 0.7 (½) → ¼. Mean 7/12.
    @Test func macroAUCCountsTiesAsHalf() {
        #expect(abs(Self.metrics.macroAUC - 7.0 / 12) < 1e-12)
    }

    /// Sample 0: pairs (0, 1) right, (2, 1) wrong → ½; sample 1: both right → 0; sample 2 has every
    /// label → 0 but still counts: ½ / 3.
    @Test func rankingLoss() { #expect(abs(Self.metrics.rankingLoss - 1.0 / 6) < 1e-12) }

    /// Lowest relevant score 0.2 → 3 labels ≥ it; 0.8 → 1; 0.1 → 3: 7/3.
    @Test func coverage() { #expect(abs(Self.metrics.coverage - 7.0 / 3) < 1e-12) }

    /// Sample 0: label 0 at rank 1 (1/1), label 2 at rank 3 with 2 relevant ≥ it (2/3) → 5/6;
    /// sample 1 → 1; sample 2 (all relevant) → 1. Mean 17/18.
    @Test func averagePrecision() { #expect(abs(Self.metrics.averagePrecision - 17.0 / 18) < 1e-12) }

    /// Tops are labels 0, 1, 2: all relevant.
    @Test func oneError() { #expect(Self.metrics.oneError == 0) }

    /// Predictions 110 | 011 | 001 against 101 | 010 | 111: 5 of 9 wrong. TP 3, FP 2, FN 3 → micro
    /// 6/11; per label F1 = 2/3, 2/4, 2/4 → macro 5/9.
    @Test func thresholdMetrics() {
        #expect(abs(Self.metrics.hammingLoss - 5.0 / 9) < 1e-12)
        #expect(abs(Self.metrics.microF1 - 6.0 / 11) < 1e-12)
        #expect(abs(Self.metrics.macroF1 - 5.0 / 9) < 1e-12)
    }

    @Test func degenerateInputs() {
        // No label has both classes: Macro-AUC is undefined.
        let constant = MultiLabelMetrics(scores: [0.2, 0.7], labels: [1, 1], sampleCount: 2, labelCount: 1)
        #expect(constant.macroAUC.isNaN)
        // No positives and no predicted positives: F1 is 0 (zero_division = 0), average precision 1.
        let empty = MultiLabelMetrics(scores: [0.1, 0.2], labels: [0, 0], sampleCount: 1, labelCount: 2)
        #expect(empty.microF1 == 0 && empty.macroF1 == 0 && empty.averagePrecision == 1 && empty.coverage == 0)
    }
}
