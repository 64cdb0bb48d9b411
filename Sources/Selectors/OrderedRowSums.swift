/// Σ_{j<q} term_ij for every row i < n into `out[i]`, each summed in order of j from 0 — the same
/// Double as a plain loop per row. `fillTerms(i, terms)` writes row i's q terms into `terms` (a
/// separate loop the compiler can vectorise, e.g. divisions and square roots); four rows at a time
/// then keep four independent sums in flight, where a single running sum would wait on each
/// addition. O(n·q) terms, O(q) scratch.
func orderedRowSums(rows n: Int, columns q: Int, into out: UnsafeMutablePointer<Double>,
                    fillTerms: (Int, UnsafeMutablePointer<Double>) -> Void) {
    let terms = UnsafeMutablePointer<Double>.allocate(capacity: 4 * max(q, 1))
    defer { terms.deallocate() }
    let t0 = terms, t1 = terms + q, t2 = terms + 2 * q, t3 = terms + 3 * q
    var i = 0
    while i + 4 <= n {
        fillTerms(i, t0)
        fillTerms(i + 1, t1)
        fillTerms(i + 2, t2)
        fillTerms(i + 3, t3)
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        for j in 0..<q {
            s0 += t0[j]
            s1 += t1[j]
            s2 += t2[j]
            s3 += t3[j]
        }
        out[i] = s0
        out[i + 1] = s1
        out[i + 2] = s2
        out[i + 3] = s3
        i += 4
    }
    while i < n {
        fillTerms(i, t0)
        var total = 0.0
        for j in 0..<q { total += t0[j] }
        out[i] = total
        i += 1
    }
}
