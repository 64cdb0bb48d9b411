import CBLAS
import Foundation

/// OpenBLAS set-up and measurement.
public enum BLAS {
    /// Sets the OpenBLAS thread count.
    public static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }

    /// Current OpenBLAS thread count.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Runs one 512³ sgemm: OpenBLAS runs smaller products ≈ 3× slower until a large one has
    /// run in the process (measured on the project's machines). Call once at start-up.
    public static func warmUp() {
        _ = measureGFLOPS(m: 512, n: 512, k: 512, repeats: 1)
    }

    /// Achieved GFLOP/s of C[m,n] = A[m,k]·B[k,n] (2·m·n·k flops per product), median of `repeats`.
    public static func measureGFLOPS(m: Int, n: Int, k: Int, repeats: Int) -> Double {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        var times: [Double] = []
        for _ in 0..<max(repeats, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            c.withUnsafeMutableBufferPointer { gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a, b, beta: 0, $0.baseAddress!) }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return 2 * Double(m) * Double(n) * Double(k) / times[times.count / 2] / 1e9
    }
}
