import Foundation
import StageKit
import Testing

enum Colour: String, Codable, Sendable, ChoiceParameter {
    case red, green
}

/// A stage's parameters covering every kind of value.
struct ToyParameters: StageParameters {
    @Parameter(help: "A count.", range: .atLeast(1))
    var batchSize = 128
    @Parameter(help: "A rate.", range: .positive)
    var lr: Float = 1e-4
    @Parameter(help: "A share.", range: .between(0, 1))
    var holdout: Double? = nil
    @Parameter(help: "A colour.")
    var colour = Colour.red
    @Parameter(help: "Epochs.", range: .atLeast(1))
    var driftEpochs = [30, 70]
    @Parameter(help: "Folders.", repeated: true)
    var mirror: [String] = []
    @Parameter(help: "A switch.")
    var verbose = false
    @Parameter(help: "A name.", required: true)
    var dataset = ""

    init() {}

    func validate() throws(ParameterError) {
        if driftEpochs.count < 2 { throw .conflict("drift-epochs", reason: "give at least two drift epochs") }
    }
}

enum ToyContract: StageContract {
    typealias Parameters = ToyParameters
    static let name = "toy"
    static let summary = "A toy stage."
    static let discussion = ""
    static let inputs = [StageInput("runs", from: "train", help: "Runs.", repeated: true)]
    static let outputs = [StageOutput("out.txt", "The output.")]
}

@Suite struct StageKitTests {
    @Test func declarationsFollowThePropertiesInOrder() {
        let declarations = ToyParameters.declarations
        #expect(declarations.map(\.name) == ["batch-size", "lr", "holdout", "colour", "drift-epochs", "mirror", "verbose", "dataset"])
        #expect(declarations.map(\.yamlKey)[0] == "batch_size")
        #expect(declarations[0].expectation == "an integer ≥ 1" && declarations[0].defaultText == "128")
        #expect(declarations[1].expectation == "a number > 0" && declarations[1].defaultText == "0.0001")
        #expect(declarations[2].defaultText == nil && !declarations[2].isList)
        #expect(declarations[3].choices == ["red", "green"] && declarations[3].expectation == "one of red, green")
        #expect(declarations[4].isList && declarations[4].expectation == "a list of integers ≥ 1")
        #expect(declarations[5].repeated && declarations[7].required && declarations[7].defaultText == nil)
    }

    @Test func validRangesDescribeAndContain() {
        #expect(ValidRange.between(0, 1).description == "in (0, 1)" && !ValidRange.between(0, 1).contains(1) && ValidRange.between(0, 1).contains(0.5))
        #expect(ValidRange.aboveAtMost(0, 1).description == "in (0, 1]" && ValidRange.aboveAtMost(0, 1).contains(1))
        #expect(ValidRange.within(1, 1e6).description == "in [1, 1000000]" && ValidRange.within(1, 2).contains(1))
        #expect(ValidRange.above(0).description == "> 0" && !ValidRange.positive.contains(0))
        #expect(ValidRange.atLeast(2.5).description == "≥ 2.5")
    }

    @Test func resolvesTypedValuesAndKeepsDefaults() throws {
        let parameters = try ToyParameters.resolve(["lr": ["1e-3"], "holdout": ["0.25"], "colour": ["green"],
                                                    "drift-epochs": ["10,20", "30"], "mirror": ["a,b", "c"], "dataset": ["x"]])
        #expect(parameters.lr == 1e-3 && parameters.holdout == 0.25 && parameters.colour == .green)
        #expect(parameters.driftEpochs == [10, 20, 30])
        #expect(parameters.mirror == ["a,b", "c"], "repeated lists keep commas inside items")
        #expect(parameters.batchSize == 128 && !parameters.verbose)
        #expect(parameters.canonicalTexts == ["batch-size": "128", "lr": "0.001", "holdout": "0.25", "colour": "green",
                                              "drift-epochs": "10,20,30", "mirror": "a,b,c", "verbose": "false", "dataset": "x"])
        // The same value written differently has the same canonical text (and so the same cache key).
        #expect(try ToyParameters.resolve(["lr": ["0.001"], "dataset": ["x"]]).canonicalTexts["lr"] == "0.001")
        // Read from the parsed values (without reflection), the texts are the same.
        let withTexts = try ToyParameters.resolveWithTexts(["lr": ["1e-3"], "holdout": ["0.25"], "colour": ["green"], "drift-epochs": ["10,20", "30"],
                                                            "mirror": ["a,b", "c"], "dataset": ["x"]])
        #expect(withTexts.parameters == parameters && withTexts.canonicalTexts == parameters.canonicalTexts)
        #expect(try ToyParameters.resolveWithTexts(["dataset": ["x"]]).canonicalTexts == ToyParameters.resolve(["dataset": ["x"]]).canonicalTexts)
        // JSON encoding writes each value under its property name, typed.
        let json = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        #expect(json.contains("\"lr\":0.001") && json.contains("\"driftEpochs\":[10,20,30]"))
        #expect(try JSONDecoder().decode(ToyParameters.self, from: try JSONEncoder().encode(parameters)) == parameters)
    }

    @Test(arguments: [
        (["batch-size": ["0"]], ParameterError.invalid("batch-size", value: "0", expected: "an integer ≥ 1")),
        (["batch-size": ["1.5"]], .invalid("batch-size", value: "1.5", expected: "an integer ≥ 1")),
        (["lr": ["-1"]], .invalid("lr", value: "-1", expected: "a number > 0")),
        (["lr": ["nan"]], .invalid("lr", value: "nan", expected: "a number > 0")),
        (["holdout": ["1"]], .invalid("holdout", value: "1", expected: "a number in (0, 1)")),
        (["colour": ["blue"]], .invalid("colour", value: "blue", expected: "one of red, green")),
        (["drift-epochs": ["30,0"]], .invalid("drift-epochs", value: "0 (in 30,0)", expected: "a list of integers ≥ 1")),
        (["drift-epochs": ["30"]], .conflict("drift-epochs", reason: "give at least two drift epochs")),
        (["temperature": ["1"]], .unknown("temperature", valid: ["batch-size", "lr", "holdout", "colour", "drift-epochs", "mirror", "verbose", "dataset"])),
    ])
    func rejectsBadValuesNamingParameterValueAndExpectation(_ given: [String: [String]], _ expected: ParameterError) {
        #expect(throws: expected) { try ToyParameters.resolve(given.merging(["dataset": ["x"]]) { a, _ in a }) }
    }

    @Test func requiredParametersMustBeGiven() {
        #expect(throws: ParameterError.missing("dataset")) { try ToyParameters.resolve([:]) }
    }

    @Test func commandLineAcceptsBothFormsAndNegativeValues() throws {
        let invocation = try StageInvocation<ToyContract>.parse(
            ["--runs", "a", "--runs=b", "--output", "out", "--dataset=x", "--lr", "0.5", "--verbose", "--mirror", "m1", "--mirror=m2"],
            command: ["toy"])
        #expect(invocation.inputs["runs"]?.map(\.lastPathComponent) == ["a", "b"])
        #expect(invocation.output.lastPathComponent == "out")
        #expect(invocation.parameters.lr == 0.5 && invocation.parameters.verbose && invocation.parameters.mirror == ["m1", "m2"])
        // A negative number after a flag is its value, so the range check reports it.
        #expect(throws: ParameterError.invalid("--lr", value: "-1", expected: "a number > 0")) {
            try StageInvocation<ToyContract>.parse(["--runs", "a", "--output", "o", "--dataset", "x", "--lr", "-1"], command: [])
        }
        #expect(throws: ParameterError.repeated("--lr")) {
            try StageInvocation<ToyContract>.parse(["--runs", "a", "--output", "o", "--dataset", "x", "--lr", "1", "--lr=2"], command: [])
        }
        #expect(throws: ParameterError.missing("--output")) {
            try StageInvocation<ToyContract>.parse(["--runs", "a", "--dataset", "x"], command: [])
        }
        #expect(throws: ParameterError.missing("--runs")) {
            try StageInvocation<ToyContract>.parse(["--output", "o", "--dataset", "x"], command: [])
        }
        #expect(throws: ParameterError.self) {
            try StageInvocation<ToyContract>.parse(["--runs", "a", "--output", "o", "--dataset", "x", "stray"], command: [])
        }
    }

    @Test func helpListsEveryFolderAndParameterWithDefaultsAndRanges() {
        let help = StageInvocation<ToyContract>.helpText
        #expect(help.hasPrefix("USAGE: toy --runs <dir> … --output <dir> [--<parameter>=<value> …]"))
        for declaration in ToyParameters.declarations { #expect(help.contains("--\(declaration.name) <")) }
        #expect(help.contains("A count. Valid: ≥ 1. Default: 128."))
        #expect(help.contains("A colour. One of: red, green. Default: red."))
        #expect(help.contains("A name. Required."))
        #expect(help.contains("Output folder: out.txt, manifest.json (last)."))
    }
}
