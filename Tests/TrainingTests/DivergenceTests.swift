import Testing
import Training

/// The divergence check of every batch loss: NaN, ±∞ and losses above the limit stop the run
/// with an error that names the epoch, the batch, the loss and the fix.
@Suite struct DivergenceTests {
    @Test func acceptsOrdinaryLosses() throws {
        for loss: Float in [0, 0.693, 260, DivergenceCheck.lossLimit] {
            try DivergenceCheck.check(loss: loss, epoch: 1, batch: 0, learningRate: 1e-3)
        }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity, 4e21])
    func rejects(_ loss: Float) {
        do {
            try DivergenceCheck.check(loss: loss, epoch: 3, batch: 7, learningRate: 1e6)
            Issue.record("loss \(loss) was accepted")
        } catch {
            #expect(error.epoch == 3 && error.batch == 7 && error.learningRate == 1e6)
            #expect(error.loss.bitPattern == loss.bitPattern)
        }
    }

    @Test func messageNamesEpochBatchLossAndFix() {
        let text = TrainingDiverged(epoch: 3, batch: 7, loss: .infinity, learningRate: 1e6).description
        #expect(text.contains("epoch 3, batch 7") && text.contains("inf, not a finite number"))
        #expect(text.contains("Lower the learning rate (--lr), e.g. to 100000."))
        let large = TrainingDiverged(epoch: 12, batch: 0, loss: 4e21, learningRate: 1).description
        #expect(large.contains("epoch 12, batch 0") && large.contains("above the limit 1000000.0"))
    }

    /// The suggested rate is a tenth of the Float rate as a person writes it: 1e-3 gave
    /// "0.000100000005" (Float noise).
    @Test(arguments: [(Float(1e-3), "0.0001"), (3e-4, "3e-5"), (0.01, "0.001"), (2.5e-6, "2.5e-7"), (1, "0.1")])
    func suggestedRateHasNoFloatNoise(_ rate: Float, _ suggestion: String) {
        let text = TrainingDiverged(epoch: 1, batch: 0, loss: .nan, learningRate: rate).description
        #expect(text.hasSuffix("Lower the learning rate (--lr), e.g. to \(suggestion)."), "\(text)")
    }
}
