extension Graph {
    /// Euclidean norm of every row of a 2-D tensor → [n, 1]. O(n·k).
    public func rowNorms(_ x: Tensor) -> Tensor {
        sqrt(sum(square(x), axis: 1, keepDims: true))
    }

    /// Euclidean norm of every column of a 2-D tensor → [1, k]. O(n·k).
    public func columnNorms(_ x: Tensor) -> Tensor {
        sqrt(sum(square(x), axis: 0, keepDims: true))
    }

    /// Rows scaled to unit length: x / (‖x_i‖ + epsilon). O(n·k).
    public func normalizeRows(_ x: Tensor, epsilon: Float = 1e-6) -> Tensor {
        divide(x, add(rowNorms(x), scalar: epsilon))
    }

    /// Pairwise cosine similarity of the rows of x [n, k] → [n, n], with
    /// x_i / (‖x_i‖ + epsilon) as in the CLIF link loss. One GEMM. O(n²·k).
    public func cosineSimilarity(_ x: Tensor, epsilon: Float = 1e-6) -> Tensor {
        let unit = normalizeRows(x, epsilon: epsilon)
        return matmul(unit, unit, transposeB: true)
    }
}
