/// The evaluation metrics of docs/method.md §10 (Zhang & Zhou 2014 definitions, scikit-learn conventions).
///
/// Inputs everywhere: `scores` [m, q] Float32 in [0, 1] and `labels` [m, q] UInt8 (0/1), row-major,
/// m samples and q labels. Predictions are ŷ = [score ≥ threshold] (threshold 0.5).
public struct MultiLabelMetrics: Sendable, Equatable {
    /// Mean ROC AUC over labels with both classes present (ties ½); NaN if no label qualifies. ↑
    public var macroAUC: Double
    /// The authors' Macro-AUC: ties count as wins, the sum divided by all q labels
    /// (``RankingMetrics/macroAUCTiesWin(scores:labels:sampleCount:labelCount:)``). ↑
    public var macroAUCTiesWin: Double
    /// Fraction of wrongly ordered (relevant, irrelevant) pairs per sample, averaged over all samples. ↓
    public var rankingLoss: Double
    /// Fraction of wrong (sample, label) predictions. ↓
    public var hammingLoss: Double
    /// Fraction of samples whose top-scored label (first on ties) is irrelevant. ↓
    public var oneError: Double
    /// scikit-learn's `coverage_error` (ranks counted from 1; 0 for a sample without labels). ↓
    public var coverage: Double
    /// scikit-learn's `label_ranking_average_precision_score` (1 for all/no labels). ↑
    public var averagePrecision: Double
    /// F1 of the pooled (sample, label) decisions (0 if there is nothing to score). ↑
    public var microF1: Double
    /// Mean over all q labels of the per-label F1 (zero_division = 0). ↑
    public var macroF1: Double

    /// Computes every metric. O(q·m log m + m·q log q).
    public init(scores: [Float], labels: [UInt8], sampleCount m: Int, labelCount q: Int, threshold: Float = 0.5) {
        precondition(scores.count == m * q && labels.count == m * q, "scores and labels must be [m, q]")
        (macroAUC, macroAUCTiesWin) = RankingMetrics.macroAUCs(scores: scores, labels: labels, sampleCount: m, labelCount: q)
        let ranking = RankingMetrics.sampleRanking(scores: scores, labels: labels, sampleCount: m, labelCount: q)
        rankingLoss = ranking.rankingLoss
        oneError = ranking.oneError
        coverage = ranking.coverage
        averagePrecision = ranking.averagePrecision
        let decisions = ThresholdMetrics(scores: scores, labels: labels, sampleCount: m, labelCount: q, threshold: threshold)
        hammingLoss = decisions.hammingLoss
        microF1 = decisions.microF1
        macroF1 = decisions.macroF1
    }
}
