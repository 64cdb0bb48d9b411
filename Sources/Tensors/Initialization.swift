import Foundation
import SeededRandom

/// Seeded parameter initialisation with PyTorch's distributions.
public enum Initialization {
    /// uniform(low, high) values.
    public static func uniform(_ count: Int, low: Float, high: Float, generator: inout SeededGenerator) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = low + (high - low) * generator.nextFloat() }
        return values
    }

    /// N(0, 1) values.
    public static func normal(_ count: Int, generator: inout SeededGenerator) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = Float(generator.nextGaussian()) }
        return values
    }

    /// Kaiming-uniform bound gain · √(3 / fanIn) with gain √(2 / (1 + a²)); PyTorch's default
    /// Linear init is a = √5, i.e. bound 1/√fanIn.
    public static func kaimingBound(fanIn: Int, a: Double) -> Float {
        Float((2 / (1 + a * a)).squareRoot() * (3 / Double(fanIn)).squareRoot())
    }
}
