/// Probabilities in [0, 1] as one byte each: the code of p is round(p · 255), ties to even,
/// so 0 → 0, 1 → 255, 0.5 → 128 (127.5 rounds to even), 0.25 → 64 (63.75); decoding is
/// code / 255. Any p ∈ [0, 1] decodes within 1/510 (half a step) of itself. Values below 0
/// clamp to 0 and above 1 to 255; NaN has no code and is stored as 0.
///
/// The `uint8` encoding of `predictions.npy` (docs/artifacts.md): NumPy readers
/// dequantise with `P.astype(np.float32) / 255`.
public enum ProbabilityBytes {
    /// Codes per unit: p = code / scale.
    public static let scale: Float = 255
    /// The largest |decode(encode(p)) − p| for p ∈ [0, 1]: half a step.
    public static let maximumError: Float = 1 / 510

    /// round(p · 255), ties to even, clamped to 0…255; NaN → 0.
    @inlinable public static func encode(_ p: Float) -> UInt8 {
        guard p > 0 else { return 0 }  // also NaN
        guard p < 1 else { return 255 }
        return UInt8((p * 255).rounded(.toNearestOrEven))
    }

    /// code / 255.
    @inlinable public static func decode(_ code: UInt8) -> Float { Float(code) / 255 }

    /// Encodes a buffer; `output.count` must be at least `input.count`.
    public static func encode(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= input.count)
        for i in 0..<input.count { output[i] = encode(input[i]) }
    }

    /// Decodes a buffer; `output.count` elements are written.
    public static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count >= output.count)
        for i in 0..<output.count { output[i] = decode(input[i]) }
    }
}
