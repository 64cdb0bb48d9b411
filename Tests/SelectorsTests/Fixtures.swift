import Foundation
import NumpyIO
import Testing
import TestSupport

/// Reads the parity fixtures of `shared/parity` (see its README).
enum Fixtures {
    static func npz(_ name: String) throws -> [String: NpyArray] {
        try NpzFile.read(TestSupport.parityFolder.appendingPathComponent("\(name).npz"))
    }

    static func doubles(_ archive: [String: NpyArray], _ key: String) throws -> [Double] {
        try #require(archive[key], "missing \(key)").float64Values()
    }

    static func scalar(_ archive: [String: NpyArray], _ key: String) throws -> Double {
        try #require(try doubles(archive, key).first)
    }
}

/// |a − b| ≤ 1e-5 + 1e-4·|b| elementwise (the parity README's tolerance).
func close(_ a: [Double], _ b: [Double], relative: Double = 1e-4, absolute: Double = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= absolute + relative * abs($1) }
}

func close(_ a: Double, _ b: Double, relative: Double = 1e-4, absolute: Double = 1e-5) -> Bool {
    close([a], [b], relative: relative, absolute: absolute)
}

extension Array where Element == Float {
    var doubles: [Double] { map(Double.init) }
}
