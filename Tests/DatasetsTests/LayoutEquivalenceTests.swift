import Formats
import Datasets
import Foundation
import Testing

/// The Mulan and MEKA versions of the same data must load to the same matrices up to column order.
@Suite struct LayoutEquivalenceTests {
    /// Column `j` of a row-major [n, width] matrix, as bit patterns (exact comparison).
    private func column(_ values: [Float], width: Int, _ j: Int, n: Int) -> [UInt64] {
        (0..<n).map { UInt64(values[$0 * width + j].bitPattern) }
    }

    /// For each column of `a` the index of an identical, not yet used column of `b`; nil if some column has no twin.
    private func columnMatching(_ a: [[UInt64]], _ b: [[UInt64]]) -> [Int]? {
        var pool: [[UInt64]: [Int]] = [:]
        for (index, values) in b.enumerated() { pool[values, default: []].append(index) }
        var matching: [Int] = []
        for values in a {
            guard var candidates = pool[values], !candidates.isEmpty else { return nil }
            matching.append(candidates.removeFirst())
            pool[values] = candidates
        }
        return matching
    }

    private func expectSameUpToColumnOrder(_ mulan: String, _ meka: String) throws {
        let a = try Fixtures.fetch(mulan)
        let b = try Fixtures.fetch(meka)
        #expect(a.n == b.n && a.d == b.d && a.q == b.q)
        let featuresA = (0..<a.d).map { column(a.features, width: a.d, $0, n: a.n) }
        let featuresB = (0..<b.d).map { column(b.features, width: b.d, $0, n: b.n) }
        let labelsA = (0..<a.q).map { j in (0..<a.n).map { UInt64(a.labels[$0 * a.q + j]) } }
        let labelsB = (0..<b.q).map { j in (0..<b.n).map { UInt64(b.labels[$0 * b.q + j]) } }
        #expect(columnMatching(featuresA, featuresB) != nil, "\(mulan) and \(meka): feature columns differ")
        #expect(columnMatching(labelsA, labelsB) != nil, "\(mulan) and \(meka): label columns differ")
    }

    @Test func scene() throws { try expectSameUpToColumnOrder("scene", "scene-meka") }

    @Test func enron() throws {
        try expectSameUpToColumnOrder("enron", "enron-meka")
        // Enron's MEKA file shuffles the attributes but keeps the names: match them by name too.
        let a = try Fixtures.fetch("enron")
        let b = try Fixtures.fetch("enron-meka")
        #expect(Set(a.meta.featureNames) == Set(b.meta.featureNames) && Set(a.meta.labelNames) == Set(b.meta.labelNames))
        let position = Dictionary(uniqueKeysWithValues: b.meta.featureNames.enumerated().map { ($1, $0) })
        var same = true
        for (j, name) in a.meta.featureNames.enumerated() {
            let k = position[name]!
            for i in 0..<a.n where a.features[i * a.d + j] != b.features[i * b.d + k] { same = false }
        }
        #expect(same)
    }

    /// MEKA's Music is not a plain re-layout of Mulan's emotions: it lacks emotions row 216
    /// (1-based; label set {sad-lonely}) and the feature BH_HighLowRatio, and every other feature
    /// is min-max scaled to [0, 1] and printed with 6 decimals. With that mapping applied, the
    /// matrices agree: labels exactly, features to 1e-6.
    @Test func emotionsAndMusic() throws {
        let emotions = try Fixtures.fetch("emotions")
        let music = try Fixtures.fetch("music")
        let droppedRow = 215
        let droppedFeature = try #require(emotions.meta.featureNames.firstIndex(of: "BH_HighLowRatio"))
        #expect(emotions.n == music.n + 1 && emotions.d == music.d + 1 && emotions.q == music.q)
        let rows = (0..<emotions.n).filter { $0 != droppedRow }
        let features = (0..<emotions.d).filter { $0 != droppedFeature }
        #expect(emotions.meta.featureNames.enumerated().filter { $0.offset != droppedFeature }.map(\.element) == music.meta.featureNames)
        var labelsEqual = true
        for (i, row) in rows.enumerated() {
            for j in 0..<music.q where emotions.labels[row * emotions.q + j] != music.labels[i * music.q + j] { labelsEqual = false }
        }
        #expect(labelsEqual)
        #expect(Array(emotions.labels[(droppedRow * 6)..<(droppedRow * 6 + 6)]) == [0, 0, 0, 0, 1, 0])
        var worst = 0.0
        for (k, feature) in features.enumerated() {
            let values = rows.map { Double(emotions.features[$0 * emotions.d + feature]) }
            let low = values.min()!, high = values.max()!
            for (i, value) in values.enumerated() {
                worst = max(worst, abs((value - low) / (high - low) - Double(music.features[i * music.d + k])))
            }
        }
        #expect(worst < 1e-6, "largest difference \(worst)")
    }
}
