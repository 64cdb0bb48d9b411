import Formats
import CBLAS
import Foundation

/// Uncertainty-based label correlation (docs/method.md, Eq. 6) and Ū = U·C (Eq. 7).
public enum LabelCorrelation {
    /// How the joint bin counts of all label pairs are obtained (results are identical).
    public enum PairCounting: Sendable {
        /// Sparse when rows have few labels outside their label's most common bin, else dense.
        case automatic
        /// One `cblas_ssyrk` product Bᵀ·B: n·(q(τ−1))² flops whatever the data.
        case dense
        /// Per-row increments over pairs of labels outside their most common bin: Σ_i nnz_i²/2.
        case sparse
    }

    /// The q × q correlation matrix of the columns of `u` [n, q] (row-major, Float32).
    ///
    /// Each column is discretised into `bins` (τ) equal bins of width 1/τ on [0, 1] (u = 1 goes
    /// in the last bin). All q(q−1)/2 joint histograms come from the counts Bᵀ·B of the
    /// n × q(τ−1) one-hot bin matrix B, where each label's most common bin is left out (it is
    /// implied by the marginals). Dense counting is one `cblas_ssyrk` (the symmetric rank-k
    /// product: only the label pairs a < b, half the flops of `cblas_sgemm`), O(n·(qτ)²); sparse
    /// counting costs Σ_i nnz_i²/2 increments, nnz_i being row i's labels outside their common bin
    /// (small once most labels are confidently predicted). Memory O((qτ)²). `.mi` gives the
    /// natural-log mutual information (clipped at 0 like scikit-learn), `.nmi` MI/√(H_a H_b)
    /// (0 if either entropy is 0), `.none` the identity. The diagonal is 1 in every mode.
    /// Three steps: binning (``binCodes(u:sampleCount:labelCount:bins:)``), pair counting
    /// (``countPairs(_:width:sampleCount:counting:)``) and the mutual information of the counts
    /// (``mutualInformation(joint:marginal:layout:sampleCount:mode:into:)``).
    public static func matrix(u: [Float], sampleCount n: Int, labelCount q: Int, bins tau: Int,
                              mode: CorrelationMode, counting: PairCounting = .automatic) -> [Float] {
        precondition(u.count == n * q && tau >= 2)
        var c = identity(q)
        guard mode != .none, n > 0, q > 1 else { return c }
        let (codes, marginal) = binCodes(u: u, sampleCount: n, labelCount: q, bins: tau)
        let layout = CountLayout(marginal: marginal, sampleCount: n, labelCount: q, bins: tau)
        let rows = layout.rowColumns(codes: codes, sampleCount: n)
        let joint = countPairs(rows, width: layout.width, sampleCount: n, counting: counting)
        mutualInformation(joint: joint, marginal: marginal, layout: layout, sampleCount: n, mode: mode, into: &c)
        return c
    }

    /// Where each bin's count lives in the count matrix. Each label's most common bin is left
    /// out (it is implied by the marginals). A label whose rows all share one bin has zero
    /// entropy, so its mutual information with every label is 0: only the other, informative
    /// labels get columns (late in training most labels are confidently predicted, which shrinks
    /// the counting and the pair loop accordingly).
    private struct CountLayout {
        let labelCount: Int, bins: Int
        /// Each label's most common bin (the first of equals).
        let dropped: [Int]
        /// The labels whose rows do not all share one bin, ascending.
        let informative: [Int]
        /// The count matrix's columns: τ − 1 per informative label.
        let width: Int
        /// positionOf[a·τ + r]: the column of bin r of informative label a, −1 for its dropped bin
        /// (and for every bin of the other labels).
        let positionOf: [Int32]

        init(marginal: [Int32], sampleCount n: Int, labelCount q: Int, bins tau: Int) {
            var dropped = [Int](repeating: 0, count: q)
            for a in 0..<q {
                for r in 1..<tau where marginal[a * tau + r] > marginal[a * tau + dropped[a]] { dropped[a] = r }
            }
            let informative = (0..<q).filter { a in Int(marginal[a * tau + dropped[a]]) < n }
            let reduced = tau - 1
            var positionOf = [Int32](repeating: -1, count: q * tau)
            for (index, a) in informative.enumerated() {
                for r in 0..<tau where r != dropped[a] { positionOf[a * tau + r] = Int32(index * reduced + (r < dropped[a] ? r : r - 1)) }
            }
            labelCount = q
            bins = tau
            self.dropped = dropped
            self.informative = informative
            width = informative.count * reduced
            self.positionOf = positionOf
        }

        /// Each row's count-matrix columns (its labels outside their dropped bin — never a label
        /// without information, whose rows all sit in that bin): columns[rowStart[i] ..< rowStart[i + 1]],
        /// in label order, gathered once for both the choice of counting and the counting; and
        /// Σ_i nnz_i²/2, the increments sparse counting would make. Sixteen labels are compared
        /// with their dropped bins at a time, so a row costs little once most labels are
        /// confidently predicted.
        func rowColumns(codes: [UInt8], sampleCount n: Int) -> RowColumns {
            let q = labelCount, tau = bins
            var droppedCodes = [UInt8](repeating: 0, count: q)
            for a in 0..<q { droppedCodes[a] = UInt8(dropped[a]) }
            var columns = [Int32](repeating: 0, count: max(n * informative.count, 1))
            var rowStart = [Int](repeating: 0, count: n + 1)
            var occupied = 0.0
            codes.withUnsafeBufferPointer { codes in
                positionOf.withUnsafeBufferPointer { positionOf in
                    droppedCodes.withUnsafeBufferPointer { droppedCodes in
                        columns.withUnsafeMutableBufferPointer { columns in
                            let dropped = droppedCodes.baseAddress!
                            var total = 0
                            for i in 0..<n {
                                rowStart[i] = total
                                let row = codes.baseAddress! + i * q
                                var a = 0
                                while a < q {
                                    let lanes = min(16, q - a)
                                    if lanes == 16 {
                                        let here = UnsafeRawPointer(row + a).loadUnaligned(as: SIMD16<UInt8>.self)
                                        let usual = UnsafeRawPointer(dropped + a).loadUnaligned(as: SIMD16<UInt8>.self)
                                        guard any(here .!= usual) else {
                                            a += 16
                                            continue
                                        }
                                    }
                                    for label in a..<(a + lanes) where row[label] != dropped[label] {
                                        columns[total] = positionOf[label * tau + Int(row[label])]
                                        total += 1
                                    }
                                    a += lanes
                                }
                                let count = Double(total - rowStart[i])
                                occupied += count * count / 2
                            }
                            rowStart[n] = total
                        }
                    }
                }
            }
            return RowColumns(columns: columns, rowStart: rowStart, occupied: occupied)
        }
    }

    /// The count-matrix columns of every row (``CountLayout/rowColumns(codes:sampleCount:)``).
    private struct RowColumns {
        let columns: [Int32]
        let rowStart: [Int]
        /// Σ_i nnz_i²/2: the increments of sparse counting.
        let occupied: Double
    }

    /// The joint bin counts [width, width]: joint[position(a, r) · width + position(b, s)] for
    /// a < b counts the rows with bin r of a and bin s of b (upper triangle only). Sparse or dense
    /// as `counting` says; `.automatic` takes the cheaper.
    private static func countPairs(_ rows: RowColumns, width: Int, sampleCount n: Int, counting: PairCounting) -> [Float] {
        let sparse: Bool
        switch counting {
        case .automatic: sparse = rows.occupied * sparseIncrementCost < Double(n) * Double(width) * Double(width) / 2
        case .dense: sparse = false
        case .sparse: sparse = true
        }
        var joint = [Float](repeating: 0, count: width * width)
        if width > 0 && sparse {
            countPairsSparse(columns: rows.columns, rowStart: rows.rowStart, width: width, into: &joint)
        } else if width > 0 {
            countPairsDense(rows, width: width, sampleCount: n, into: &joint)
        }
        return joint
    }

    /// Dense counting: the one-hot bin matrix B [n, width] and Bᵀ·B by one `cblas_ssyrk`.
    private static func countPairsDense(_ rows: RowColumns, width: Int, sampleCount n: Int, into joint: inout [Float]) {
        var oneHot = [Float](repeating: 0, count: n * width)
        for i in 0..<n {
            for k in rows.rowStart[i]..<rows.rowStart[i + 1] { oneHot[i * width + Int(rows.columns[k])] = 1 }
        }
        oneHot.withUnsafeBufferPointer { b in
            joint.withUnsafeMutableBufferPointer { g in
                cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(width), Int32(n),
                            1, b.baseAddress, Int32(width), 0, g.baseAddress, Int32(width))
            }
        }
    }

    /// C's entries for every pair of informative labels (the others keep C's 0): the mutual
    /// information of their joint bin counts (nats, clipped at 0), with `.nmi` divided by
    /// √(H_a H_b) (0 if either entropy is 0).
    private static func mutualInformation(joint: [Float], marginal: [Int32], layout: CountLayout, sampleCount n: Int, mode: CorrelationMode,
                                  into c: inout [Float]) {
        let q = layout.labelCount, tau = layout.bins
        // log(count) for every possible count, and each label's entropy (nats).
        let logN = log(Double(n))
        var logCount = [Double](repeating: 0, count: n + 1)
        for k in 1...n { logCount[k] = log(Double(k)) }
        let entropy = entropies(marginal: marginal, logCount: logCount, sampleCount: n, labelCount: q, bins: tau)
        var table = [Int](repeating: 0, count: tau * tau)
        joint.withUnsafeBufferPointer { g in
            marginal.withUnsafeBufferPointer { marginal in
                layout.positionOf.withUnsafeBufferPointer { positionOf in
                    logCount.withUnsafeBufferPointer { logCount in
                        table.withUnsafeMutableBufferPointer { table in
                            for (index, a) in layout.informative.enumerated() {
                                for b in layout.informative[(index + 1)...] {
                                    jointTable(a, b, joint: g, width: layout.width, marginal: marginal, positionOf: positionOf,
                                               dropped: layout.dropped, bins: tau, into: table)
                                    var information = pairInformation(a, b, table: UnsafeBufferPointer(table), marginal: marginal,
                                                                      logCount: logCount, logN: logN, sampleCount: n, bins: tau)
                                    if mode == .nmi {
                                        let scale = (entropy[a] * entropy[b]).squareRoot()
                                        information = scale > 0 ? information / scale : 0
                                    }
                                    c[a * q + b] = Float(information)
                                    c[b * q + a] = Float(information)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Each label's entropy (nats) from its marginal bin counts [q, τ].
    private static func entropies(marginal: [Int32], logCount: [Double], sampleCount n: Int, labelCount q: Int, bins tau: Int) -> [Double] {
        let logN = log(Double(n))
        var entropy = [Double](repeating: 0, count: q)
        for a in 0..<q {
            var h = 0.0
            for r in 0..<tau where marginal[a * tau + r] > 0 {
                let count = Int(marginal[a * tau + r])
                h -= Double(count) / Double(n) * (logCount[count] - logN)
            }
            entropy[a] = h
        }
        return entropy
    }

    /// The τ × τ joint bin counts of labels a < b into `table`: the kept bins' counts from the
    /// count matrix, the dropped bins' row and column from the marginals.
    private static func jointTable(_ a: Int, _ b: Int, joint g: UnsafeBufferPointer<Float>, width: Int,
                                   marginal: UnsafeBufferPointer<Int32>, positionOf: UnsafeBufferPointer<Int32>, dropped: [Int],
                                   bins tau: Int, into table: UnsafeMutableBufferPointer<Int>) {
        let droppedA = dropped[a], droppedB = dropped[b]
        for r in 0..<tau where r != droppedA {
            var rowSum = 0
            let row = Int(positionOf[a * tau + r]) * width
            for s in 0..<tau where s != droppedB {
                let count = Int(g[row + Int(positionOf[b * tau + s])])
                table[r * tau + s] = count
                rowSum += count
            }
            table[r * tau + droppedB] = Int(marginal[a * tau + r]) - rowSum
        }
        for s in 0..<tau {
            var columnSum = 0
            for r in 0..<tau where r != droppedA { columnSum += table[r * tau + s] }
            table[droppedA * tau + s] = Int(marginal[b * tau + s]) - columnSum
        }
    }

    /// The mutual information (nats, clipped at 0) of labels a and b from their joint bin counts
    /// `table` [τ, τ] and the marginals: Σ_rs n_rs/n · log(n·n_rs / (n_r·n_s)).
    private static func pairInformation(_ a: Int, _ b: Int, table: UnsafeBufferPointer<Int>, marginal: UnsafeBufferPointer<Int32>,
                                        logCount: UnsafeBufferPointer<Double>, logN: Double, sampleCount n: Int, bins tau: Int) -> Double {
        var information = 0.0
        for r in 0..<tau {
            let countA = Int(marginal[a * tau + r])
            guard countA > 0 else { continue }
            for s in 0..<tau {
                let count = table[r * tau + s]
                guard count > 0 else { continue }
                let countB = Int(marginal[b * tau + s])
                information += Double(count) * (logCount[count] + logN - logCount[countA] - logCount[countB])
            }
        }
        return max(information / Double(n), 0)
    }

    /// The bin codes min(⌊u·τ⌋, τ − 1) (0 for negative u) of u [n, q] and the marginal counts [q, τ] of
    /// each label's bins. Eight labels at a time, without a float-to-integer conversion: the code is
    /// the number of thresholds r = 1…τ−1 with u·τ ≥ r, and counting the rows at or above each
    /// threshold gives the marginals as differences. O(n·q·τ/8).
    private static func binCodes(u: [Float], sampleCount n: Int, labelCount q: Int, bins tau: Int) -> (codes: [UInt8], marginal: [Int32]) {
        typealias Counts = SIMD8<Int32>
        var codes = [UInt8](repeating: 0, count: n * q)
        let padded = (q + 7) / 8 * 8
        var atLeast = [Int32](repeating: 0, count: tau * padded)  // atLeast[r·padded + a]: rows with u·τ ≥ r, r ≥ 1
        u.withUnsafeBufferPointer { u in
            codes.withUnsafeMutableBufferPointer { codes in
                atLeast.withUnsafeMutableBufferPointer { atLeast in
                    let scale = SIMD8<Float>(repeating: Float(tau)), zero = Counts(), one = Counts(repeating: 1)
                    for i in 0..<n {
                        let row = u.baseAddress! + i * q, out = codes.baseAddress! + i * q
                        var a = 0
                        while a < q {
                            let lanes = min(8, q - a)
                            var values = SIMD8<Float>()  // padding lanes stay below every threshold
                            if lanes == 8 {
                                values = UnsafeRawPointer(row + a).loadUnaligned(as: SIMD8<Float>.self)
                            } else {
                                for l in 0..<lanes { values[l] = row[a + l] }
                            }
                            let x = values * scale
                            guard any(x .>= 1) else {  // all in bin 0 (most labels once predictions settle)
                                (out + a).update(repeating: 0, count: lanes)
                                a += 8
                                continue
                            }
                            var code = zero
                            for r in 1..<tau {
                                let hits = zero.replacing(with: one, where: x .>= Float(r))
                                code &+= hits
                                let slot = UnsafeMutableRawPointer(atLeast.baseAddress! + r * padded + a)
                                slot.storeBytes(of: slot.load(as: Counts.self) &+ hits, as: Counts.self)
                            }
                            for l in 0..<lanes { out[a + l] = UInt8(truncatingIfNeeded: code[l]) }
                            a += 8
                        }
                    }
                }
            }
        }
        var marginal = [Int32](repeating: 0, count: q * tau)
        for a in 0..<q {
            for r in 0..<tau {
                let here = r == 0 ? Int32(n) : atLeast[r * padded + a], above = r + 1 < tau ? atLeast[(r + 1) * padded + a] : 0
                marginal[a * tau + r] = here - above
            }
        }
        return (codes, marginal)
    }

    /// Sparse counting: for every row, +1 at (position(a, r), position(b, s)) for each pair a < b of
    /// labels outside their dropped bin (the row's `columns`), added to `joint`. One thread: the
    /// instance's CPU budget is the train stage's `threads`, and a second worker with its own table
    /// did not make it faster.
    private static func countPairsSparse(columns: [Int32], rowStart: [Int], width: Int, into joint: inout [Float]) {
        joint.withUnsafeMutableBufferPointer { table in
            columns.withUnsafeBufferPointer { columns in
                for i in 0..<(rowStart.count - 1) {
                    let end = rowStart[i + 1]
                    var x = rowStart[i]
                    while x < end {
                        let row = table.baseAddress! + Int(columns[x]) * width
                        var y = x + 1
                        while y < end {
                            row[Int(columns[y])] += 1
                            y += 1
                        }
                        x += 1
                    }
                }
            }
        }
    }

    /// Cost of one sparse increment in units of one dense multiply-add (conservative: `bench selectors`
    /// finds sparse counting faster than ssyrk even for uniformly random predictions).
    static let sparseIncrementCost = 32.0

    /// The q × q identity matrix (Float32, row-major).
    public static func identity(_ q: Int) -> [Float] {
        var c = [Float](repeating: 0, count: q * q)
        for a in 0..<q { c[a * q + a] = 1 }
        return c
    }

    /// Ū = U·C (Eq. 7) for U [n, q] and C [q, q], by `cblas_sgemm`. O(n·q²).
    public static func correlate(u: [Float], correlation c: [Float], sampleCount n: Int, labelCount q: Int,
                                 into result: inout [Float]) {
        precondition(u.count == n * q && c.count == q * q)
        if result.count != n * q { result = [Float](repeating: 0, count: n * q) }
        guard n > 0 else { return }
        u.withUnsafeBufferPointer { u in
            c.withUnsafeBufferPointer { c in
                result.withUnsafeMutableBufferPointer { out in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(q), Int32(q),
                                1, u.baseAddress, Int32(q), c.baseAddress, Int32(q), 0, out.baseAddress, Int32(q))
                }
            }
        }
    }
}
