/// Metrics of the thresholded decisions ŷ = [score ≥ threshold]. O(m·q).
public struct ThresholdMetrics: Sendable, Equatable {
    public var hammingLoss: Double
    public var microF1: Double
    public var macroF1: Double

    public init(scores: [Float], labels: [UInt8], sampleCount m: Int, labelCount q: Int, threshold: Float = 0.5) {
        precondition(scores.count == m * q && labels.count == m * q, "scores and labels must be [m, q]")
        var truePositive = [Int](repeating: 0, count: q)
        var falsePositive = [Int](repeating: 0, count: q)
        var falseNegative = [Int](repeating: 0, count: q)
        scores.withUnsafeBufferPointer { s in
            labels.withUnsafeBufferPointer { y in
                for i in 0..<m {
                    for j in 0..<q {
                        let predicted = s[i * q + j] >= threshold, actual = y[i * q + j] != 0
                        if predicted && actual { truePositive[j] += 1 }
                        else if predicted { falsePositive[j] += 1 }
                        else if actual { falseNegative[j] += 1 }
                    }
                }
            }
        }
        func f1(_ tp: Int, _ fp: Int, _ fn: Int) -> Double {
            let denominator = 2 * tp + fp + fn
            return denominator > 0 ? Double(2 * tp) / Double(denominator) : 0
        }
        let tp = truePositive.reduce(0, +), fp = falsePositive.reduce(0, +), fn = falseNegative.reduce(0, +)
        hammingLoss = m * q > 0 ? Double(fp + fn) / Double(m * q) : 0
        microF1 = f1(tp, fp, fn)
        var macro = 0.0
        for j in 0..<q { macro += f1(truePositive[j], falsePositive[j], falseNegative[j]) }
        macroF1 = q > 0 ? macro / Double(q) : 0
    }
}
