import SeededRandom
import Testing
@testable import Tensors
import TestSupport
import TensorTestSupport

@Suite struct OperationGradientTests {
    @Test(arguments: ["exp", "log", "sigmoid", "softplus", "relu", "leakyRelu", "sqrt", "square", "reciprocal", "negate", "scale",
                            "addScalar"])
    func unary(_ name: String) {
        let op: UnaryOp = switch name {
        case "exp": .exp
        case "log": .log
        case "sigmoid": .sigmoid
        case "softplus": .softplus
        case "relu": .relu
        case "leakyRelu": .leakyRelu(slope: 0.1)
        case "sqrt": .sqrt
        case "square": .square
        case "reciprocal": .reciprocal
        case "negate": .negate
        case "scale": .scale(-1.5)
        default: .addScalar(2)
        }
        let positiveOnly = name == "log" || name == "sqrt" || name == "reciprocal"
        let x = randomParameter([3, 4], seed: 1, positive: positiveOnly)
        checkGradients([x]) { $0.unary(op, x) }
    }

    @Test(arguments: [BinaryOp.add, .subtract, .multiply, .divide])
    func broadcastBinary(_ op: BinaryOp) {
        let cases: [([Int], [Int])] = [([2, 3, 4], [2, 3, 4]), ([2, 1, 4], [1, 3, 4]), ([2, 3, 4], [4]), ([2, 3], [1]),
                                       ([3, 1], [1, 4])]
        for (index, (sa, sb)) in cases.enumerated() {
            let a = randomParameter(sa, seed: 10 + index)
            let b = randomParameter(sb, seed: 20 + index, positive: op == .divide)
            checkGradients([a, b]) { $0.binary(op, a, b) }
        }
    }

    @Test func broadcastValues() {
        let graph = Graph(recordsGradients: false)
        let a = Tensor([1, 2], shape: [2, 1, 1]), b = Tensor([10, 20, 30], shape: [1, 3, 1])
        let c = graph.add(a, b)
        #expect(c.shape == [2, 3, 1])
        #expect(c.values == [11, 21, 31, 12, 22, 32])
        let d = graph.multiply(Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), Tensor([1, 10, 100], shape: [3]))
        #expect(d.values == [1, 20, 300, 4, 50, 600])
    }

    @Test func matmulAllTranspositions() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomParameter(ta ? [4, 3] : [3, 4], seed: 30)
            let b = randomParameter(tb ? [5, 4] : [4, 5], seed: 31)
            checkGradients([a, b]) { $0.matmul(a, b, transposeA: ta, transposeB: tb) }
        }
        let graph = Graph(recordsGradients: false)
        let c = graph.matmul(Tensor([1, 2, 3, 4], shape: [2, 2]), Tensor([5, 6, 7, 8], shape: [2, 2]))
        #expect(c.values == [19, 22, 43, 50])
    }

    @Test func linearOnBatchedInput() {
        let x = randomParameter([2, 3, 4], seed: 40), w = randomParameter([5, 4], seed: 41), b = randomParameter([5], seed: 42)
        checkGradients([x, w, b]) { $0.linear(x, weight: w, bias: b) }
        let graph = Graph(recordsGradients: false)
        let y = graph.linear(Tensor([1, 2], shape: [1, 2]), weight: Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2]),
                             bias: Tensor([0.5, 0, -1], shape: [3]))
        #expect(y.values == [1.5, 2, 2])
    }

    @Test func groupedLinear() {
        let z = randomParameter([2, 3, 4], seed: 50), w = randomParameter([3, 4], seed: 51), c = randomParameter([3], seed: 52)
        checkGradients([z, w, c]) { $0.groupedLinear(z, weight: w, bias: c) }
    }

    @Test func reductions() {
        let x = randomParameter([2, 3, 4], seed: 60)
        for axis in 0..<3 {
            checkGradients([x]) { $0.sum(x, axis: axis) }
            checkGradients([x]) { $0.mean(x, axis: axis, keepDims: true) }
        }
        checkGradients([x]) { $0.sumAll(x) }
        checkGradients([x]) { $0.meanAll(x) }
        let graph = Graph(recordsGradients: false)
        #expect(graph.sum(Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), axis: 0).values == [5, 7, 9])
        #expect(graph.mean(Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), axis: 1).values == [2, 5])
    }

    @Test func shapes() {
        let x = randomParameter([2, 3], seed: 70), y = randomParameter([2, 2], seed: 71)
        checkGradients([x]) { $0.square($0.reshape(x, [3, 2])) }
        checkGradients([x]) { $0.expand($0.reshape(x, [2, 1, 3]), to: [2, 4, 3]) }
        checkGradients([x, y]) { $0.concat([x, y], axis: 1) }
        let a = randomParameter([2, 3, 2], seed: 72), b = randomParameter([2, 1, 2], seed: 73)
        checkGradients([a, b]) { $0.concat([a, b], axis: 1) }
        checkGradients([x]) { $0.gatherRows(x, [1, 0, 1]) }
        let graph = Graph(recordsGradients: false)
        let joined = graph.concat([Tensor([1, 2, 3, 4], shape: [2, 2]), Tensor([9, 8], shape: [2, 1])], axis: 1)
        #expect(joined.values == [1, 2, 9, 3, 4, 8])
        #expect(graph.gatherRows(Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2]), [2, 0]).values == [5, 6, 1, 2])
    }

    @Test func normsAndCosineSimilarity() {
        let x = randomParameter([3, 4], seed: 80)
        checkGradients([x]) { $0.rowNorms(x) }
        checkGradients([x]) { $0.columnNorms(x) }
        checkGradients([x]) { $0.cosineSimilarity(x) }
        let graph = Graph(recordsGradients: false)
        let similarity = graph.cosineSimilarity(Tensor([3, 4, 6, 8, 0, 1], shape: [3, 2]), epsilon: 0)
        #expect(abs(similarity.values[1] - 1) < 1e-6)
        #expect(abs(similarity.values[2] - 0.8) < 1e-6)
        #expect(graph.rowNorms(Tensor([3, 4], shape: [1, 2])).values == [5])
    }

    @Test func dropoutTrainingAndEvaluation() {
        let x = randomParameter([40, 50], seed: 90)
        var generator = SeededGenerator(seed: 3)
        let graph = Graph()
        let y = graph.dropout(x, p: 0.25, training: true, generator: &generator)
        var zeros = 0
        for i in 0..<y.count {
            if y.data[i] == 0 { zeros += 1 } else { #expect(abs(y.data[i] - x.data[i] / 0.75) < 1e-6) }
        }
        #expect(abs(Double(zeros) / 2000 - 0.25) < 0.04)
        graph.backward(y)
        for i in 0..<y.count { #expect(x.gradientValues[i] == (y.data[i] == 0 ? 0 : 1 / 0.75)) }
        let same = graph.dropout(x, p: 0.25, training: false, generator: &generator)
        #expect(same === x)
    }

    @Test func straightThroughThreshold() {
        let x = Tensor.parameter([0.2, 0.7, 0.5, 0.9], shape: [4])
        let graph = Graph()
        let y = graph.straightThroughThreshold(x)
        #expect(y.values.map { $0.rounded() } == [0, 1, 0, 1])
        for (value, expected) in zip(y.values, [Float(0), 1, 0, 1]) { #expect(abs(value - expected) < 1e-7) }
        graph.backward(y, seed: [1, 2, 3, 4])
        #expect(x.gradientValues == [1, 2, 3, 4])
    }

    @Test func noGradientModeRecordsNothingAndReusesBuffers() {
        let w = randomParameter([8, 8], seed: 95)
        let pool = BufferPool()
        for _ in 0..<3 {
            let graph = Graph(recordsGradients: false, pool: pool)
            let y = graph.relu(graph.matmul(w, w))
            #expect(!y.requiresGrad)
            #expect(graph.tapeLength == 0)
        }
        let held = pool.heldBytes
        for _ in 0..<3 {
            let graph = Graph(recordsGradients: false, pool: pool)
            _ = graph.relu(graph.matmul(w, w))
        }
        #expect(pool.heldBytes == held)
    }

    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let x = Tensor.parameter([1, 2], shape: [2])
        for _ in 0..<2 {
            let graph = Graph()
            graph.backward(graph.sumAll(graph.scale(x, by: 3)))
        }
        #expect(x.gradientValues == [6, 6])
        x.zeroGrad()
        #expect(x.gradientValues == [0, 0])
    }
}

@Suite struct ColumnBlockLinearTests {
    @Test func gradientAndEqualityWithConcatenation() {
        let a = randomParameter([3, 2], seed: 100), b = randomParameter([3, 4], seed: 101)
        let w = randomParameter([5, 6], seed: 102), c = randomParameter([5], seed: 103)
        checkGradients([a, w, c]) { $0.linear(a, weight: w, columns: 0..<2, bias: c) }
        checkGradients([b, w]) { $0.linear(b, weight: w, columns: 2..<6, bias: nil) }
        let graph = Graph(recordsGradients: false)
        let whole = graph.linear(graph.concat([a, b], axis: 1), weight: w, bias: c)
        let parts = graph.add(graph.linear(a, weight: w, columns: 0..<2, bias: c), graph.linear(b, weight: w, columns: 2..<6, bias: nil))
        expectClose(parts.values, whole.values)
    }
}
