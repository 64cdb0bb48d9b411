// swift-tools-version: 6.2
import PackageDescription

/// Numeric targets are compiled with optimisation even in a debug build, so that
/// `swift run pipeline …` (a debug build) trains at release speed. `-fno-math-errno` lets
/// `squareRoot()` compile to vector square-root instructions (with errno semantics LLVM keeps a
/// scalar libm call per lane for negative inputs); it changes no result.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O", "-Xcc", "-fno-math-errno"])]

let package = Package(
    name: "mlbatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pipeline", targets: ["pipeline"]),
        .executable(name: "fetch", targets: ["fetch"]),
        .executable(name: "split", targets: ["split"]),
        .executable(name: "train", targets: ["train"]),
        .executable(name: "analyze", targets: ["analyze"]),
        .executable(name: "bench", targets: ["bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // System libraries from Debian (see README: apt-get install …).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Foundations shared by every stage.
        .target(name: "SeededRandom", swiftSettings: optimised),
        .target(name: "NumpyIO", dependencies: ["CZlib", "Artifacts"], swiftSettings: optimised),
        .target(name: "Artifacts", dependencies: ["COpenSSL"]),
        // Stage contracts: parameter declarations and the command line derived from them, and the
        // file formats every stage writes and reads.
        .target(name: "StageKit"),
        // The optimiser's choices (weight-decay mode, learning-rate decay): one enum each, read by
        // the train contract and by the tensor engine.
        .target(name: "OptimiserChoices", dependencies: ["StageKit"]),
        .target(name: "Formats", dependencies: ["Artifacts", "StageKit", "OptimiserChoices"]),
        .target(name: "SafetensorsIO", dependencies: ["NumpyIO", "Artifacts"]),
        .target(name: "TensorBoardEvents"),

        // Stage libraries.
        .target(name: "Datasets", dependencies: ["CArchive", "NumpyIO", "Artifacts", "Formats", "StageKit", "SeededRandom", "Yams"], swiftSettings: optimised),
        .target(name: "Stratification", dependencies: ["SeededRandom", "NumpyIO", "Artifacts", "Formats", "StageKit"], swiftSettings: optimised),
        .target(name: "Tensors", dependencies: ["CBLAS", "SeededRandom", "OptimiserChoices"], swiftSettings: optimised),
        .target(name: "Models", dependencies: ["Tensors", "NumpyIO", "SafetensorsIO", "SeededRandom", "Formats", "OptimiserChoices"], swiftSettings: optimised),
        .target(name: "Metrics", swiftSettings: optimised),
        .target(name: "Selectors", dependencies: ["CBLAS", "SeededRandom", "Formats"], swiftSettings: optimised),
        .target(name: "Training", dependencies: ["Tensors", "Models", "Selectors", "Metrics", "NumpyIO", "Artifacts", "Formats", "StageKit", "SeededRandom", "TensorBoardEvents"], swiftSettings: optimised),
        .target(name: "Analysis", dependencies: ["NumpyIO", "Artifacts", "Formats", "StageKit", "SeededRandom"], swiftSettings: optimised),
        .target(name: "Pipeline", dependencies: ["Yams", "Artifacts", "Formats", "StageKit", .product(name: "Collections", package: "swift-collections")]),
        // `pipeline inspect`: summaries of every artifact format.
        .target(name: "ArtifactInspection", dependencies: ["Artifacts", "Formats", "NumpyIO", "SafetensorsIO", "TensorBoardEvents"]),

        // Command-line front ends: one ParsableCommand per stage, shared by the
        // stand-alone executables and by `pipeline`, which runs stages as child processes.
        .target(name: "StageCommands", dependencies: [
            "Datasets", "Stratification", "Training", "Analysis", "Artifacts", "Formats", "StageKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "pipeline", dependencies: [
            "Pipeline", "ArtifactInspection", "StageCommands", "StageKit", "Artifacts", "Formats", .product(name: "Collections", package: "swift-collections"), .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "fetch", dependencies: ["StageCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "split", dependencies: ["StageCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "train", dependencies: ["StageCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "analyze", dependencies: ["StageCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "bench", dependencies: [
            "Datasets", "Stratification", "Tensors", "Models", "Selectors", "Metrics", "Training", "SeededRandom", "NumpyIO", "Formats", "StageKit", "CBLAS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimised),

        .target(name: "TestSupport", dependencies: ["NumpyIO"], path: "Tests/TestSupport"),
        .target(name: "TensorTestSupport", dependencies: ["Tensors", "SeededRandom"], path: "Tests/TensorTestSupport"),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        .testTarget(name: "ArtifactsTests", dependencies: ["Artifacts", "TestSupport"]),
        .testTarget(name: "StageKitTests", dependencies: ["StageKit"]),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "StageKit", "Artifacts", "TestSupport"]),
        .testTarget(name: "NumpyIOTests", dependencies: ["NumpyIO", "Artifacts", "TestSupport"]),
        .testTarget(name: "SafetensorsIOTests", dependencies: ["SafetensorsIO", "NumpyIO", "Artifacts", "TestSupport"]),
        .testTarget(name: "TensorBoardEventsTests", dependencies: ["TensorBoardEvents", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Formats", "StageKit", "NumpyIO", "Artifacts", "TestSupport"]),
        .testTarget(name: "StratificationTests", dependencies: ["Stratification", "Formats", "SeededRandom", "TestSupport"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "OptimiserChoices", "SeededRandom", "TestSupport", "TensorTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Formats", "StageKit", "Tensors", "SeededRandom", "Datasets", "TestSupport", "TensorTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "NumpyIO", "TestSupport"]),
        .testTarget(name: "SelectorsTests", dependencies: ["Selectors", "Formats", "StageKit", "Metrics", "NumpyIO", "SeededRandom", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Selectors", "Models", "Tensors", "SeededRandom", "TensorTestSupport", "Formats", "OptimiserChoices", "StageKit", "NumpyIO", "SafetensorsIO", "TensorBoardEvents", "Artifacts", "TestSupport", "fetch", "split", "train"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Formats", "StageKit", "Artifacts", "NumpyIO", "SafetensorsIO", "SeededRandom", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Formats", .product(name: "Collections", package: "swift-collections"), "Artifacts", "TestSupport", "pipeline"]),
        .testTarget(name: "ArtifactInspectionTests", dependencies: ["ArtifactInspection", "Artifacts", "Formats", "NumpyIO", "SafetensorsIO", "TensorBoardEvents", "TestSupport"]),
        .testTarget(name: "PackageTests", dependencies: ["TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["NumpyIO", "Formats", "TestSupport", "pipeline", "fetch", "split", "train", "analyze"]),
    ],
    swiftLanguageModes: [.v6]
)

// Every file imports the modules whose members it uses (so each target's dependencies are
// exactly its imports; a test checks that).
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
