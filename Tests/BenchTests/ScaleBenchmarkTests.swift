import Testing
@testable import bench

/// `bench scale` (issue 24): its exponent fit on hand-computed points, and the structure of one
/// small measured cell (no timings are checked).
@Suite struct ScaleBenchmarkTests {
    /// y = 3·x − 1 at x = 0, 1, 2: slope 3. Points (0, 1), (1, 2), (2, 6): means 1 and 3, covariance
    /// (−1)(−2) + 0 + (1)(3) = 5 over variance 2: slope 2.5. One point or equal x: no slope.
    @Test func slopeIsTheLeastSquaresFit() throws {
        #expect(ScaleBenchmark.slope(x: [0, 1, 2], y: [-1, 2, 5]) == 3)
        #expect(ScaleBenchmark.slope(x: [0, 1, 2], y: [1, 2, 6]) == 2.5)
        #expect(ScaleBenchmark.slope(x: [1], y: [1]) == nil)
        #expect(ScaleBenchmark.slope(x: [2, 2], y: [1, 3]) == nil)
    }

    /// Seconds that grow as n² and q^0.5 give exponents 2 and 0.5 from the cells' medians.
    @Test func exponentsOfTheCells() throws {
        func cell(_ n: Int, _ q: Int) -> ScaleBenchmark.Cell {
            let seconds = Double(n * n) * Double(q).squareRoot() * 1e-9
            let components = ScaleBenchmark.componentNames.map {
                ScaleBenchmark.Component(name: $0, seconds: [seconds, 3 * seconds, seconds], wallSeconds: [seconds], megabytes: 0)
            }
            return ScaleBenchmark.Cell(rows: n, labels: q, features: 1, hidden: 1, windowEpochSeconds: [], predictSeconds: [],
                                       epochSeconds: [seconds], components: components, windowBytes: 0)
        }
        let exponents = ScaleBenchmark.exponents([cell(100, 4), cell(200, 4), cell(100, 16), cell(200, 16), cell(400, 16)])
        #expect(exponents.map(\.against) == ["n", "n", "q", "q", "q"] && exponents.map(\.at) == [4, 16, 100, 200, 400])
        for name in ["epoch"] + ScaleBenchmark.componentNames {
            #expect(abs(exponents[0].slopes[name]! - 2) < 1e-9 && abs(exponents[1].slopes[name]! - 2) < 1e-9)
            #expect(abs(exponents[2].slopes[name]! - 0.5) < 1e-9 && abs(exponents[3].slopes[name]! - 0.5) < 1e-9)
        }
        #expect(exponents[4].slopes.isEmpty)
    }

    /// One tiny cell: every component measured once per round, the window's size, one epoch per round.
    @Test func measuresEveryComponentOfACell() throws {
        let cell = try ScaleBenchmark.measure(rows: 300, labels: 12, features: 10, hidden: 8, cardinality: 2, window: 3, rounds: 2, threads: 1)
        #expect(cell.rows == 300 && cell.labels == 12 && cell.features == 10 && cell.hidden == 8)
        #expect(cell.components.map(\.name) == ScaleBenchmark.componentNames)
        #expect(cell.components.allSatisfy { $0.seconds.count == 2 && $0.wallSeconds.count == 2 && $0.seconds.allSatisfy { $0 >= 0 } })
        #expect(cell.windowEpochSeconds.count == 3 && cell.predictSeconds.count == 3 && cell.epochSeconds.count == 2)
        #expect(cell.windowBytes == 3 * 300 * 12 * 4)
    }
}
