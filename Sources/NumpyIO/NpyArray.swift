import Artifacts
import Foundation

/// A Swift scalar type with a fixed `.npy` dtype.
public protocol NpyElement: Sendable {
    static var npyDType: NpyDType { get }
}

extension Float: NpyElement { public static var npyDType: NpyDType { .float32 } }
extension Double: NpyElement { public static var npyDType: NpyDType { .float64 } }
extension Int8: NpyElement { public static var npyDType: NpyDType { .int8 } }
extension Int32: NpyElement { public static var npyDType: NpyDType { .int32 } }
extension Int64: NpyElement { public static var npyDType: NpyDType { .int64 } }
extension UInt8: NpyElement { public static var npyDType: NpyDType { .uint8 } }
extension Bool: NpyElement { public static var npyDType: NpyDType { .bool } }

/// An in-memory `.npy` array: its header and its raw little-endian bytes in C order.
public struct NpyArray: Sendable {
    public var header: NpyHeader
    public var bytes: [UInt8]

    public var dtype: NpyDType { header.dtype }
    public var shape: [Int] { header.shape }
    public var count: Int { header.count }

    /// Wraps raw bytes; `bytes.count` must equal the header's byte count.
    public init(header: NpyHeader, bytes: [UInt8]) {
        precondition(bytes.count == header.byteCount, "byte count does not match shape and dtype")
        self.header = header
        self.bytes = bytes
    }

    /// Copies typed values into an array of the matching dtype. `values.count` must equal the shape's product.
    public init<T: NpyElement>(_ values: [T], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "value count \(values.count) does not match shape \(shape)")
        header = NpyHeader(dtype: T.npyDType, shape: shape)
        bytes = values.withUnsafeBytes { Array($0) }
    }

    /// Float32 values stored as float16 (round to nearest even).
    public init(float16From values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "value count \(values.count) does not match shape \(shape)")
        header = NpyHeader(dtype: .float16, shape: shape)
        var halves = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { source in
            halves.withUnsafeMutableBufferPointer { Float16Bits.encode(source, into: $0) }
        }
        bytes = halves.withUnsafeBytes { Array($0) }
    }

    /// The values as `T`; throws unless the stored dtype is exactly `T`'s.
    public func values<T: NpyElement>(as type: T.Type, path: String = "array") throws -> [T] {
        guard dtype == T.npyDType else {
            throw ArtifactError.malformed(path: path, reason: "dtype is \(dtype) but \(T.npyDType) was expected")
        }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            bytes.withUnsafeBytes { raw in
                _ = memcpy(buffer.baseAddress!, raw.baseAddress!, raw.count)
            }
            initialised = count
        }
    }

    /// The values converted to Float32 from any numeric dtype (float16/64 and integers included).
    public func float32Values() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialised in
            bytes.withUnsafeBytes { raw in NpyConversion.toFloat32(raw, dtype: dtype, into: out) }
            initialised = count
        }
    }

    /// The values converted to Double from any numeric dtype.
    public func float64Values() -> [Double] {
        if dtype == .float64 { return bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) } }
        if dtype == .int64 { return bytes.withUnsafeBytes { $0.bindMemory(to: Int64.self).map(Double.init) } }
        return float32Values().map(Double.init)
    }

    /// The values converted to Int64 from any integer or boolean dtype; throws for floating types.
    public func int64Values(path: String = "array") throws -> [Int64] {
        switch dtype {
        case .int8: return try values(as: Int8.self).map(Int64.init)
        case .int32: return try values(as: Int32.self).map(Int64.init)
        case .int64: return try values(as: Int64.self)
        case .uint8, .bool: return bytes.map(Int64.init)
        default: throw ArtifactError.malformed(path: path, reason: "dtype \(dtype) is not an integer type")
        }
    }
}

/// Conversions of raw `.npy` data to Float32.
enum NpyConversion {
    static func toFloat32(_ raw: UnsafeRawBufferPointer, dtype: NpyDType, into out: UnsafeMutableBufferPointer<Float>) {
        let n = out.count
        switch dtype {
        case .float32: _ = memcpy(out.baseAddress!, raw.baseAddress!, n * 4)
        case .float16: Float16Bits.decode(raw.bindMemory(to: UInt16.self), into: out)
        case .float64: let p = raw.bindMemory(to: Double.self); for i in 0..<n { out[i] = Float(p[i]) }
        case .int8: let p = raw.bindMemory(to: Int8.self); for i in 0..<n { out[i] = Float(p[i]) }
        case .int32: let p = raw.bindMemory(to: Int32.self); for i in 0..<n { out[i] = Float(p[i]) }
        case .int64: let p = raw.bindMemory(to: Int64.self); for i in 0..<n { out[i] = Float(p[i]) }
        case .uint8, .bool: let p = raw.bindMemory(to: UInt8.self); for i in 0..<n { out[i] = Float(p[i]) }
        }
    }
}
