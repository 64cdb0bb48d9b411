import SeededRandom
import Stratification
import Formats
import Testing

/// Whole splits: partition invariants, roles, determinism, stratification quality, bad requests.
struct SplitTests {
    /// Every instance is held out in exactly one fold; roles mark exactly that fold's validation/test.
    static func checkInvariants(_ split: StratifiedSplit, folds k: Int) {
        #expect(split.heldOutCount == k)
        #expect(split.roles.count == k * split.rows)
        for row in 0..<split.rows {
            let fold = Int(split.folds[row])
            #expect(fold >= 0 && fold < k)
            for f in 0..<k {
                let role = split.roles[f * split.rows + row]
                if f == fold { #expect(role == FoldRole.validation.rawValue || role == FoldRole.test.rawValue) } else { #expect(role == FoldRole.train.rawValue) }
            }
        }
    }

    @Test(arguments: [1, 2])
    func musicFiveFolds(order: Int) throws {
        let music = Fixtures.music
        let split = try StratifiedSplit(labels: music, options: SplitOptions(order: order, seed: 42))
        Self.checkInvariants(split, folds: 5)
        let positives = music.positivesPerLabel()
        for fold in 0..<5 {
            let held = split.rows(of: .validation, fold: fold) + split.rows(of: .test, fold: fold)
            #expect(abs(Double(held.count) - 592.0 / 5) <= 5)
            let validation = split.rows(of: .validation, fold: fold).count
            #expect(abs(Double(validation) - Double(held.count) / 2) <= 3)
            for label in 0..<6 {
                let count = held.filter { music.labels(ofRow: $0).contains(Int32(label)) }.count
                #expect(abs(Double(count) - Double(positives[label]) / 5) <= 2, "fold \(fold) label \(label)")
            }
        }
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() throws {
        let matrix = Fixtures.generated(rows: 300, labels: 10, unlabelled: 20, seed: 5)
        let a = try StratifiedSplit(labels: matrix, options: SplitOptions(order: 2, seed: 7))
        let b = try StratifiedSplit(labels: matrix, options: SplitOptions(order: 2, seed: 7))
        let c = try StratifiedSplit(labels: matrix, options: SplitOptions(order: 2, seed: 8))
        #expect(a.folds == b.folds && a.roles == b.roles)
        #expect(a.folds != c.folds)
    }

    @Test func unlabelledInstancesBalanceFoldSizes() throws {
        let matrix = Fixtures.generated(rows: 97, labels: 4, unlabelled: 200, seed: 2)
        let split = try StratifiedSplit(labels: matrix, options: SplitOptions(folds: 4, seed: 3))
        Self.checkInvariants(split, folds: 4)
        var sizes = [Int](repeating: 0, count: 4)
        for fold in split.folds { sizes[Int(fold)] += 1 }
        #expect(sizes.max()! - sizes.min()! <= 1, "\(sizes)")
    }

    @Test func holdout() throws {
        let music = Fixtures.music
        let split = try StratifiedSplit(labels: music, options: SplitOptions(validationFraction: 0.4, holdoutFraction: 0.25, seed: 1))
        #expect(split.heldOutCount == 1 && split.roles.count == music.rows)
        let held = split.folds.filter { $0 == 0 }.count
        #expect(split.folds.allSatisfy { $0 == 0 || $0 == -1 })
        #expect(abs(Double(held) - 592 * 0.25) <= 3)
        for row in 0..<music.rows { #expect((split.roles[row] == FoldRole.train.rawValue) == (split.folds[row] == -1)) }
        let validation = split.rows(of: .validation, fold: 0).count
        #expect(abs(Double(validation) - Double(held) * 0.4) <= 3)
        let report = SplitReport(labels: music, split: split)
        #expect(report.mode == "holdout" && report.parts.map(\.name) == ["train", "held-out"])
        #expect(report.parts[1].validationSize == validation)
    }

    @Test func badRequests() {
        let music = Fixtures.music
        #expect(throws: StratificationError.tooFewFolds(1)) { try StratifiedSplit(labels: music, options: SplitOptions(folds: 1)) }
        #expect(throws: StratificationError.moreFoldsThanInstances(folds: 600, instances: 592)) {
            try StratifiedSplit(labels: music, options: SplitOptions(folds: 600))
        }
        #expect(throws: StratificationError.unsupportedOrder(3)) { try StratifiedSplit(labels: music, options: SplitOptions(order: 3)) }
        #expect(throws: StratificationError.fractionOutOfRange(name: "--validation", value: 1)) {
            try StratifiedSplit(labels: music, options: SplitOptions(validationFraction: 1))
        }
        #expect(throws: StratificationError.fractionOutOfRange(name: "--holdout", value: 0)) {
            try StratifiedSplit(labels: music, options: SplitOptions(holdoutFraction: 0))
        }
        let zeros = Fixtures.matrix(["000", "000", "000", "000", "000"])
        #expect(throws: StratificationError.noPositiveLabels(instances: 5, labels: 3)) {
            try StratifiedSplit(labels: zeros, options: SplitOptions())
        }
        // 6 instances in 5 folds: some held-out fold has a single instance, so its validation or test part is empty.
        let tiny = Fixtures.matrix(["10", "01", "11", "10", "01", "10"])
        #expect(throws: StratificationError.self) { try StratifiedSplit(labels: tiny, options: SplitOptions()) }
        #expect("\(StratificationError.moreFoldsThanInstances(folds: 600, instances: 592))".contains("--folds"))
    }
}
