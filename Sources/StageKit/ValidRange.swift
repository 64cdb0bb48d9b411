/// The numbers a parameter accepts: an interval with optional, open or closed ends.
public struct ValidRange: Sendable, Equatable, CustomStringConvertible {
    public var lower: Double?
    public var lowerIncluded: Bool
    public var upper: Double?
    public var upperIncluded: Bool

    public init(lower: Double?, lowerIncluded: Bool = true, upper: Double?, upperIncluded: Bool = true) {
        self.lower = lower
        self.lowerIncluded = lowerIncluded
        self.upper = upper
        self.upperIncluded = upperIncluded
    }

    /// x ≥ bound.
    public static func atLeast(_ bound: Double) -> ValidRange { ValidRange(lower: bound, upper: nil) }
    /// x > bound.
    public static func above(_ bound: Double) -> ValidRange { ValidRange(lower: bound, lowerIncluded: false, upper: nil) }
    /// low ≤ x ≤ high.
    public static func within(_ low: Double, _ high: Double) -> ValidRange { ValidRange(lower: low, upper: high) }
    /// low < x ≤ high.
    public static func aboveAtMost(_ low: Double, _ high: Double) -> ValidRange {
        ValidRange(lower: low, lowerIncluded: false, upper: high)
    }
    /// low < x < high.
    public static func between(_ low: Double, _ high: Double) -> ValidRange {
        ValidRange(lower: low, lowerIncluded: false, upper: high, upperIncluded: false)
    }
    /// x > 0.
    public static let positive = above(0)
    /// x ≥ 0.
    public static let nonNegative = atLeast(0)

    public func contains(_ value: Double) -> Bool {
        if let lower, lowerIncluded ? value < lower : value <= lower { return false }
        if let upper, upperIncluded ? value > upper : value >= upper { return false }
        return true
    }

    /// `≥ 1`, `> 0`, `in (0, 1]`.
    public var description: String {
        switch (lower, upper) {
        case let (low?, high?):
            return "in \(lowerIncluded ? "[" : "(")\(Self.text(low)), \(Self.text(high))\(upperIncluded ? "]" : ")")"
        case let (low?, nil): return "\(lowerIncluded ? "≥" : ">") \(Self.text(low))"
        case let (nil, high?): return "\(upperIncluded ? "≤" : "<") \(Self.text(high))"
        case (nil, nil): return "any number"
        }
    }

    private static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
