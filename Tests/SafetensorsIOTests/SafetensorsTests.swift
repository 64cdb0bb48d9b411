import Artifacts
import Foundation
import NumpyIO
import Testing
import TestSupport
@testable import SafetensorsIO

@Suite struct SafetensorsTests {
    private let tensors: [(name: String, array: NpyArray)] = [
        ("layers.0.weight", NpyArray([Float(1), -2, 3.5, 4, 5, 6], shape: [2, 3])),
        ("layers.0.bias", NpyArray([Float(0.25), -0.75], shape: [2])),
        ("step", NpyArray([Int64(7)], shape: [])),
        ("mask", NpyArray([UInt8(1), 0, 1], shape: [3])),
    ]

    @Test func layoutFollowsTheFormat() throws {
        let url = TestSupport.temporaryFolder("safetensors").appendingPathComponent("m.safetensors")
        try SafetensorsFile.write(tensors, metadata: ["format": "pt"], to: url)
        let bytes = Array(try Data(contentsOf: url))
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        #expect(headerLength % 8 == 0, "data must start 8-byte aligned")
        #expect(bytes[8] == UInt8(ascii: "{"))
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix(#"{"__metadata__":{"format":"pt"},"layers.0.bias":{"data_offsets":[24,32],"dtype":"F32","shape":[2]}"#))
        #expect(header.contains(#""step":{"data_offsets":[32,40],"dtype":"I64","shape":[]}"#))
        #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        // 6 + 2 float32, one int64, three uint8: 24 + 8 + 8 + 3 bytes of data, in the given order.
        #expect(bytes.count == 8 + headerLength + 43)
        #expect(Array(bytes[(8 + headerLength)..<(8 + headerLength + 4)]) == [0, 0, 0x80, 0x3F])  // 1.0f little-endian
    }

    @Test func readBackGivesTheSameArrays() throws {
        let url = TestSupport.temporaryFolder("safetensors").appendingPathComponent("m.safetensors")
        try SafetensorsFile.write(tensors, metadata: ["format": "pt"], to: url)
        let header = try SafetensorsFile.readHeader(url)
        #expect(header.metadata == ["format": "pt"])
        #expect(header.entries.map(\.name) == tensors.map(\.name))
        #expect(header.entries.map(\.dtype) == ["F32", "F32", "I64", "U8"])
        #expect(header.entries.map(\.shape) == [[2, 3], [2], [], [3]])
        let arrays = try SafetensorsFile.read(url)
        for (name, array) in tensors {
            #expect(arrays[name]?.header == array.header && arrays[name]?.bytes == array.bytes, "\(name)")
        }
    }

    @Test func malformedFilesAreRejectedWithTheReason() throws {
        let folder = TestSupport.temporaryFolder("safetensors")
        func file(_ json: String, dataBytes: Int) throws -> URL {
            let url = folder.appendingPathComponent("\(UUID().uuidString).safetensors")
            let header = Array(json.utf8)
            let length = (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) }
            try Data(length + header + [UInt8](repeating: 0, count: dataBytes)).write(to: url)
            return url
        }
        let cases: [(String, Int, String)] = [
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, 16, "hole or an overlap"),
            (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, "does not fit data_offsets"),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 12, "the file holds 12"),
            (#"{"a":{"dtype":"F32","shape":[2]}}"#, 0, "lacks dtype, shape or data_offsets"),
            (#"[1, 2]"#, 0, "not a JSON object"),
            // Sizes that overflow 64 bits (the arithmetic trapped): a shape's byte count, an offsets' difference.
            (#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#, 0, "does not fit data_offsets"),
            (#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[-9223372036854775807,9223372036854775807]}}"#, 0, "does not fit data_offsets"),
        ]
        for (json, dataBytes, reason) in cases {
            let url = try file(json, dataBytes: dataBytes)
            do {
                _ = try SafetensorsFile.readHeader(url)
                Issue.record("accepted \(json)")
            } catch let error as ArtifactError {
                #expect(error.description.contains(url.path) && error.description.contains(reason), "\(error)")
            }
        }
        let short = folder.appendingPathComponent("short.safetensors")
        try Data([1, 2, 3]).write(to: short)
        #expect(throws: ArtifactError.self) { try SafetensorsFile.readHeader(short) }
    }

    /// The Python `safetensors` package reads our file to the same values (skipped where it is not installed).
    @Test(.enabled(if: TestSupport.pythonCanImport("safetensors.numpy"), "needs the Python package safetensors (pip install safetensors)"))
    func pythonSafetensorsReadsOurFile() throws {
        let url = TestSupport.temporaryFolder("safetensors").appendingPathComponent("m.safetensors")
        try SafetensorsFile.write(tensors, metadata: ["format": "pt"], to: url)
        let result = try TestSupport.python("""
            import sys
            from safetensors import safe_open
            from safetensors.numpy import load_file
            t = load_file(sys.argv[1])
            assert t['layers.0.weight'].dtype.name == 'float32' and t['layers.0.weight'].tolist() == [[1, -2, 3.5], [4, 5, 6]], t
            assert t['layers.0.bias'].tolist() == [0.25, -0.75] and t['step'].shape == () and int(t['step']) == 7
            assert t['mask'].dtype.name == 'uint8' and t['mask'].tolist() == [1, 0, 1]
            with safe_open(sys.argv[1], framework='numpy') as f:
                assert f.metadata() == {'format': 'pt'}, f.metadata()
            print('ok')
            """, [url.path])
        #expect(result.status == 0 && result.standardOutput.hasPrefix("ok"), "\(result.standardError)")
    }
}
