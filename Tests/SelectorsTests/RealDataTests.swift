import Foundation
import Selectors
import Testing
import TestSupport

/// hard-imbalance on real data: emotions (MEKA `Music.arff` from the mirror: 592 rows, 6 labels
/// first, 71 normalised features), against an independent NumPy brute-force computation.
@Suite struct RealDataTests {
    static let arff = TestSupport.datasetsMirror.appendingPathComponent("meka/Music.arff")

    /// The dense MEKA ARFF rows: labels [n, 6] and features [n, 71].
    static func load() throws -> (labels: [UInt8], features: [Float], n: Int) {
        let text = try String(contentsOf: arff, encoding: .utf8)
        let body = try #require(text.range(of: "@data")).upperBound
        var labels: [UInt8] = [], features: [Float] = [], n = 0
        for line in text[body...].split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: ",")
            #expect(fields.count == 77)
            for field in fields[0..<6] { labels.append(field == "1" ? 1 : 0) }
            for field in fields[6...] { features.append(try #require(Float(field))) }
            n += 1
        }
        return (labels, features, n)
    }

    static let reference = """
    import sys, json, numpy as np
    text = open(sys.argv[1]).read().split("@data", 1)[1]
    rows = np.array([[float(v) for v in l.split(",")] for l in text.splitlines() if l.strip()])
    Y, X = rows[:, :6].astype(int), rows[:, 6:].astype(np.float32).astype(np.float64)
    n, q = Y.shape
    N = Y.sum(0); ir = N.max() / N; minority = ir > ir.mean()
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1); np.fill_diagonal(D, np.inf)
    nn = np.argsort(D, axis=1, kind="stable")[:, :5]
    c = np.zeros((n, q))
    for j in np.flatnonzero(minority):
        pos = Y[:, j] == 1
        c[pos, j] = (Y[nn[pos], j] == 0).mean(1)
    c[(c <= 0) | (c >= 1)] = 0
    total = c.sum(0)
    a = 1 + (c / np.where(total > 0, total, 1)).sum(1)
    print(json.dumps({"minority": minority.tolist(), "a": a.tolist()}))
    """

    @Test func imbalanceWeightsMatchNumPy() throws {
        let (labels, features, n) = try Self.load()
        #expect(n == 592)
        let result = try TestSupport.python(Self.reference, [Self.arff.path])
        #expect(result.status == 0, "\(result.standardError)")
        struct Reference: Decodable { var minority: [Bool]; var a: [Double] }
        let expected = try JSONDecoder().decode(Reference.self, from: Data(result.standardOutput.utf8))
        #expect(ImbalanceWeights.minorityLabels(labels: labels, sampleCount: n, labelCount: 6) == expected.minority)
        let a = ImbalanceWeights.weights(labels: labels, sampleCount: n, labelCount: 6, features: features, featureCount: 71)
        #expect(a.contains { $0 > 1 }, "some minority positives are hard")
        #expect(close(a.doubles, expected.a))
    }
}
