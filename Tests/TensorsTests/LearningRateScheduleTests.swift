import OptimiserChoices
import Testing
import Tensors

/// Hand-computed factors: 10 epochs of 3 steps, 2 warm-up epochs (W = 6 steps, S = 30 steps).
@Suite struct LearningRateScheduleTests {
    func schedule(_ decay: LearningRateDecay, stepFactor: Float = 1, stepEvery: Int = 1, floor: Float = 0,
                  warmupEpochs: Int = 2) throws -> LearningRateSchedule {
        try LearningRateSchedule(decay: decay, stepFactor: stepFactor, stepEvery: stepEvery, floor: floor, warmupEpochs: warmupEpochs,
                                 stepsPerEpoch: 3, epochs: 10)
    }

    func expectFactors(_ s: LearningRateSchedule, _ expected: [Int: Float], sourceLocation: SourceLocation = #_sourceLocation) {
        for (step, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(abs(s.factor(step: step) - value) < 1e-6, "step \(step): \(s.factor(step: step)) vs \(value)", sourceLocation: sourceLocation)
        }
    }

    /// Warm-up s / 6, then 1: the train loop's `min(1, steps / warmupSteps)`.
    @Test func constantAfterLinearWarmup() throws {
        expectFactors(try schedule(.constant), [1: 1.0 / 6, 2: 2.0 / 6, 5: 5.0 / 6, 6: 1, 7: 1, 30: 1])
        expectFactors(try schedule(.constant, warmupEpochs: 0), [1: 1, 30: 1])
    }

    /// Halving every 3 epochs after warm-up: epochs 2–4 (steps 7–15) 1, epochs 5–7 (16–24) 0.5, 8–9 (25–30) 0.25.
    @Test func stepDecay() throws {
        expectFactors(try schedule(.step, stepFactor: 0.5, stepEvery: 3),
                      [3: 0.5, 7: 1, 15: 1, 16: 0.5, 24: 0.5, 25: 0.25, 30: 0.25])
    }

    /// t = (s − 7) / 23: 1 at step 7, 0.1 + 0.45 (1 + cos(π t)) between, the floor 0.1 at step 30.
    @Test func cosineToAFloor() throws {
        expectFactors(try schedule(.cosine, floor: 0.1),
                      [6: 1, 7: 1, 12: 0.899_070_08, 18: 0.580_709_09, 29: 0.104_191_32, 30: 0.1])
        // Without warm-up the first step is at the full rate.
        expectFactors(try schedule(.cosine, floor: 0, warmupEpochs: 0), [1: 1, 30: 0])
    }

    @Test func invalidOptionsNameTheOption() throws {
        #expect(throws: LearningRateScheduleError.self) { try schedule(.step, stepFactor: 0, stepEvery: 3) }
        #expect(throws: LearningRateScheduleError.self) { try schedule(.step, stepFactor: 0.5, stepEvery: 0) }
        #expect(throws: LearningRateScheduleError.self) { try schedule(.cosine, floor: 1.5) }
    }
}
