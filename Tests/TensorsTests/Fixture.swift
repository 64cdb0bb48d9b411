import Foundation
import NumpyIO
import Testing
import TestSupport

/// A parity fixture from ../shared/parity (PyTorch-computed).
struct Fixture {
    let arrays: [String: NpyArray]
    init(_ name: String) throws {
        arrays = try NpzFile.read(TestSupport.parityFolder.appendingPathComponent("\(name).npz"))
    }
    subscript(_ key: String) -> [Float] {
        guard let array = arrays[key] else { Issue.record("fixture lacks \(key)"); return [] }
        return array.float32Values()
    }
    func scalar(_ key: String) -> Float { Float(arrays[key]?.float64Values().first ?? .nan) }
    func keys(prefix: String) -> [String] { arrays.keys.filter { $0.hasPrefix(prefix) }.sorted() }
}

/// Expects 1e-4 relative agreement (1e-5 absolute near 0), as the parity README asks.
func expectClose(_ actual: [Float], _ expected: [Float], _ label: String = "", relative: Float = 1e-4,
                 absolute: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(label): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        #expect(abs(a - e) <= max(absolute, relative * abs(e)), "\(label)[\(i)]: \(a) vs \(e)", sourceLocation: sourceLocation)
    }
}
