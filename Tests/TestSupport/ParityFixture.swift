import Foundation
import NumpyIO
import Testing

/// A parity fixture from `shared/parity` (PyTorch- or scikit-learn-computed), read as Float32 arrays.
public struct Fixture {
    public let arrays: [String: NpyArray]

    public init(_ name: String) throws {
        arrays = try Fixtures.npz(name)
    }

    /// A fixture committed with the tests: `Fixtures/<name>.npz` beside the calling test file.
    public init(committed name: String, testFile: String = #filePath) throws {
        try self.init(contentsOf: URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).npz"))
    }

    /// A fixture `.npz` outside `shared/parity` (e.g. one committed beside a test).
    public init(contentsOf url: URL) throws {
        arrays = try NpzFile.read(url)
    }

    public subscript(_ key: String) -> [Float] {
        guard let array = arrays[key] else { Issue.record("fixture lacks \(key)"); return [] }
        return array.float32Values()
    }

    public func scalar(_ key: String) -> Float { Float(arrays[key]?.float64Values().first ?? .nan) }
    public func keys(prefix: String) -> [String] { arrays.keys.filter { $0.hasPrefix(prefix) }.sorted() }
}

/// Reads the parity fixtures of `shared/parity` as Float64 values (see its README).
public enum Fixtures {
    public static func npz(_ name: String) throws -> [String: NpyArray] {
        try NpzFile.read(TestSupport.parityFolder.appendingPathComponent("\(name).npz"))
    }

    public static func doubles(_ archive: [String: NpyArray], _ key: String) throws -> [Double] {
        try #require(archive[key], "missing \(key)").float64Values()
    }

    public static func scalar(_ archive: [String: NpyArray], _ key: String) throws -> Double {
        try #require(try doubles(archive, key).first)
    }
}

/// Expects 1e-4 relative agreement (1e-5 absolute near 0), as the parity README asks.
public func expectClose(_ actual: [Float], _ expected: [Float], _ label: String = "", relative: Float = 1e-4,
                        absolute: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(label): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        #expect(abs(a - e) <= max(absolute, relative * abs(e)), "\(label)[\(i)]: \(a) vs \(e)", sourceLocation: sourceLocation)
    }
}

/// |a − b| ≤ absolute + relative·|b| elementwise (the parity README's tolerance by default).
public func close(_ a: [Double], _ b: [Double], relative: Double = 1e-4, absolute: Double = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= absolute + relative * abs($1) }
}

public func close(_ a: Double, _ b: Double, relative: Double = 1e-4, absolute: Double = 1e-5) -> Bool {
    close([a], [b], relative: relative, absolute: absolute)
}

extension Array where Element == Float {
    /// The values widened to Double.
    public var doubles: [Double] { map(Double.init) }
}
