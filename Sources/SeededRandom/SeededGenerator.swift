/// A deterministic, seedable pseudo-random generator (xoshiro256**, seeded by SplitMix64).
///
/// Every random choice in the project flows from the pipeline seed through this type, so the
/// same seed gives the same stream on every platform and build. Independent consumers derive
/// their own stream with ``init(seed:stream:)`` instead of sharing one generator, so adding a
/// draw in one place never shifts the numbers another place sees.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose 256-bit state is expanded from `seed` with SplitMix64.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// Creates the generator of a named sub-stream of `seed` (e.g. `"dropout"`, `"sampler"`).
    public init(seed: UInt64, stream: String) {
        self.init(seed: seed ^ Self.fnv1a(stream))
    }

    /// Creates the generator of a numbered sub-stream of `seed` (e.g. one per fold or epoch).
    public init(seed: UInt64, stream: String, index: Int) {
        self.init(seed: (seed ^ Self.fnv1a(stream)) &+ UInt64(truncatingIfNeeded: index) &* 0xD6E8_FEB8_6659_FD93)
    }

    /// The raw 256-bit state, for saving a generator with a resumable checkpoint.
    public var snapshot: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// Restores a generator from ``snapshot``. Returns nil unless `snapshot` has four words.
    public init?(snapshot: [UInt64]) {
        guard snapshot.count == 4 else { return nil }
        state = (snapshot[0], snapshot[1], snapshot[2], snapshot[3])
    }

    /// The next 64 random bits (inlinable: dropout masks draw one per two elements).
    @inlinable public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    @inlinable public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inlinable public mutating func nextFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method). `bound` > 0.
    @inlinable public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A standard normal sample (Box–Muller; one value per call, deterministic).
    public mutating func nextGaussian() -> Double {
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle driven only by this generator (the standard library's
    /// `shuffle(using:)` algorithm is not guaranteed stable across Swift versions).
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { values.swapAt(i, j) }
        }
    }

    /// A random permutation of `0..<count`.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        shuffle(&values)
        return values
    }

    @inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// 64-bit FNV-1a of the UTF-8 bytes: a stable string hash (Swift's `Hasher` is seeded per process).
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
