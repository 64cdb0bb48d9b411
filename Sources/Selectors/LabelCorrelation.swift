import Formats
import CBLAS
import Foundation

/// Uncertainty-based label correlation (docs/method.md, Eq. 6) and Ū = U·C (Eq. 7).
public enum LabelCorrelation {
    /// How the joint bin counts of label pairs are obtained (results are identical).
    public enum PairCounting: Sendable {
        /// Sparse when rows have few labels outside their label's most common bin (or when the
        /// one-hot bin matrix would not fit in ``denseMemoryLimit``), else dense.
        case automatic
        /// `cblas_sgemm` products of the one-hot bin matrix B [n, q(τ−1)]: n·(q(τ−1))² flops whatever the data.
        case dense
        /// Per-row increments over pairs of labels outside their most common bin: Σ_i nnz_i²/2.
        case sparse
    }

    /// CPU seconds of the calling thread spent in each step of
    /// ``matrix(u:sampleCount:labelCount:bins:mode:counting:seconds:)`` (added to, so one value can
    /// sum several calls). Thread time is steady on a shared machine; it leaves out OpenBLAS's other
    /// threads, so measure with one.
    public struct StepSeconds: Sendable {
        /// Bin codes, marginals and each row's labels outside their most common bin.
        public var binning = 0.0
        /// The joint bin counts of label pairs (the pair statistics).
        public var counting = 0.0
        /// Mutual information from the counts, and the symmetric fill of C.
        public var information = 0.0
        public init() {}

        /// The calling thread's CPU time in seconds.
        static func threadTime() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
        }
    }

    /// The q × q correlation matrix of the columns of `u` [n, q] (row-major, Float32).
    ///
    /// Each column is discretised into `bins` (τ) equal bins of width 1/τ on [0, 1] (u = 1 goes
    /// in the last bin). The joint histogram of a label pair comes from the counts Bᵀ·B of the
    /// n × q(τ−1) one-hot bin matrix B, where each label's most common bin is left out (it is
    /// implied by the marginals). The counts are made a block of labels at a time (memory
    /// O(n·nnz + q² + a 16 MB block), never the whole (qτ)² matrix): sparse counting costs
    /// Σ_i nnz_i²/2 increments, nnz_i being row i's labels outside their common bin (small once
    /// most labels are confidently predicted), dense counting n·(qτ)² flops of `cblas_sgemm`.
    /// A pair no row counts (neither label outside its common bin in the same row) has the
    /// closed form n·MI = f(n) + f(n − m_a − m_b) − f(n − m_a) − f(n − m_b), f(x) = x ln x,
    /// m_a the rows of a outside its common bin, so the q²/2 pairs cost O(1) each beyond the
    /// counted ones. `.mi` gives the natural-log mutual information (clipped at 0 like
    /// scikit-learn), `.nmi` MI/√(H_a H_b) (0 if either entropy is 0), `.none` the identity. The
    /// diagonal is 1 in every mode.
    public static func matrix(u: [Float], sampleCount n: Int, labelCount q: Int, bins tau: Int,
                              mode: CorrelationMode, counting: PairCounting = .automatic) -> [Float] {
        var seconds = StepSeconds()
        return matrix(u: u, sampleCount: n, labelCount: q, bins: tau, mode: mode, counting: counting, seconds: &seconds)
    }

    /// ``matrix(u:sampleCount:labelCount:bins:mode:counting:)``, adding each step's CPU time to `seconds`.
    public static func matrix(u: [Float], sampleCount n: Int, labelCount q: Int, bins tau: Int,
                              mode: CorrelationMode, counting: PairCounting, seconds: inout StepSeconds) -> [Float] {
        precondition(u.count == n * q && tau >= 2)
        guard mode != .none, n > 0, q > 1 else { return identity(q) }
        var mark = StepSeconds.threadTime()
        func lap(_ step: WritableKeyPath<StepSeconds, Double>) {
            let now = StepSeconds.threadTime()
            seconds[keyPath: step] += now - mark
            mark = now
        }
        let (codes, marginal) = binCodes(u: u, sampleCount: n, labelCount: q, bins: tau)
        let layout = CountLayout(marginal: marginal, sampleCount: n, labelCount: q, bins: tau)
        let rows = layout.rowEntries(codes: codes, sampleCount: n)
        lap(\.binning)
        var counter = PairCounter(rows: rows, layout: layout, sampleCount: n, counting: counting)
        lap(\.counting)
        let information = PairInformation(marginal: marginal, layout: layout, sampleCount: n, mode: mode)
        var c = [Float](repeating: 0, count: q * q)
        lap(\.information)
        var first = 0
        while first < layout.informative.count {
            let end = min(first + counter.blockLabels, layout.informative.count)
            counter.count(labels: first..<end)
            lap(\.counting)
            information.fill(labels: first..<end, counter: &counter, into: &c)
            lap(\.information)
            first = end
        }
        symmetrise(&c, labelCount: q)
        lap(\.information)
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
        /// The one-hot bin matrix's columns: τ − 1 per informative label.
        let width: Int
        /// keptBin[a·τ + r]: bin r of label a among its τ − 1 kept bins (r < dropped: r, else r − 1).
        let keptBin: [UInt8]

        init(marginal: [Int32], sampleCount n: Int, labelCount q: Int, bins tau: Int) {
            var dropped = [Int](repeating: 0, count: q)
            for a in 0..<q {
                for r in 1..<tau where marginal[a * tau + r] > marginal[a * tau + dropped[a]] { dropped[a] = r }
            }
            let informative = (0..<q).filter { a in Int(marginal[a * tau + dropped[a]]) < n }
            let reduced = tau - 1
            var keptBin = [UInt8](repeating: 0, count: q * tau)
            for a in 0..<q {
                for r in 0..<tau where r != dropped[a] { keptBin[a * tau + r] = UInt8(truncatingIfNeeded: r < dropped[a] ? r : r - 1) }
            }
            labelCount = q
            bins = tau
            self.dropped = dropped
            self.informative = informative
            width = informative.count * reduced
            self.keptBin = keptBin
        }

        /// Each row's entries (its labels outside their dropped bin — never a label without
        /// information, whose rows all sit in that bin), in label order, gathered once for both
        /// the choice of counting and the counting; and Σ_i nnz_i²/2, the increments sparse
        /// counting would make. Sixteen labels are compared with their dropped bins at a time, so
        /// a row costs little once most labels are confidently predicted.
        @inline(never)  // a step of its own in profiles
        func rowEntries(codes: [UInt8], sampleCount n: Int) -> RowEntries {
            let q = labelCount, tau = bins
            var droppedCodes = [UInt8](repeating: 0, count: q)
            for a in 0..<q { droppedCodes[a] = UInt8(dropped[a]) }
            var labelIndex = [Int32](repeating: -1, count: q)
            for (index, a) in informative.enumerated() { labelIndex[a] = Int32(index) }
            var entries = RowEntries(sampleCount: n, reserving: n * min(informative.count, 16))
            codes.withUnsafeBufferPointer { codes in
                keptBin.withUnsafeBufferPointer { keptBin in
                    droppedCodes.withUnsafeBufferPointer { droppedCodes in
                        let dropped = droppedCodes.baseAddress!
                        for i in 0..<n {
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
                                    entries.append(label: labelIndex[label], keptBin: keptBin[label * tau + Int(row[label])])
                                }
                                a += lanes
                            }
                            entries.endRow()
                        }
                    }
                }
            }
            return entries
        }
    }

    /// Each row's labels outside their most common bin: entry k of row i (rowStart[i] ≤ k <
    /// rowStart[i + 1]) is informative label labels[k] in its kept bin keptBins[k] (0 ..< τ − 1),
    /// in label order.
    private struct RowEntries {
        private(set) var labels: [Int32] = []
        private(set) var keptBins: [UInt8] = []
        private(set) var rowStart: [Int] = [0]
        /// Σ_i nnz_i²/2: the increments of sparse counting.
        private(set) var occupied = 0.0

        init(sampleCount n: Int, reserving entries: Int) {
            labels.reserveCapacity(entries)
            keptBins.reserveCapacity(entries)
            rowStart.reserveCapacity(n + 1)
        }

        mutating func append(label: Int32, keptBin: UInt8) {
            labels.append(label)
            keptBins.append(keptBin)
        }

        mutating func endRow() {
            let count = Double(labels.count - rowStart[rowStart.count - 1])
            occupied += count * count / 2
            rowStart.append(labels.count)
        }
    }

    /// The joint counts of the kept bins of label pairs, one block of informative labels at a
    /// time: after ``count(labels:)``, the (τ − 1)² floats of pair (a, b) in ``withCounts(_:)``, for a
    /// in the block and b > a (informative indices), hold K_kl, the rows with a in its kept bin k and b in its
    /// kept bin l — one pair's counts side by side. Sparse counting marks the pairs some row
    /// counted; dense counting counts every pair. `.automatic` takes the cheaper whose memory fits.
    private struct PairCounter {
        let rows: RowEntries
        let reduced: Int, labelCount: Int, sampleCount: Int
        let sparse: Bool
        /// Labels per block: the block's counts hold at most ``blockCounts`` floats.
        let blockLabels: Int
        /// [block labels, informative labels, τ − 1, τ − 1].
        private var counts: [Float]
        /// [block labels, informative labels]: 1 where a row counted the pair (sparse only).
        private var touched: [UInt8]
        private(set) var block = 0..<0
        /// Sparse: each row's entries in each block, block by block: spans[spanStart[k] ..< spanStart[k + 1]] for block k.
        private var spans: [Span] = []
        private var spanStart: [Int] = []
        /// Dense: the one-hot bin matrix B [n, informative · (τ − 1)] and the block's product.
        private var oneHot: [Float] = [], product: [Float] = []

        /// Entries start ..< blockEnd of a row lie in one block; the row's entries end at rowEnd.
        struct Span {
            var start: Int32, blockEnd: Int32, rowEnd: Int32
        }

        @inline(never)  // a step of its own in profiles
        init(rows: RowEntries, layout: CountLayout, sampleCount n: Int, counting: PairCounting) {
            self.rows = rows
            reduced = layout.bins - 1
            labelCount = layout.informative.count
            sampleCount = n
            let width = layout.width, pairCells = reduced * reduced
            switch counting {
            case .automatic:
                let denseFlops = Double(n) * Double(width) * Double(width) / 2
                sparse = rows.occupied * LabelCorrelation.sparseIncrementCost < denseFlops
                    || Double(n) * Double(width) > Double(LabelCorrelation.denseMemoryLimit)
            case .dense: sparse = false
            case .sparse: sparse = true
            }
            blockLabels = max(1, min(labelCount, LabelCorrelation.blockCounts / max(labelCount * pairCells, 1)))
            counts = [Float](repeating: 0, count: max(blockLabels * labelCount * pairCells, 1))
            touched = [UInt8](repeating: 0, count: sparse ? blockLabels * labelCount : 0)
            if sparse {
                (spans, spanStart) = Self.spansByBlock(rows, blockLabels: blockLabels, labelCount: labelCount)
            } else if width > 0 {
                oneHot = [Float](repeating: 0, count: n * width)
                for i in 0..<n {
                    for k in rows.rowStart[i]..<rows.rowStart[i + 1] {
                        oneHot[i * width + Int(rows.labels[k]) * reduced + Int(rows.keptBins[k])] = 1
                    }
                }
                product = [Float](repeating: 0, count: blockLabels * reduced * width)
            }
        }

        /// Each row's entries cut at block boundaries and sorted by block (a counting sort), so
        /// that counting a block visits only the rows with entries in it.
        private static func spansByBlock(_ rows: RowEntries, blockLabels: Int, labelCount: Int) -> ([Span], [Int]) {
            let blockCount = (labelCount + blockLabels - 1) / blockLabels
            var spanStart = [Int](repeating: 0, count: blockCount + 1)
            func forEachSpan(_ body: (Int, Span) -> Void) {
                for i in 0..<(rows.rowStart.count - 1) {
                    let end = rows.rowStart[i + 1]
                    var x = rows.rowStart[i]
                    while x < end {
                        let block = Int(rows.labels[x]) / blockLabels, blockEnd = (block + 1) * blockLabels
                        var e = x + 1
                        while e < end && Int(rows.labels[e]) < blockEnd { e += 1 }
                        body(block, Span(start: Int32(x), blockEnd: Int32(e), rowEnd: Int32(end)))
                        x = e
                    }
                }
            }
            forEachSpan { block, _ in spanStart[block + 1] += 1 }
            for k in 0..<blockCount { spanStart[k + 1] += spanStart[k] }
            var next = spanStart
            var spans = [Span](repeating: Span(start: 0, blockEnd: 0, rowEnd: 0), count: spanStart[blockCount])
            forEachSpan { block, span in
                spans[next[block]] = span
                next[block] += 1
            }
            return (spans, spanStart)
        }

        /// Counts the pairs (a, b > a) of the informative labels a in `labels` (blocks in order,
        /// each ``blockLabels`` long but the last). Sparse counting needs the block's counts and
        /// marks zero on entry: their reader zeroes what it reads (``withCounts(_:)``).
        @inline(never)  // a step of its own in profiles
        mutating func count(labels: Range<Int>) {
            block = labels
            if sparse {
                countSparse()
            } else {
                countDense()
            }
        }

        /// Dense: product = B[:, block columns]ᵀ · B by one `cblas_sgemm`, then each pair's cells
        /// gathered side by side.
        private mutating func countDense() {
            let n = sampleCount, reduced = reduced, m = labelCount, width = m * reduced, pairCells = reduced * reduced
            let first = block.lowerBound * reduced, blockRows = block.count * reduced, lowest = block.lowerBound
            oneHot.withUnsafeBufferPointer { b in
                product.withUnsafeMutableBufferPointer { g in
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(blockRows), Int32(width), Int32(n),
                                1, b.baseAddress! + first, Int32(width), b.baseAddress!, Int32(width),
                                0, g.baseAddress, Int32(width))
                }
            }
            for a in block {
                for b in (a + 1)..<m {
                    for k in 0..<reduced {
                        for l in 0..<reduced {
                            counts[((a - lowest) * m + b) * pairCells + k * reduced + l] =
                                product[((a - lowest) * reduced + k) * width + b * reduced + l]
                        }
                    }
                }
            }
        }

        /// Sparse: for every row with entries in the block, +1 at (a, k; b, l) for each of those
        /// entries (a in kept bin k) and each later entry (b in kept bin l). One thread: the
        /// instance's CPU budget is the train stage's `threads`.
        private mutating func countSparse() {
            let lowest = block.lowerBound, m = labelCount, reduced = reduced, pairCells = reduced * reduced
            let blockIndex = lowest / blockLabels
            let here = spanStart[blockIndex]..<spanStart[blockIndex + 1]
            counts.withUnsafeMutableBufferPointer { g in
                touched.withUnsafeMutableBufferPointer { touched in
                    rows.labels.withUnsafeBufferPointer { labels in
                        rows.keptBins.withUnsafeBufferPointer { keptBins in
                            spans.withUnsafeBufferPointer { spans in
                                for span in spans[here] {
                                    let rowEnd = Int(span.rowEnd)
                                    for x in Int(span.start)..<Int(span.blockEnd) {
                                        let local = Int(labels[x]) - lowest
                                        let line = g.baseAddress! + local * m * pairCells + Int(keptBins[x]) * reduced
                                        let marks = touched.baseAddress! + local * m
                                        var y = x + 1
                                        while y < rowEnd {
                                            let b = Int(labels[y])
                                            line[b * pairCells + Int(keptBins[y])] += 1
                                            marks[b] = 1
                                            y += 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// The block's counts — pair (a, b)'s cells at ((a − block start) · informative + b) · (τ − 1)² —
        /// and, for sparse counting, its marks [block labels, informative labels] (nil for dense
        /// counting, where every pair is counted). A reader of sparse counts must zero the counts
        /// and marks it reads, ready for the next block.
        mutating func withCounts<Result>(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt8>?) -> Result) -> Result {
            let sparse = sparse
            return counts.withUnsafeMutableBufferPointer { g in
                touched.withUnsafeMutableBufferPointer { touched in body(g.baseAddress!, sparse ? touched.baseAddress! : nil) }
            }
        }
    }

    /// The mutual information of label pairs from their marginal and joint bin counts, through
    /// f(x) = x ln x: n·MI(a, b) = Σ_rs f(n_rs) + f(n) − Σ_r f(n_r^a) − Σ_s f(n_s^b). A pair no
    /// row counted has n·MI = f(n) + f(n − m_a − m_b) − f(n − m_a) − f(n − m_b); the counted rows
    /// of the others add a correction (``countedCorrection``).
    private struct PairInformation {
        let bins: Int, labelCount: Int, sampleCount: Int
        let mode: CorrelationMode
        /// f(k) = k ln k for k = 0…n.
        let f: [Double]
        /// Per informative label: its row and column in C, m_a (its rows outside its dropped
        /// bin), f(n − m_a), and 1/√H_a (H_a its entropy in nats, > 0 for an informative label)
        /// for `.nmi`.
        let label: [Int], kept: [Int], droppedTerm: [Double], inverseRootEntropy: [Double]
        /// The kept bins' counts of each informative label [informative, τ − 1].
        let keptCounts: [Int]

        @inline(never)  // a step of its own in profiles
        init(marginal: [Int32], layout: CountLayout, sampleCount n: Int, mode: CorrelationMode) {
            bins = layout.bins
            labelCount = layout.labelCount
            sampleCount = n
            self.mode = mode
            var f = [Double](repeating: 0, count: n + 1)
            for k in 1...n { f[k] = Double(k) * log(Double(k)) }
            let tau = layout.bins, reduced = tau - 1, m = layout.informative.count
            var kept = [Int](repeating: 0, count: m), droppedTerm = [Double](repeating: 0, count: m)
            var inverseRootEntropy = [Double](repeating: 0, count: m)
            var keptCounts = [Int](repeating: 0, count: m * reduced)
            for (index, a) in layout.informative.enumerated() {
                var k = 0, marginalTerm = 0.0  // Σ_r f(n_r)
                for r in 0..<tau {
                    let count = Int(marginal[a * tau + r])
                    marginalTerm += f[count]
                    if r != layout.dropped[a] {
                        keptCounts[index * reduced + k] = count
                        kept[index] += count
                        k += 1
                    }
                }
                droppedTerm[index] = f[n - kept[index]]
                let entropy = (f[n] - marginalTerm) / Double(n)
                inverseRootEntropy[index] = entropy > 0 ? 1 / entropy.squareRoot() : 0
            }
            self.f = f
            label = layout.informative
            self.kept = kept
            self.droppedTerm = droppedTerm
            self.inverseRootEntropy = inverseRootEntropy
            self.keptCounts = keptCounts
        }

        /// C[a, b] for every informative a in `labels` and informative b > a (upper triangle):
        /// first every pair's closed form, then the counted pairs' corrections.
        @inline(never)  // a step of its own in profiles
        func fill(labels: Range<Int>, counter: inout PairCounter, into c: inout [Float]) {
            var columnSums = [Int](repeating: 0, count: bins - 1)
            counter.withCounts { counts, touched in
                c.withUnsafeMutableBufferPointer { c in
                    f.withUnsafeBufferPointer { f in
                        label.withUnsafeBufferPointer { label in
                            kept.withUnsafeBufferPointer { kept in
                                droppedTerm.withUnsafeBufferPointer { droppedTerm in
                                    keptCounts.withUnsafeBufferPointer { keptCounts in
                                        columnSums.withUnsafeMutableBufferPointer { columnSums in
                                            let pointers = Pointers(c: c.baseAddress!, f: f.baseAddress!, label: label.baseAddress!,
                                                                    kept: kept.baseAddress!, droppedTerm: droppedTerm.baseAddress!,
                                                                    keptCounts: keptCounts.baseAddress!, columnSums: columnSums.baseAddress!,
                                                                    counts: counts, touched: touched)
                                            for ia in labels { fill(row: ia, block: labels, pointers) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// The buffers ``fill(row:block:_:)`` reads and writes.
        private struct Pointers {
            let c: UnsafeMutablePointer<Float>, f: UnsafePointer<Double>, label: UnsafePointer<Int>, kept: UnsafePointer<Int>
            let droppedTerm: UnsafePointer<Double>, keptCounts: UnsafePointer<Int>, columnSums: UnsafeMutablePointer<Int>
            let counts: UnsafeMutablePointer<Float>, touched: UnsafeMutablePointer<UInt8>?
        }

        /// C[a, b] for informative a = `ia` and every informative b > a.
        private func fill(row ia: Int, block: Range<Int>, _ p: Pointers) {
            let q = labelCount, n = sampleCount, reduced = bins - 1, pairCells = reduced * reduced, m = label.count
            let normalised = mode == .nmi, inverseN = 1 / Double(n), f = p.f
            let line = p.c + p.label[ia] * q
            let closedBase = f[n] - p.droppedTerm[ia], rowsLeft = n - p.kept[ia]
            func store(_ total: Double, _ ib: Int) {
                var information = max(total * inverseN, 0)
                if normalised { information *= inverseRootEntropy[ia] * inverseRootEntropy[ib] }
                line[p.label[ib]] = Float(information)
            }
            // A pair whose labels leave their dropped bins in more than n rows together is counted
            // (some row has both), and its value replaced below: max(·, 0) only keeps f's index in range.
            for ib in (ia + 1)..<m { store(closedBase - p.droppedTerm[ib] + f[max(rowsLeft - p.kept[ib], 0)], ib) }
            let marks = p.touched.map { $0 + (ia - block.lowerBound) * m }
            for ib in (ia + 1)..<m where marks?[ib] ?? 1 != 0 {
                let bothDropped = rowsLeft - p.kept[ib]
                let correction = Self.countedCorrection(
                    cells: p.counts + ((ia - block.lowerBound) * m + ib) * pairCells, reduced: reduced, reset: marks != nil,
                    keptA: p.keptCounts + ia * reduced, keptB: p.keptCounts + ib * reduced, f: f, bothDropped: bothDropped,
                    columnSums: p.columnSums)
                store(closedBase - p.droppedTerm[ib] + correction, ib)
                marks?[ib] = 0
            }
        }

        /// The terms of a counted pair's n·MI beyond f(n) − f(n − m_a) − f(n − m_b): the kept bins'
        /// counts K (cells[k · (τ − 1) + l], zeroed after reading with `reset`) give f(K_kl),
        /// f(n_k^a − R_k) − f(n_k^a), f(n_l^b − S_l) − f(n_l^b) (rows and cells without counts give
        /// nothing and are skipped) and f(n − m_a − m_b + ΣK), the rows with both labels in their
        /// dropped bins (`bothDropped` = n − m_a − m_b, negative when the labels overlap).
        /// `keptA`, `keptB`: the labels' kept bins' counts; `columnSums`: τ − 1 scratch integers.
        @inline(__always)
        private static func countedCorrection(cells: UnsafeMutablePointer<Float>, reduced: Int, reset: Bool,
                                              keptA: UnsafePointer<Int>, keptB: UnsafePointer<Int>, f: UnsafePointer<Double>,
                                              bothDropped: Int, columnSums: UnsafeMutablePointer<Int>) -> Double {
            var correction = 0.0, all = 0
            for l in 0..<reduced { columnSums[l] = 0 }
            for k in 0..<reduced {
                let line = cells + k * reduced
                var rowSum = 0
                for l in 0..<reduced {
                    let count = Int(line[l])
                    if count != 0 {
                        correction += f[count]
                        columnSums[l] += count
                        rowSum += count
                        if reset { line[l] = 0 }
                    }
                }
                if rowSum != 0 {
                    correction += f[keptA[k] - rowSum] - f[keptA[k]]
                    all += rowSum
                }
            }
            for l in 0..<reduced where columnSums[l] != 0 {
                correction += f[keptB[l] - columnSums[l]] - f[keptB[l]]
            }
            return correction + f[bothDropped + all]
        }
    }

    /// Copies C's upper triangle into its lower one, 64 × 64 tiles at a time, and sets the diagonal to 1.
    @inline(never)  // a step of its own in profiles
    private static func symmetrise(_ c: inout [Float], labelCount q: Int) {
        let tile = 64
        c.withUnsafeMutableBufferPointer { c in
            for top in stride(from: 0, to: q, by: tile) {
                for left in stride(from: top, to: q, by: tile) {
                    for a in top..<min(top + tile, q) {
                        for b in max(left, a + 1)..<max(min(left + tile, q), a + 1) { c[b * q + a] = c[a * q + b] }
                    }
                }
                for a in top..<min(top + tile, q) { c[a * q + a] = 1 }
            }
        }
    }

    /// The bin codes min(⌊u·τ⌋, τ − 1) (0 for negative u) of u [n, q] and the marginal counts [q, τ] of
    /// each label's bins. Eight labels at a time, without a float-to-integer conversion: the code is
    /// the number of thresholds r = 1…τ−1 with u·τ ≥ r, and counting the rows at or above each
    /// threshold gives the marginals as differences. O(n·q·τ/8).
    @inline(never)  // a step of its own in profiles
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
                            guard any(x .>= 1) else {  // all in bin 0 (most labels once predictions settle): codes are 0 already
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
                            if lanes == 8 {
                                UnsafeMutableRawPointer(out + a).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: code), as: SIMD8<UInt8>.self)
                            } else {
                                for l in 0..<lanes { out[a + l] = UInt8(truncatingIfNeeded: code[l]) }
                            }
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

    /// Cost of one sparse increment in units of one dense multiply-add (conservative: `bench selectors`
    /// finds sparse counting faster than the dense product even for uniformly random predictions).
    static let sparseIncrementCost = 32.0

    /// Floats of the one-hot bin matrix dense counting may allocate (256 MB); beyond it, counting is sparse.
    static let denseMemoryLimit = 1 << 26

    /// Floats of one block of pair counts (16 MB).
    static let blockCounts = 1 << 22

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
