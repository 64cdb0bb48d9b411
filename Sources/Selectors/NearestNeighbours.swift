import CBLAS

/// Exact k-nearest-neighbour search (Euclidean) over the rows of a feature matrix.
public enum NearestNeighbours {
    /// The `k` nearest rows of `features` [n, d] to each row in `queries`, excluding the query row
    /// itself, nearest first (ties: smaller row index first). Returns [|queries|, k] row indices.
    ///
    /// Squared distances ‖a‖² + ‖b‖² − 2a·b come from blocked `cblas_sgemm` products of up to
    /// `blockSize` query rows against all n rows (O(|queries|·n·d) flops, O(blockSize·n) memory),
    /// followed by a partial top-k per row (O(n·k) per query). Requires k < n.
    public static func search(features: [Float], sampleCount n: Int, featureCount d: Int, queries: [Int32],
                              k: Int, blockSize: Int = 256) -> [Int32] {
        precondition(features.count == n * d && k >= 1 && k < n)
        var norms = [Float](repeating: 0, count: n)
        features.withUnsafeBufferPointer { x in
            for i in 0..<n {
                var total: Float = 0
                for t in 0..<d { total += x[i * d + t] * x[i * d + t] }
                norms[i] = total
            }
        }
        var result = [Int32](repeating: 0, count: queries.count * k)
        let block = max(1, min(blockSize, queries.count))
        var gathered = [Float](repeating: 0, count: block * d)
        var products = [Float](repeating: 0, count: block * n)
        var bestDistance = [Float](repeating: 0, count: k)
        var bestIndex = [Int32](repeating: 0, count: k)
        features.withUnsafeBufferPointer { x in
            var start = 0
            while start < queries.count {
                let rows = min(block, queries.count - start)
                gathered.withUnsafeMutableBufferPointer { g in
                    for r in 0..<rows {
                        let source = Int(queries[start + r])
                        (g.baseAddress! + r * d).update(from: x.baseAddress! + source * d, count: d)
                    }
                }
                gathered.withUnsafeBufferPointer { g in
                    products.withUnsafeMutableBufferPointer { p in
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(d),
                                    1, g.baseAddress, Int32(d), x.baseAddress, Int32(d), 0, p.baseAddress, Int32(n))
                    }
                }
                products.withUnsafeBufferPointer { p in
                    for r in 0..<rows {
                        let query = Int(queries[start + r])
                        var found = 0
                        for candidate in 0..<n where candidate != query {
                            let distance = norms[query] + norms[candidate] - 2 * p[r * n + candidate]
                            // Insert into the sorted top-k (strict comparison keeps smaller indices first on ties).
                            if found == k && distance >= bestDistance[k - 1] { continue }
                            var position = found < k ? found : k - 1
                            while position > 0 && bestDistance[position - 1] > distance {
                                bestDistance[position] = bestDistance[position - 1]
                                bestIndex[position] = bestIndex[position - 1]
                                position -= 1
                            }
                            bestDistance[position] = distance
                            bestIndex[position] = Int32(candidate)
                            if found < k { found += 1 }
                        }
                        for t in 0..<k { result[(start + r) * k + t] = bestIndex[t] }
                    }
                }
                start += rows
            }
        }
        return result
    }
}
