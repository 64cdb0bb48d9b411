import Artifacts
import Foundation
import NumpyIO
import Testing
import TestSupport

@Suite struct NpyTests {
    let folder = TestSupport.temporaryFolder("npy-tests")

    @Test func headerIsFormatOnePaddedTo64Bytes() {
        let header = NpyHeader(dtype: .float32, shape: [3, 4])
        let bytes = header.encoded()
        #expect(bytes.count % 64 == 0)
        #expect(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let text = String(decoding: bytes[10...], as: UTF8.self)
        #expect(text.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"))
        #expect(text.hasSuffix("\n"))
        #expect(NpyHeader(dtype: .uint8, shape: [5]).encoded().count % 64 == 0)
    }

    @Test func roundTripsEveryDType() throws {
        let url = folder.appendingPathComponent("a.npy")
        try NpyFile.write([Float(1.5), -2, 3, 4, 5, 6], shape: [2, 3], to: url)
        let floats = try NpyFile.read(url)
        #expect(floats.shape == [2, 3])
        #expect(try floats.values(as: Float.self) == [1.5, -2, 3, 4, 5, 6])
        try NpyFile.write([Int32(7), -8], shape: [2], to: url)
        #expect(try NpyFile.read(url).values(as: Int32.self) == [7, -8])
        try NpyFile.write([UInt8(0), 1, 1], shape: [3], to: url)
        #expect(try NpyFile.read(url).int64Values() == [0, 1, 1])
        try NpyFile.write([Int64(1) << 40], shape: [], to: url)
        let scalar = try NpyFile.read(url)
        #expect(scalar.shape == [] && scalar.count == 1)
        #expect(try scalar.values(as: Int64.self) == [1 << 40])
        try NpyFile.write(NpyArray(float16From: [0.1, 65504, 1e-8, -2], shape: [4]), to: url)
        let halves = try NpyFile.read(url)
        #expect(halves.dtype == .float16)
        #expect(halves.float32Values() == [Float(0.0999755859375), 65504, 0, -2])
        // A wrong dtype request is an error, not a reinterpretation.
        #expect(throws: ArtifactError.self) { try halves.values(as: Float.self) }
    }

    @Test func float16MatchesIEEERounding() {
        // Hand-checked binary16 patterns.
        #expect(Float16Bits.encode(1.0) == 0x3C00)
        #expect(Float16Bits.encode(-2.0) == 0xC000)
        #expect(Float16Bits.encode(65504) == 0x7BFF)
        #expect(Float16Bits.encode(65520) == 0x7C00)  // rounds up to infinity
        #expect(Float16Bits.encode(0x1.0p-24) == 0x0001)  // smallest subnormal
        #expect(Float16Bits.encode(0x1.0p-25) == 0x0000)  // tie rounds to even (zero)
        #expect(Float16Bits.encode(1 + 0x1.0p-11) == 0x3C00)  // tie to even
        #expect(Float16Bits.encode(1 + 3 * 0x1.0p-11) == 0x3C02)  // tie to even (up)
        #expect(Float16Bits.encode(.infinity) == 0x7C00)
        #expect(Float16Bits.decode(Float16Bits.encode(.nan)).isNaN)
        // Every finite half survives a round trip through Float.
        for bits in UInt16(0)...UInt16.max where bits & 0x7C00 != 0x7C00 {
            #expect(Float16Bits.encode(Float16Bits.decode(bits)) == bits)
        }
    }

    @Test func rejectsTruncatedAndForeignFiles() throws {
        let url = folder.appendingPathComponent("bad.npy")
        try NpyFile.write([Float](repeating: 1, count: 100), shape: [10, 10], to: url)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 4).write(to: url)
        #expect(throws: ArtifactError.self) { try NpyFile.read(url) }
        #expect(throws: ArtifactError.self) { try MappedNpyFile(url) }
        try Data("hello world, not numpy".utf8).write(to: url)
        let error = #expect(throws: ArtifactError.self) { try NpyFile.read(url) }
        #expect(error?.description.contains("bad.npy") == true)
    }

    /// A header whose size overflows a 64-bit integer, a float32 shape (2^32, 2^32), is refused as
    /// malformed, naming the file, by every reading path (its size arithmetic used to trap and
    /// kill the process); so are (0, 2^32, 2^32), whose zero hides an overflowing slice, and (2^63 - 1,).
    @Test func overflowingShapeIsRefusedByEveryReader() throws {
        for shape in ["(4294967296, 4294967296)", "(0, 4294967296, 4294967296)", "(9223372036854775807,)"] {
            var text = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
            text += String(repeating: " ", count: 63 - (10 + text.utf8.count) % 64) + "\n"
            let header = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)] + Array(text.utf8)
            let file = Data(header + [UInt8](repeating: 0, count: 64))
            let url = folder.appendingPathComponent("huge.npy")
            try file.write(to: url)
            try file.write(to: NpySliceWriter.partialURL(for: url))
            // An archive whose only member has this header: a valid member's header of the same length, replaced.
            let archive = folder.appendingPathComponent("huge.npz")
            let valid = NpyArray([Float](repeating: 0, count: 16), shape: [16])
            #expect(valid.header.encoded().count == header.count)
            try NpzFile.write([("member", valid)], to: archive)
            var zipped = [UInt8](try Data(contentsOf: archive))
            let at = try #require((0...(zipped.count - header.count)).first { Array(zipped[$0..<($0 + header.count)]) == valid.header.encoded() })
            zipped.replaceSubrange(at..<(at + header.count), with: header)
            try Data(zipped).write(to: archive)
            let errors = [
                #expect(throws: ArtifactError.self) { try NpyFile.read(url) },
                #expect(throws: ArtifactError.self) { try MappedNpyFile(url) },
                #expect(throws: ArtifactError.self) { try NpySliceWriter(resuming: url, dtype: .float32, shape: [1]) },
                #expect(throws: ArtifactError.self) { try NpzFile.read(archive) },
            ]
            for error in errors {
                let message = error?.description ?? ""
                #expect(message.contains("huge.np") && message.contains("overflows"), "\(shape): \(message)")
            }
        }
    }

    /// Issue 20, item 4: a member whose central-directory entry declares 4 GiB uncompressed made
    /// `NpzFile.read` allocate 4 GiB before inflating anything. Sizes are now checked against the
    /// compressed bytes (deflate gives at most 1032 bytes per byte; a stored member, exactly its
    /// size) first, with an error naming the file and the member; an honest deflated member still reads.
    @Test func npzDeclaredSizesAreCheckedBeforeAllocating() throws {
        let archive = folder.appendingPathComponent("crafted.npz")
        let array = NpyArray([Float](repeating: 0.5, count: 64), shape: [8, 8])
        try NpzFile.write([("weights", array)], to: archive)
        let original = [UInt8](try Data(contentsOf: archive))
        let central = try #require((0...(original.count - 4)).first { original[$0..<($0 + 4)] == [0x50, 0x4B, 0x01, 0x02] })
        func craft(method: UInt16, size: UInt32) throws {
            var bytes = original
            bytes.replaceSubrange((central + 10)..<(central + 12), with: withUnsafeBytes(of: method.littleEndian, Array.init))
            bytes.replaceSubrange((central + 24)..<(central + 28), with: withUnsafeBytes(of: size.littleEndian, Array.init))
            try Data(bytes).write(to: archive)
        }
        try craft(method: 8, size: 0xFFFF_FFFF)
        let inflated = #expect(throws: ArtifactError.self) { try NpzFile.read(archive) }
        #expect(inflated?.description.contains("crafted.npz: not a valid .npz archive: member weights.npy declares 4294967295 bytes inflated from") == true,
                "\(String(describing: inflated))")
        try craft(method: 0, size: 0xFFFF_FFFF)
        let stored = #expect(throws: ArtifactError.self) { try NpzFile.read(archive) }
        #expect(stored?.description.contains("crafted.npz: not a valid .npz archive: member weights.npy is stored (not compressed) in") == true,
                "\(String(describing: stored))")
        // numpy.savez_compressed's deflated members read, and a size that deflate could reach but the data does not give is refused.
        let script = "import numpy, sys; numpy.savez_compressed(sys.argv[1], weights=numpy.full((8, 8), 0.5, dtype='<f4'))"
        let python = try TestSupport.python(script, [archive.path])
        try #require(python.status == 0, "\(python.standardError)")
        #expect(try NpzFile.read(archive)["weights"]?.values(as: Float.self, path: archive.path) == [Float](repeating: 0.5, count: 64))
        var deflated = [UInt8](try Data(contentsOf: archive))
        let entry = try #require((0...(deflated.count - 4)).first { deflated[$0..<($0 + 4)] == [0x50, 0x4B, 0x01, 0x02] })
        deflated[entry + 24] &+= 1
        try Data(deflated).write(to: archive)
        let short = #expect(throws: ArtifactError.self) { try NpzFile.read(archive) }
        #expect(short?.description.contains("member weights.npy does not inflate to its declared") == true, "\(String(describing: short))")
    }

    /// A refused map (truncated file) unmaps its mapping once: unmapping it a second time, after
    /// another thread's map had reused the address, made reads through that one crash.
    @Test func refusedMapNeverUnmapsAnotherMapping() throws {
        let truncated = folder.appendingPathComponent("truncated.npy")
        try NpyFile.write([Float](repeating: 1, count: 100), shape: [10, 10], to: truncated)
        let bytes = try Data(contentsOf: truncated)
        try bytes.prefix(bytes.count - 4).write(to: truncated)
        let intact = folder.appendingPathComponent("intact.npy")
        try NpyFile.write([Float](repeating: 2, count: 100), shape: [10, 10], to: intact)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let failures = TestSupport.failedProbes(iterations: 3000, racing: { _ = try? MappedNpyFile(truncated) }, probe: {
            guard let mapped = try? MappedNpyFile(intact), let address = mapped.data.baseAddress else { return false }
            let page = UnsafeMutableRawPointer(bitPattern: Int(bitPattern: address) & ~(pageSize - 1))
            var resident: [UInt8] = [0]
            for _ in 0..<50 where mincore(page, 1, &resident) != 0 { return false }
            return true
        })
        #expect(failures == 0, "\(failures) mappings were unmapped while still in use")
    }

    @Test func mappedReadAndSliceWriterResume() throws {
        let url = folder.appendingPathComponent("history.npy")
        let writer = try NpySliceWriter(creating: url, dtype: .float16, shape: [3, 2, 2])
        try [Float(1), 2, 3, 4].withUnsafeBufferPointer { try writer.write(slice: 0, floats: $0) }
        try writer.synchronize()
        #expect(!FileManager.default.fileExists(atPath: url.path))
        let resumed = try NpySliceWriter(resuming: url, dtype: .float16, shape: [3, 2, 2])
        #expect(throws: ArtifactError.self) { try NpySliceWriter(resuming: url, dtype: .float32, shape: [3, 2, 2]) }
        try [Float(5), 6, 7, 8].withUnsafeBufferPointer { try resumed.write(slice: 1, floats: $0) }
        try [Float(9), 10, 11, 0.5].withUnsafeBufferPointer { try resumed.write(slice: 2, floats: $0) }
        try resumed.finish()
        let mapped = try MappedNpyFile(url)
        #expect(mapped.header.shape == [3, 2, 2])
        var slice = [Float](repeating: 0, count: 4)
        slice.withUnsafeMutableBufferPointer { mapped.readSlice(2, into: $0) }
        #expect(slice == [9, 10, 11, 0.5])
        #expect(try NpyFile.read(url).float32Values() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0.5])
    }

    @Test func npzRoundTripAndParityFixtureLoads() throws {
        let url = folder.appendingPathComponent("params.npz")
        try NpzFile.write([("layers.0.weight", NpyArray([Float(1), 2, 3, 4], shape: [2, 2])),
                           ("layers.0.bias", NpyArray([Float(0.5), -0.5], shape: [2]))], to: url)
        let members = try NpzFile.read(url)
        #expect(Set(members.keys) == ["layers.0.weight", "layers.0.bias"])
        #expect(try members["layers.0.bias"]?.values(as: Float.self) == [0.5, -0.5])
        let parity = TestSupport.parityFolder.appendingPathComponent("selection.npz")
        let fixture = try NpzFile.read(parity)
        #expect(fixture["input/H"]?.shape == [5, 6, 3])
        #expect(fixture["input/H"]?.dtype == .float64)
    }

    /// `scipy.sparse.save_npz` stores the matrix's layout as a byte string (`|S3`), which `read`
    /// cannot decode: `members` gives every member's bytes and `decodeString` reads the string.
    @Test(.enabled(if: TestSupport.pythonCanImport("scipy"), "needs the Python package scipy (pip install scipy)"))
    func scipySparseMembersAndTheirFormatString() throws {
        let url = folder.appendingPathComponent("sparse.npz")
        let script = "import numpy as np, scipy.sparse as sp, sys; sp.save_npz(sys.argv[1], sp.csc_matrix(np.eye(3, dtype=np.float32)))"
        let result = try TestSupport.python(script, [url.path])
        try #require(result.status == 0, "\(result.standardError)")
        #expect(throws: ArtifactError.self) { try NpzFile.read(url) }
        let members = try NpzFile.members(url)
        #expect(Set(members.keys) == ["format", "shape", "indptr", "indices", "data"])
        #expect(try NpyFile.decodeString(members["format"]!, path: "format") == "csc")
        #expect(try NpyFile.decode(members["shape"]!, path: "shape").int64Values() == [3, 3])
        #expect(throws: ArtifactError.malformed(path: "shape", reason: "dtype '<i8' is not a string; expected |S<n> or <U<n>")) {
            try NpyFile.decodeString(members["shape"]!, path: "shape")
        }
    }

    /// NumPy's UTF-32 strings (`<U<n>`), padded with NUL characters, decode too.
    @Test func unicodeStringMembersDecode() throws {
        var header = NpyHeader(dtype: .uint8, shape: []).encoded()
        let descriptor = try #require(header.firstRange(of: Array("|u1".utf8)))
        header.replaceSubrange(descriptor, with: Array("<U4".utf8))
        var text = Data(header)
        for scalar in ["c", "s", "r", "\0"].flatMap({ $0.unicodeScalars }) {
            withUnsafeBytes(of: scalar.value.littleEndian) { text.append(contentsOf: $0) }
        }
        #expect(try NpyFile.decodeString(text, path: "u") == "csr")
    }
}

/// The uint8 encoding of `predictions.npy`: code = round(p · 255), ties to even; p ≈ code / 255.
@Suite struct ProbabilityBytesTests {
    @Test func handComputedCodes() {
        // 0 → 0; 1 → 255; 0.5 · 255 = 127.5, a tie, rounds to the even 128; 0.25 · 255 = 63.75 → 64;
        // 0.002 · 255 = 0.51 → 1; 0.0019 · 255 = 0.4845 → 0; out of range clamps; NaN → 0.
        let cases: [(Float, UInt8)] = [(0, 0), (1, 255), (0.5, 128), (0.25, 64), (0.002, 1), (0.0019, 0),
                                       (0.998, 254), (-0.25, 0), (1.5, 255), (.nan, 0), (.infinity, 255)]
        for (p, code) in cases { #expect(ProbabilityBytes.encode(p) == code, "p = \(p)") }
        // Exact ties: Float(k + 0.5) / 255 times 255 is exactly k + 0.5 for these k; ties go to
        // the even code (rounding half away from zero would give 1, 3, 4).
        for (k, code) in [(0, UInt8(0)), (2, 2), (3, 4)] {
            let p = Float(Double(k) + 0.5) / 255
            #expect(p * 255 == Float(Double(k) + 0.5))
            #expect(ProbabilityBytes.encode(p) == code, "k = \(k)")
        }
        #expect(ProbabilityBytes.decode(0) == 0 && ProbabilityBytes.decode(255) == 1)
        #expect(ProbabilityBytes.decode(128) == Float(128) / 255)
    }

    @Test func everyProbabilityDecodesWithinHalfAStep() {
        var worst: Float = 0
        for i in 0...1_000_000 {
            let p = Float(i) / 1_000_000
            worst = max(worst, abs(ProbabilityBytes.decode(ProbabilityBytes.encode(p)) - p))
        }
        #expect(worst <= ProbabilityBytes.maximumError + 1e-7)
        #expect(worst > ProbabilityBytes.maximumError - 1e-5, "the bound is attained, so it is the right one")
        for code in UInt8.min...UInt8.max { #expect(ProbabilityBytes.encode(ProbabilityBytes.decode(code)) == code) }
    }

    /// NumPy reads the codes as uint8, and np.round(np.float32(p) * 255) (ties to even) gives the same codes.
    @Test func numpyReadsAndRecomputesTheCodes() throws {
        let folder = TestSupport.temporaryFolder("probability-bytes")
        var probabilities = (0..<4096).map { Float($0) / 4095 }
        probabilities += [0.5, 0.25, 0.002, 0.0019, 1e-7, 0.9999999]
        let codes = probabilities.map(ProbabilityBytes.encode)
        try NpyFile.write(probabilities, shape: [probabilities.count], to: folder.appendingPathComponent("p.npy"))
        try NpyFile.write(codes, shape: [codes.count], to: folder.appendingPathComponent("codes.npy"))
        let check = try TestSupport.python("""
            import sys, numpy as np
            p = np.load(sys.argv[1] + '/p.npy'); codes = np.load(sys.argv[1] + '/codes.npy')
            assert codes.dtype == np.uint8, codes.dtype
            expected = np.round(p * np.float32(255)).astype(np.uint8)
            assert np.array_equal(codes, expected), np.flatnonzero(codes != expected)[:5]
            error = np.abs(codes.astype(np.float32) / 255 - p).max()
            assert error <= 1 / 510 + 1e-7, error
            print('ok', codes[-6:].tolist())
            """, [folder.path])
        #expect(check.status == 0, "\(check.standardError)")
        #expect(check.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "ok [128, 64, 1, 0, 0, 255]")
    }
}
