import Foundation
import Stratification
import TestSupport
import Testing

/// The `split` executable: outputs, determinism, and clear errors with non-zero exits.
struct SplitCommandTests {
    /// A dataset folder holding `labels.npy` for `matrix` (and optionally a `features.npy` with `featureRows` rows).
    static func dataset(_ matrix: LabelMatrix, featureRows: Int? = nil) throws -> URL {
        let folder = TestSupport.temporaryFolder("split-dataset")
        var dense = [UInt8](repeating: 0, count: matrix.rows * matrix.labels)
        for row in 0..<matrix.rows { for label in matrix.labels(ofRow: row) { dense[row * matrix.labels + Int(label)] = 1 } }
        try TinyNpy.write(dense, descriptor: "|u1", shape: [matrix.rows, matrix.labels], to: folder.appendingPathComponent("labels.npy"))
        if let featureRows {
            try TinyNpy.write([UInt8](repeating: 0, count: featureRows * 3 * 4), descriptor: "<f4", shape: [featureRows, 3],
                              to: folder.appendingPathComponent("features.npy"))
        }
        return folder
    }

    @Test func writesDeterministicArtifacts() throws {
        let input = try Self.dataset(Fixtures.music, featureRows: 592)
        let first = TestSupport.temporaryFolder("split-out"), second = TestSupport.temporaryFolder("split-out")
        for output in [first, second] {
            let result = try TestSupport.runProduct("split", ["--dataset", input.path, "--output", output.path, "--seed", "3", "--order", "2"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.json").path))
        }
        for name in ["folds.npy", "roles.npy", "split-report.json"] {
            let a = try Data(contentsOf: first.appendingPathComponent(name)), b = try Data(contentsOf: second.appendingPathComponent(name))
            #expect(a == b, "\(name) differs between identical runs")
        }
        let folds = try TinyNpy.read(first.appendingPathComponent("folds.npy"))
        #expect(folds.header.contains("'<i4'") && folds.header.contains("(592,)"))
        let roles = try TinyNpy.read(first.appendingPathComponent("roles.npy"))
        #expect(roles.header.contains("'|u1'") && roles.header.contains("(5, 592)"))
        let fold = TinyNpy.int32s(folds.data)
        for row in 0..<592 {
            for f in 0..<5 { #expect((roles.data[f * 592 + row] != 0) == (fold[row] == Int32(f))) }
        }
        let report = try JSONDecoder().decode(SplitReport.self, from: Data(contentsOf: first.appendingPathComponent("split-report.json")))
        #expect(report.measures.FLZ == report.measures.FLZ_lower_bound && report.measures.FLPZ != nil)
        #expect(report.parts.map(\.size) == (0..<5).map { f in fold.filter { $0 == Int32(f) }.count })
    }

    /// The authors' label filter: labels with that many or fewer positives in the whole dataset are
    /// dropped before the folds are made; the kept columns and the dropped names are recorded.
    @Test func labelFilterDropsRareLabelsBeforeTheFolds() throws {
        // Label positives: 0 → 7 rows, 1 → 2 rows, 2 → 6 rows (of 10).
        let input = try Self.dataset(Fixtures.matrix(["101", "101", "111", "101", "111", "100", "001", "100", "000", "000"]))
        let output = TestSupport.temporaryFolder("split-out")
        let result = try TestSupport.runProduct("split", ["--dataset", input.path, "--output", output.path, "--folds", "2",
                                                          "--drop-labels-at-most", "2"])
        #expect(result.status == 0, "\(result.standardError)")
        let kept = try TinyNpy.read(output.appendingPathComponent("labels-kept.npy"))
        #expect(kept.header.contains("'<i4'") && TinyNpy.int32s(kept.data) == [0, 2])
        let report = try JSONDecoder().decode(SplitReport.self, from: Data(contentsOf: output.appendingPathComponent("split-report.json")))
        #expect(report.labels == 2 && report.labelFilter?.dropped.map(\.label) == [1] && report.labelFilter?.dropped.first?.positives == 2)
        let unfiltered = TestSupport.temporaryFolder("split-out")
        #expect(try TestSupport.runProduct("split", ["--dataset", input.path, "--output", unfiltered.path, "--folds", "2"]).status == 0)
        #expect(TinyNpy.int32s(try TinyNpy.read(unfiltered.appendingPathComponent("labels-kept.npy")).data) == [0, 1, 2])
        try Self.expectFailure(["--drop-labels-at-most", "7"], dataset: input, status: 1, mentions: "7")
    }

    @Test func holdoutMode() throws {
        let input = try Self.dataset(Fixtures.music)
        let output = TestSupport.temporaryFolder("split-out")
        let result = try TestSupport.runProduct("split", ["--dataset", input.path, "--output", output.path, "--holdout", "0.2"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try TinyNpy.read(output.appendingPathComponent("roles.npy")).header.contains("(1, 592)"))
        let fold = TinyNpy.int32s(try TinyNpy.read(output.appendingPathComponent("folds.npy")).data)
        #expect(abs(Double(fold.filter { $0 == 0 }.count) - 592 * 0.2) <= 3 && fold.allSatisfy { $0 == 0 || $0 == -1 })
    }

    /// Runs `split` expecting failure: the exit status, `error:` on stderr with `fragment`, no manifest.
    static func expectFailure(_ arguments: [String], dataset: URL, status: Int32, mentions fragment: String) throws {
        let output = TestSupport.temporaryFolder("split-out")
        let result = try TestSupport.runProduct("split", ["--dataset", dataset.path, "--output", output.path] + arguments)
        #expect(result.status == status, "\(result.standardError)")
        #expect(result.standardError.lowercased().contains("error"))
        #expect(result.standardError.contains(fragment), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.json").path))
    }

    @Test func badInputs() throws {
        let six = try Self.dataset(Fixtures.matrix(["10", "01", "11", "10", "01", "10"]))
        try Self.expectFailure(["--folds", "10"], dataset: six, status: 1, mentions: "--folds 10 exceeds the 6 instances")
        try Self.expectFailure(["--folds", "1"], dataset: six, status: 64, mentions: "invalid --folds '1': expected an integer ≥ 2")
        try Self.expectFailure(["--order", "3"], dataset: six, status: 64, mentions: "invalid --order '3': expected an integer in [1, 2]")
        try Self.expectFailure(["--validation", "1.5"], dataset: six, status: 64, mentions: "invalid --validation '1.5': expected a number in (0, 1)")
        let zeros = try Self.dataset(Fixtures.matrix(["00", "00", "00", "00", "00", "00"]))
        try Self.expectFailure([], dataset: zeros, status: 1, mentions: "no positive entry")
        let empty = TestSupport.temporaryFolder("split-dataset")
        try Self.expectFailure([], dataset: empty, status: 1, mentions: "labels.npy: file not found")
        let mismatched = try Self.dataset(Fixtures.music, featureRows: 500)
        try Self.expectFailure([], dataset: mismatched, status: 1, mentions: "features.npy")
        let wrongType = TestSupport.temporaryFolder("split-dataset")
        try TinyNpy.write([UInt8](repeating: 0, count: 24), descriptor: "<f4", shape: [3, 2], to: wrongType.appendingPathComponent("labels.npy"))
        try Self.expectFailure([], dataset: wrongType, status: 1, mentions: "expected uint8")
        let oneDimensional = TestSupport.temporaryFolder("split-dataset")
        try TinyNpy.write([1, 0, 1], descriptor: "|u1", shape: [3], to: oneDimensional.appendingPathComponent("labels.npy"))
        try Self.expectFailure([], dataset: oneDimensional, status: 1, mentions: "not 2-D")
        let nonBinary = TestSupport.temporaryFolder("split-dataset")
        try TinyNpy.write([1, 0, 2, 1], descriptor: "|u1", shape: [2, 2], to: nonBinary.appendingPathComponent("labels.npy"))
        try Self.expectFailure([], dataset: nonBinary, status: 1, mentions: "must be 0 or 1")
    }
}
