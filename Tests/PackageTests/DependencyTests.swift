import Foundation
import Testing
import TestSupport

/// Package.swift's target dependencies are exactly what the targets' files import (the package
/// enables MemberImportVisibility, so every file imports the modules it uses).
@Suite struct DependencyTests {
    /// Modules of the toolchain and the system, which no target declares.
    static let system: Set<String> = ["Foundation", "FoundationNetworking", "FoundationEssentials", "Glibc", "Darwin", "Dispatch", "Testing",
                                      "XCTest"]
    /// Modules a product provides, by product.
    static let productModules = ["Collections": Set(["Collections", "OrderedCollections", "DequeModule"])]

    /// Each target's name, declared dependencies and folder, read from Package.swift.
    static func targets() throws -> [(name: String, dependencies: Set<String>, folder: String)] {
        let text = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let declaration = try Regex(#"\.(target|executableTarget|testTarget)\(name: "([A-Za-z]+)""#)
        var result: [(name: String, dependencies: Set<String>, folder: String)] = []
        for match in text.matches(of: declaration) {
            let name = String(match.output[2].substring!)
            let kind = String(match.output[1].substring!)
            // The declaration's text up to its closing parenthesis (brackets balanced).
            var depth = 0, end = match.range.upperBound
            for index in text[match.range.lowerBound...].indices {
                if text[index] == "(" || text[index] == "[" { depth += 1 }
                if text[index] == ")" || text[index] == "]" {
                    depth -= 1
                    if depth == 0 { end = index; break }
                }
            }
            let body = String(text[match.range.lowerBound..<end])
            var dependencies = Set<String>()
            if let list = body.firstRange(of: "dependencies: [") {
                let inside = body[list.upperBound...].prefix { $0 != "]" }
                for item in inside.matches(of: try Regex(#"\.product\(name: "([A-Za-z]+)"|"([A-Za-z]+)""#)) {
                    dependencies.insert(String((item.output[1].substring ?? item.output[2].substring)!))
                }
            }
            let path = body.firstMatch(of: try Regex(#"path: "([^"]+)""#)).map { String($0.output[1].substring!) }
            result.append((name, dependencies, path ?? (kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)")))
        }
        return result
    }

    /// The modules imported by the Swift files below `folder`.
    static func imports(in folder: String) throws -> Set<String> {
        let root = TestSupport.packageRoot.appendingPathComponent(folder)
        var found = Set<String>()
        let pattern = try Regex(#"^(?:@testable |@preconcurrency )?import ([A-Za-z]+)"#).anchorsMatchLineEndings()
        for case let file as String in FileManager.default.enumerator(atPath: root.path) ?? FileManager.default.enumerator(atPath: "/dev/null")!
        where file.hasSuffix(".swift") {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) { found.insert(String(match.output[1].substring!)) }
        }
        return found
    }

    @Test func dependenciesAreExactlyTheImports() throws {
        let targets = try Self.targets()
        #expect(targets.count > 30, "Package.swift could not be read: \(targets.count) targets")
        let names = Set(targets.map(\.name))
        for target in targets where FileManager.default.fileExists(atPath: TestSupport.packageRoot.appendingPathComponent(target.folder).path) {
            let imported = try Self.imports(in: target.folder).subtracting(Self.system)
            let provided = target.dependencies.reduce(into: Set<String>()) { modules, dependency in
                modules.formUnion(Self.productModules[dependency] ?? [dependency])
            }
            let executables = target.dependencies.filter { names.contains($0) && !imported.contains($0) && target.name.hasSuffix("Tests") }
            // Test targets may depend on executable products they run (not import).
            let unused = target.dependencies.filter { dependency in
                !(Self.productModules[dependency] ?? [dependency]).contains(where: imported.contains)
            }.subtracting(executables.filter { ["pipeline", "fetch", "split", "train", "analyze"].contains($0) })
            #expect(imported.subtracting(provided).isEmpty, "\(target.name) imports undeclared \(imported.subtracting(provided).sorted())")
            #expect(unused.isEmpty, "\(target.name) declares unused \(unused.sorted())")
        }
    }

    /// The pipeline plans, runs and caches from manifests and never reads artifact contents:
    /// `pipeline inspect`, which does, is its own module (ArtifactInspection).
    @Test func pipelineReadsNoArtifactFormats() throws {
        let pipeline = try #require(try Self.targets().first { $0.name == "Pipeline" })
        #expect(pipeline.dependencies.isDisjoint(with: ["NumpyIO", "SafetensorsIO", "TensorBoardEvents"]),
                "Pipeline depends on \(pipeline.dependencies.intersection(["NumpyIO", "SafetensorsIO", "TensorBoardEvents"]).sorted())")
    }
}
