import Foundation
import SeededRandom
import Stratification
import TestSupport

/// Label matrices for the tests: the MEKA Music (emotions) file from the mirror and generated ones.
enum Fixtures {
    /// The 6 labels of `meka/Music.arff` (`-C 6`: the first 6 attributes), read by a minimal
    /// dense-ARFF reader: every non-empty line after `@data` is a row of comma-separated values.
    static let music: LabelMatrix = {
        let url = TestSupport.datasetsMirror.appendingPathComponent("meka/Music.arff")
        let text = try! String(contentsOf: url, encoding: .utf8)
        let body = text.components(separatedBy: "@data")[1]
        var dense: [UInt8] = []
        var rows = 0
        for line in body.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            dense.append(contentsOf: line.split(separator: ",").prefix(6).map { UInt8($0)! })
            rows += 1
        }
        return try! LabelMatrix(dense: dense, rows: rows, labels: 6)
    }()

    /// A random n x q matrix whose label j is positive with probability 0.5 / (j + 1) (a long tail),
    /// plus `unlabelled` all-zero rows at the end.
    static func generated(rows: Int, labels: Int, unlabelled: Int = 0, seed: UInt64) -> LabelMatrix {
        var generator = SeededGenerator(seed: seed, stream: "fixture")
        var dense = [UInt8](repeating: 0, count: (rows + unlabelled) * labels)
        for row in 0..<rows {
            for label in 0..<labels where generator.nextDouble() < 0.5 / Double(label + 1) {
                dense[row * labels + label] = 1
            }
        }
        return try! LabelMatrix(dense: dense, rows: rows + unlabelled, labels: labels)
    }

    /// A small dense matrix from rows of 0/1 digits, e.g. `["110", "001"]`.
    static func matrix(_ rows: [String]) -> LabelMatrix {
        let dense = rows.flatMap { $0.map { $0 == "1" ? UInt8(1) : UInt8(0) } }
        return try! LabelMatrix(dense: dense, rows: rows.count, labels: rows.first?.count ?? 0)
    }
}

/// Just enough of the `.npy` format to write inputs and read outputs of the `split` executable
/// (this test target does not link NumpyIO).
enum TinyNpy {
    static func write(_ bytes: [UInt8], descriptor: String, shape: [Int], to url: URL) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: bytes)
        try data.write(to: url)
    }

    /// The header text and the raw data bytes of a format-1.0 file.
    static func read(_ url: URL) throws -> (header: String, data: [UInt8]) {
        let bytes = [UInt8](try Data(contentsOf: url))
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        return (String(decoding: bytes[10..<(10 + length)], as: UTF8.self), Array(bytes[(10 + length)...]))
    }

    static func int32s(_ data: [UInt8]) -> [Int32] {
        stride(from: 0, to: data.count, by: 4).map {
            Int32(bitPattern: UInt32(data[$0]) | UInt32(data[$0 + 1]) << 8 | UInt32(data[$0 + 2]) << 16 | UInt32(data[$0 + 3]) << 24)
        }
    }
}
