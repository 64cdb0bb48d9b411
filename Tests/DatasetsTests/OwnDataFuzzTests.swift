import Datasets
import Formats
import Foundation
import NumpyIO
import Testing
import TestSupport

/// Deterministically mutated CSV and XMLC files (bytes replaced, inserted and deleted, with the
/// characters their grammars give meaning to) through the whole fetch stage: each must either
/// load to arrays of the shape meta.json states, or fail with a `DatasetError` naming the file —
/// no crash, no other error.
@Suite struct OwnDataFuzzTests {
    static let specials = Array(",;:\"\n\r\t -+.eE0123456789#".utf8) + [0xFF, 0x00]

    static func mutants(of seed: String, count: Int, generator: inout FuzzTests.Generator) -> [[UInt8]] {
        (0..<count).map { _ in
            var bytes = Array(seed.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                let byte = specials.randomElement(using: &generator)!
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: if bytes.count > 1 { bytes.remove(at: position) }
                }
            }
            return bytes
        }
    }

    @Test func mutatedTablesAndXMLCFilesLoadOrFailNamingTheFile() throws {
        var generator = FuzzTests.Generator(state: 22)
        let inputs = Self.mutants(of: TableDataTests.csv, count: 150, generator: &generator).map { ($0, "csv", ["label-prefix": ["tag_"]]) }
            + Self.mutants(of: XMLCDataTests.text, count: 150, generator: &generator).map { ($0, "xmlc", [String: [String]]()) }
        var (loaded, refused) = (0, 0)
        for (index, (bytes, format, extra)) in inputs.enumerated() {
            let file = TestSupport.temporaryFolder("own-fuzz").appendingPathComponent("fuzz-\(index).\(format == "csv" ? "csv" : "txt")")
            try Data(bytes).write(to: file)
            do {
                let fetched = try OwnData.fetch(file, format: format, extra)
                let (n, d, q) = (fetched.meta.statistics.instances, fetched.meta.statistics.features, fetched.meta.statistics.labels)
                #expect(try fetched.array("features.npy").shape == [n, d] && fetched.array("labels.npy").shape == [n, q], "\(file.lastPathComponent)")
                loaded += 1
            } catch let error as DatasetError {
                #expect("\(error)".contains(file.lastPathComponent), "\(file.lastPathComponent): \(error)")
                refused += 1
            }
        }
        print("own-data fuzz: \(inputs.count) inputs, \(loaded) loaded, \(refused) refused naming the file")
        #expect(loaded > 0 && refused > 0)
    }
}
