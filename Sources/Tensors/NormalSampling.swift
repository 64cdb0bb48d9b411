#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SeededRandom

/// The 256-layer ziggurat of the unnormalised density f(x) = e^(−x²/2) (Marsaglia & Tsang 2000):
/// layer edges x₀ > x₁ = r > … > x₂₅₆ = 0, each layer of area v, and f at every edge.
struct Ziggurat: Sendable {
    static let r = 3.654_152_885_361_008_8
    static let area = 4.928_673_233_99e-3
    static let shared = Ziggurat()
    let edges: [Double]
    let heights: [Double]

    private init() {
        var x = [Double](repeating: 0, count: 257)
        x[0] = Self.area / exp(-0.5 * Self.r * Self.r)
        x[1] = Self.r
        for i in 2..<256 {
            x[i] = (-2 * log(Self.area / x[i - 1] + exp(-0.5 * x[i - 1] * x[i - 1]))).squareRoot()
        }
        edges = x
        heights = x.map { exp(-0.5 * $0 * $0) }
    }
}

extension SeededGenerator {
    /// Fills `count` values with independent standard normals by the ziggurat method: one
    /// 64-bit draw per value in ≈ 99 % of cases (8 bits choose the layer, 53 bits the position),
    /// about 10× cheaper than Box–Muller. Deterministic: the values depend only on the stream.
    public mutating func fillStandardNormal(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let table = Ziggurat.shared
        table.edges.withUnsafeBufferPointer { x in
            table.heights.withUnsafeBufferPointer { f in
                for k in 0..<count {
                    values[k] = Float(nextZigguratNormal(x.baseAddress!, f.baseAddress!))
                }
            }
        }
    }

    /// One standard normal from the ziggurat tables `x` (edges) and `f` (heights).
    @inline(__always)
    private mutating func nextZigguratNormal(_ x: UnsafePointer<Double>, _ f: UnsafePointer<Double>) -> Double {
        while true {
            let bits = next()
            let layer = Int(bits & 0xFF)
            let u = 2 * (Double(bits >> 11) * 0x1.0p-53) - 1
            let value = u * x[layer]
            if abs(value) < x[layer + 1] { return value }
            if layer == 0 {
                // The tail beyond r (Marsaglia 1964).
                var tail = 0.0, depth = 0.0
                repeat {
                    tail = -log(1 - nextDouble()) / Ziggurat.r
                    depth = -log(1 - nextDouble())
                } while 2 * depth < tail * tail
                return u < 0 ? -(Ziggurat.r + tail) : Ziggurat.r + tail
            }
            if f[layer + 1] + (f[layer] - f[layer + 1]) * nextDouble() < exp(-0.5 * value * value) { return value }
        }
    }
}

extension Graph {
    /// A constant tensor (no gradient) of independent standard normals drawn from `generator`
    /// in row-major order (`fillStandardNormal`), in a pooled buffer. O(n).
    public func standardNormal(shape: [Int], generator: inout SeededGenerator) -> Tensor {
        let tensor = output(shape, inputs: [])
        generator.fillStandardNormal(tensor.data, count: tensor.count)
        return tensor
    }
}
