import Foundation
import SeededRandom
import Formats
import Testing
import TestSupport
@testable import Models
@testable import Tensors

/// A dense MEKA ARFF file whose first `labels` attributes are the 0/1 labels.
struct DenseArff {
    let rows: Int, features: Int, labels: Int
    let x: [Float], y: [Float]

    init(text: String, labels: Int) throws {
        var x: [Float] = [], y: [Float] = []
        var inData = false, width = -1, rows = 0
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("%") { continue }
            if !inData {
                inData = trimmed.lowercased() == "@data"
                continue
            }
            let values = trimmed.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard values.allSatisfy({ $0 != nil }), width == -1 || values.count == width else {
                throw CocoaError(.fileReadCorruptFile)
            }
            width = values.count
            y += values[..<labels].map { $0! }
            x += values[labels...].map { $0! }
            rows += 1
        }
        self.rows = rows
        self.features = width - labels
        self.labels = labels
        self.x = x
        self.y = y
    }

    /// Rows `indices` as (features, labels).
    func take(_ indices: [Int]) -> ([Float], [Float]) {
        var xs: [Float] = [], ys: [Float] = []
        for i in indices {
            xs += x[(i * features)..<((i + 1) * features)]
            ys += y[(i * labels)..<((i + 1) * labels)]
        }
        return (xs, ys)
    }
}

/// Mean over labels with both classes of the rank-based ROC AUC (ties count ½).
func macroAUC(scores: [Float], truth: [Float], rows: Int, labels: Int) -> Double {
    var total = 0.0, counted = 0
    for j in 0..<labels {
        let pairs = (0..<rows).map { (scores[$0 * labels + j], truth[$0 * labels + j]) }.sorted { $0.0 < $1.0 }
        var rankSum = 0.0, positives = 0.0, start = 0
        while start < rows {
            var end = start
            while end + 1 < rows && pairs[end + 1].0 == pairs[start].0 { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for i in start...end where pairs[i].1 == 1 { rankSum += rank; positives += 1 }
            start = end + 1
        }
        let negatives = Double(rows) - positives
        guard positives > 0, negatives > 0 else { continue }
        total += (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
        counted += 1
    }
    return total / Double(counted)
}

/// Trains with shuffled batches of 128 and linear warm-up; returns the mean loss of every epoch.
func train(_ session: TrainingSession, x: [Float], y: [Float], rows: Int, epochs: Int, warmupEpochs: Int) -> [Double] {
    let d = session.model.inputDimension, q = session.model.labelCount
    var generator = SeededGenerator(seed: 8, stream: "test.order")
    let batchesPerEpoch = (rows + 127) / 128
    let warmup = LinearWarmup(warmupSteps: warmupEpochs * batchesPerEpoch)
    var losses: [Double] = [], step = 0
    for _ in 0..<epochs {
        let order = generator.permutation(rows)
        var total = 0.0, start = 0
        while start < rows {
            let batch = Array(order[start..<min(start + 128, rows)])
            var bx: [Float] = [], by: [Float] = []
            for i in batch {
                bx += x[(i * d)..<((i + 1) * d)]
                by += y[(i * q)..<((i + 1) * q)]
            }
            total += Double(session.step(features: bx, targets: by, batchSize: batch.count,
                                         learningRateScale: warmup.factor(step: step))) * Double(batch.count)
            step += 1
            start += 128
        }
        losses.append(total / Double(rows))
    }
    return losses
}

@Suite(.serialized) struct RealDataTests {
    @Test(arguments: ModelKind.allCases)
    func trainingLossFallsOnEmotions(_ name: ModelKind) throws {
        let url = TestSupport.datasetsMirror.appendingPathComponent("meka/Music.arff")
        let data = try DenseArff(text: String(contentsOf: url, encoding: .utf8), labels: 6)
        #expect(data.rows == 592 && data.features == 71)
        let model = try ModelFactory.make(.init(defaultsOf: name), inputDimension: data.features, labelCount: 6, seed: 42)
        let session = TrainingSession(model: model, learningRate: 1e-3, weightDecay: 1e-4)
        let losses = train(session, x: data.x, y: data.y, rows: data.rows, epochs: 6, warmupEpochs: 1)
        #expect(losses.last! < 0.9 * losses.first!, "\(name) losses \(losses)")
    }

    /// Scene (MEKA, 2407 × 294 → 6), fixed 80/20 split, 30 epochs at the published learning
    /// rate 1e-4 with 5 warm-up epochs, both models at their published defaults (clif: width 768).
    @Test(arguments: [(ModelKind.mlp, [String: String]()), (.clif, [String: String]())])
    func sceneMacroAUC(_ name: ModelKind, _ hyper: [String: String]) throws {
        let folder = TestSupport.temporaryFolder()
        let arff = folder.appendingPathComponent("Scene.arff")
        let archive = TestSupport.datasetsMirror.appendingPathComponent("meka/Scene.arff.bz2")
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "bzip2 -dc '\(archive.path)' > '\(arff.path)'"])
        try #require(result.status == 0)
        let data = try DenseArff(text: String(contentsOf: arff, encoding: .utf8), labels: 6)
        #expect(data.rows == 2407 && data.features == 294)
        var generator = SeededGenerator(seed: 42, stream: "test.split")
        let order = generator.permutation(data.rows)
        let cut = data.rows * 8 / 10
        let (trainX, trainY) = data.take(Array(order[..<cut]))
        let (testX, testY) = data.take(Array(order[cut...]))
        let model = try ModelFactory.make(ModelHyperParameters(name, hyper), inputDimension: 294, labelCount: 6, seed: 42)
        let session = TrainingSession(model: model, learningRate: 1e-4, weightDecay: 1e-4)
        let losses = train(session, x: trainX, y: trainY, rows: cut, epochs: 30, warmupEpochs: 5)
        #expect(losses.last! < losses.first!)
        let scores = session.predictProbabilities(features: testX, rows: data.rows - cut)
        let auc = macroAUC(scores: scores, truth: testY, rows: data.rows - cut, labels: 6)
        #expect(auc >= 0.90, "\(name) test Macro-AUC \(auc)")
        print("scene \(name): test Macro-AUC \(auc), loss \(losses.first!) -> \(losses.last!)")
    }

    @Test func macroAUCHandValues() {
        // Label 0: perfect ranking (1); label 1: positives 0.5 and 0.2 against negative 0.5 (½ + 0 over 2 pairs).
        let scores: [Float] = [0.9, 0.5, 0.1, 0.5, 0.8, 0.2]
        let truth: [Float] = [1, 1, 0, 0, 1, 1]
        #expect(abs(macroAUC(scores: scores, truth: truth, rows: 3, labels: 2) - 0.625) < 1e-12)
    }
}
