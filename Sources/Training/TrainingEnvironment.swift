import Tensors

/// Process-wide set-up before training: OpenBLAS threads and its cold-start warm-up.
public enum TrainingEnvironment {
    /// Sets OpenBLAS to `threads` (or leaves its default) and runs one large sgemm.
    public static func prepare(threads: Int?) {
        if let threads { BLAS.setThreads(threads) }
        BLAS.warmUp()
    }
}
