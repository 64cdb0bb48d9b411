/// Metrics of the score ordering: per label (Macro-AUC) and per sample (ranking loss, one-error,
/// coverage, average precision).
public enum RankingMetrics {
    /// Mean over labels having both classes of the ROC AUC, by the rank-sum (Mann–Whitney) formula
    /// with average ranks for ties (ties count ½). NaN when no label has both classes.
    /// One sort per label: O(q·m log m).
    public static func macroAUC(scores: [Float], labels: [UInt8], sampleCount m: Int, labelCount q: Int) -> Double {
        macroAUCs(scores: scores, labels: labels, sampleCount: m, labelCount: q).standard
    }

    /// The Macro-AUC of the authors' code (`macro_averaging_auc`): per label with both classes, the
    /// fraction of (positive, negative) pairs with s_neg ≤ s_pos (ties count as wins), summed and
    /// divided by all q labels (a label without both classes adds 0). NaN when q = 0.
    public static func macroAUCTiesWin(scores: [Float], labels: [UInt8], sampleCount m: Int, labelCount q: Int) -> Double {
        macroAUCs(scores: scores, labels: labels, sampleCount: m, labelCount: q).tiesWin
    }

    /// Both Macro-AUC conventions from one sort per label.
    static func macroAUCs(scores: [Float], labels: [UInt8], sampleCount m: Int, labelCount q: Int)
        -> (standard: Double, tiesWin: Double) {
        precondition(scores.count == m * q && labels.count == m * q, "scores and labels must be [m, q]")
        var order = [Int32](repeating: 0, count: m)
        var column = [Float](repeating: 0, count: m)
        var total = 0.0, counted = 0, tiesWinTotal = 0.0
        for j in 0..<q {
            var positives = 0
            for i in 0..<m {
                column[i] = scores[i * q + j]
                if labels[i * q + j] != 0 { positives += 1 }
            }
            let negatives = m - positives
            guard positives > 0 && negatives > 0 else { continue }
            for i in 0..<m { order[i] = Int32(i) }
            column.withUnsafeBufferPointer { c in order.sort { c[Int($0)] < c[Int($1)] } }
            // Sum of the (1-based, tie-averaged) ranks of the positives; and the pairs a positive
            // wins or ties (every negative of its tie group or below).
            var rankSum = 0.0, start = 0, negativesBelow = 0, pairsWonOrTied = 0
            while start < m {
                var end = start + 1
                while end < m && column[Int(order[end])] == column[Int(order[start])] { end += 1 }
                let averageRank = Double(start + 1 + end) / 2
                var groupPositives = 0
                for k in start..<end where labels[Int(order[k]) * q + j] != 0 {
                    rankSum += averageRank
                    groupPositives += 1
                }
                negativesBelow += (end - start) - groupPositives
                pairsWonOrTied += groupPositives * negativesBelow
                start = end
            }
            let p = Double(positives)
            total += (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
            tiesWinTotal += Double(pairsWonOrTied) / (p * Double(negatives))
            counted += 1
        }
        return (counted > 0 ? total / Double(counted) : .nan, q > 0 ? tiesWinTotal / Double(q) : .nan)
    }

    /// Per-sample ranking metrics averaged over all m samples (scikit-learn conventions):
    /// ranking loss counts a (relevant, irrelevant) pair as wrong when s_rel ≤ s_irr and gives 0 to
    /// samples with all or no labels; coverage is the number of labels scored ≥ the lowest-scored
    /// relevant label (0 without relevant labels); average precision averages, over relevant labels,
    /// |relevant scored ≥ s| / |all scored ≥ s| (1 for all or no labels); one-error checks the first
    /// top-scored label. One sort per sample: O(m·q log q).
    public static func sampleRanking(scores: [Float], labels: [UInt8], sampleCount m: Int, labelCount q: Int)
        -> (rankingLoss: Double, oneError: Double, coverage: Double, averagePrecision: Double) {
        precondition(scores.count == m * q && labels.count == m * q, "scores and labels must be [m, q]")
        guard m > 0 else { return (0, 0, 0, 0) }
        var order = [Int32](repeating: 0, count: q)
        var loss = 0.0, errors = 0, coverage = 0.0, precision = 0.0
        scores.withUnsafeBufferPointer { all in
            for i in 0..<m {
                let s = all.baseAddress! + i * q
                let y = i * q
                var top = 0
                for j in 1..<max(q, 1) where s[j] > s[top] { top = j }
                if labels[y + top] == 0 { errors += 1 }
                var relevant = 0
                for j in 0..<q where labels[y + j] != 0 { relevant += 1 }
                guard relevant > 0 else {
                    precision += 1
                    continue
                }
                for j in 0..<q { order[j] = Int32(j) }
                order.sort { s[Int($0)] > s[Int($1)] }
                // Walk tie groups from the highest score down.
                var wrongPairs = 0, irrelevantAbove = 0, seen = 0, relevantSeen = 0
                var ratioSum = 0.0, start = 0
                while start < q {
                    var end = start + 1
                    while end < q && s[Int(order[end])] == s[Int(order[start])] { end += 1 }
                    var groupRelevant = 0
                    for k in start..<end where labels[y + Int(order[k])] != 0 { groupRelevant += 1 }
                    let groupIrrelevant = (end - start) - groupRelevant
                    wrongPairs += groupRelevant * (irrelevantAbove + groupIrrelevant)
                    irrelevantAbove += groupIrrelevant
                    seen = end
                    relevantSeen += groupRelevant
                    if groupRelevant > 0 {
                        ratioSum += Double(groupRelevant) * Double(relevantSeen) / Double(seen)
                        if relevantSeen == relevant { coverage += Double(seen) }
                    }
                    start = end
                }
                if relevant < q {
                    loss += Double(wrongPairs) / Double(relevant * (q - relevant))
                    precision += ratioSum / Double(relevant)
                } else {
                    precision += 1
                }
            }
        }
        let count = Double(m)
        return (loss / count, Double(errors) / count, coverage / count, precision / count)
    }
}
