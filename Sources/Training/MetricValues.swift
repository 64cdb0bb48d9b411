import Formats
import Metrics

extension MultiLabelMetrics {
    /// The value of one metric by its artifact name.
    public func value(of metric: MetricName) -> Double {
        switch metric {
        case .macroAUC: macroAUC
        case .macroAUCTiesWin: macroAUCTiesWin
        case .rankingLoss: rankingLoss
        case .hammingLoss: hammingLoss
        case .oneError: oneError
        case .coverage: coverage
        case .averagePrecision: averagePrecision
        case .microF1: microF1
        case .macroF1: macroF1
        }
    }
}
