import Selectors
import Testing

@Suite struct OptionsTests {
    @Test func defaultsFollowMethod() {
        let options = SelectorOptions()
        #expect(options.selector == .uncertainty && options.window == 5 && options.lambda1 == 0.5 && options.bins == 5)
        #expect(options.s0 == 100 && options.warmupEpochs == 5 && options.epochs == 100 && options.batchSize == 128)
        #expect(options.correlation == .mi && options.history == .epoch)
    }

    @Test func parsesKebabAndSnakeKeys() throws {
        let options = try SelectorOptions(parsing: [
            "selector": "recency-bias", "window": "3", "lambda1": "1", "bins": "10", "s0": "50",
            "warmup_epochs": "2", "epochs": "20", "batch-size": "64", "correlation": "nmi", "history": "batch",
        ])
        #expect(options == SelectorOptions(selector: .recencyBias, window: 3, lambda1: 1, bins: 10, s0: 50, warmupEpochs: 2,
                                           epochs: 20, batchSize: 64, correlation: .nmi, history: .batch))
    }

    @Test func rejectsUnknownNamesListingValidValues() {
        #expect(throws: SelectorOptionError.unknownValue("selector", value: "greedy", valid: [
            "random", "balance", "active-bias", "recency-bias", "hard-imbalance", "uncertainty",
        ])) { try SelectorOptions(parsing: ["selector": "greedy"]) }
        #expect(throws: SelectorOptionError.unknownValue("correlation", value: "pearson", valid: ["mi", "nmi", "none"])) {
            try SelectorOptions(parsing: ["correlation": "pearson"])
        }
        do {
            _ = try SelectorOptions(parsing: ["history": "window"])
            Issue.record("history 'window' was accepted")
        } catch {
            #expect(error.description == "invalid history 'window'; valid values: epoch, batch")
        }
        #expect(throws: SelectorOptionError.unknownKey("temperature", valid: SelectorOptions.keys)) {
            try SelectorOptions(parsing: ["temperature": "1"])
        }
    }

    @Test(arguments: [("window", "0"), ("lambda1", "1.5"), ("lambda1", "x"), ("bins", "1"), ("s0", "0.5"),
                      ("epochs", "0"), ("batch-size", "0"), ("warmup-epochs", "-1"), ("warmup-epochs", "100")])
    func rejectsOutOfRangeValues(_ key: String, _ value: String) {
        do {
            _ = try SelectorOptions(parsing: [key: value])
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            guard case let .outOfRange(name, bad, expected) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(name == key && bad == value && !expected.isEmpty)
            #expect(error.description.contains("expected"))
        }
    }

    @Test func factoryValidatesToo() {
        #expect(throws: SelectorOptionError.self) {
            try BatchSelectors.make(options: SelectorOptions(warmupEpochs: 10, epochs: 10), labels: [0, 1], labelCount: 1, seed: 1)
        }
    }
}
