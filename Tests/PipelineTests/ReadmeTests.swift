import Foundation
import Testing
import TestSupport

/// The documentation cannot drift from the code or rot: docs/parameters.md's reference is the
/// exact output of `pipeline stages` (every stage's parameters, inputs and outputs and the models'
/// hyper-parameters, derived from their declarations); the README stays short and its set-up
/// commands are the ones CI runs; every relative link of the README, CONTRIBUTING.md and docs/
/// reaches an existing file and heading.
@Suite struct ReadmeTests {
    static let root = TestSupport.packageRoot
    static let reference = "docs/parameters.md"
    static let begin = "<!-- BEGIN pipeline stages -->\n"
    static let end = "<!-- END pipeline stages -->"
    static let fix = "regenerate it with `scripts/update_parameter_reference.sh` and commit \(reference)"
    static let maximumReadmeLines = 250

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func parameterReferenceIsTheOutputOfPipelineStages() throws {
        let result = try TestSupport.runProduct("pipeline", ["stages"])
        try #require(result.status == 0, "pipeline stages failed: \(result.standardError)")
        let document = try Self.text(Self.reference)
        let start = try #require(document.range(of: Self.begin), "\(Self.reference) has no line \(Self.begin.dropLast()); \(Self.fix)")
        let stop = try #require(document.range(of: "\n" + Self.end + "\n", range: start.upperBound..<document.endIndex),
                                "\(Self.reference) has no line \(Self.end) after \(Self.begin.dropLast()); \(Self.fix)")
        // The text between the marker lines, with the newline that ends its last line.
        let section = String(document[start.upperBound...stop.lowerBound])
        let generated = result.standardOutput
        guard section != generated else { return }
        let sectionLines = section.components(separatedBy: "\n"), generatedLines = generated.components(separatedBy: "\n")
        let common = min(sectionLines.count, generatedLines.count)
        let first = (0..<common).first { sectionLines[$0] != generatedLines[$0] } ?? common
        let line = document[..<start.upperBound].filter { $0 == "\n" }.count + first + 1
        Issue.record("""
            \(Self.reference)'s parameter reference differs from the output of `pipeline stages`, first at line \(line):
              \(Self.reference):  \(first < sectionLines.count ? sectionLines[first] : "(end of section)")
              pipeline stages:     \(first < generatedLines.count ? generatedLines[first] : "(end of output)")
            The table is generated from the contracts (Sources/Formats/*Contract.swift) and the models; \(Self.fix).
            """)
    }

    @Test func readmeIsShort() throws {
        let lines = try Self.text("README.md").split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(lines <= Self.maximumReadmeLines,
                "README.md has \(lines) lines, more than \(Self.maximumReadmeLines): move the detail into docs/ and link to it")
    }

    // MARK: The set-up commands

    /// The fenced code blocks of the README's "## Set-up" section, each as its lines.
    static func setUpBlocks() throws -> [[String]] {
        let readme = try text("README.md")
        let section = try #require(readme.range(of: "\n## Set-up\n"), "README.md has no section ## Set-up")
        let body = readme[section.upperBound...]
        let until = body.range(of: "\n## ").map { body[..<$0.lowerBound] } ?? body
        return codeBlocks(String(until))
    }

    /// The fenced code blocks of a Markdown text, each as its lines.
    static func codeBlocks(_ markdown: String) -> [[String]] {
        var blocks: [[String]] = [], current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                if let block = current { blocks.append(block); current = nil } else { current = [] }
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The words after `command` in `line` up to the next `&&` or redirection, without options.
    static func arguments(of command: String, in line: String) -> [String]? {
        guard let start = line.range(of: command) else { return nil }
        let words = line[start.upperBound...].split(separator: " ").map(String.init)
        return words.prefix { $0 != "&&" && !$0.hasPrefix(">") }.filter { !$0.hasPrefix("-") }
    }

    /// `.ci/run`'s commands: its lines without comments and blank lines.
    static func ciCommands() throws -> [String] {
        try text(".ci/run").components(separatedBy: "\n")
            .map { line in (line.range(of: "#").map { String(line[..<$0.lowerBound]) } ?? line).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    @Test func setUpIsTwoCommandsThatCIRuns() throws {
        let blocks = try Self.setUpBlocks()
        try #require(blocks.count == 2 && blocks.allSatisfy { $0.count == 1 },
                     "README.md's ## Set-up must hold exactly two one-line commands (install and run, then test); found \(blocks)")
        let install = blocks[0][0], test = blocks[1][0]
        let ci = try Self.ciCommands()

        // The first installs what CI installs (the Slurm packages, for the cluster tests only, aside).
        let readmePackages = try #require(Self.arguments(of: "apt-get install", in: install), "the first command has no apt-get install")
        let ciPackages = try #require(ci.lazy.compactMap { Self.arguments(of: "apt-get install", in: $0) }.first, ".ci/run has no apt-get install")
        #expect(readmePackages == ciPackages, "README installs \(readmePackages), .ci/run's first apt-get install \(ciPackages)")
        let readmePython = try #require(Self.arguments(of: "pip install", in: install), "the first command has no pip install")
        let ciPython = try #require(ci.lazy.compactMap { Self.arguments(of: "pip install", in: $0) }.first, ".ci/run has no pip install")
        #expect(readmePython == ciPython, "README installs the Python packages \(readmePython), .ci/run \(ciPython)")

        // …and ends by running a shipped pipeline.
        let run = try #require(install.components(separatedBy: " && ").last)
        let pipeline = run.replacingOccurrences(of: "swift run pipeline run ", with: "")
        #expect(run.hasPrefix("swift run pipeline run Pipelines/") && !pipeline.contains(" "), "the first command must end with swift run pipeline run Pipelines/…: \(run)")
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(pipeline).path), "\(pipeline) does not exist")

        // The second is exactly CI's last command.
        #expect(test == ci.last, "README's test command `\(test)` is not .ci/run's last command `\(ci.last ?? "")`")
    }

    // MARK: Links

    /// The Markdown files whose relative links must resolve.
    static func documents() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return ["README.md", "CONTRIBUTING.md", "Datasets/README.md", "Artifacts/README.md"] + docs
    }

    /// Markdown outside fenced code blocks, with inline code removed.
    static func prose(_ markdown: String) throws -> [String] {
        var inBlock = false
        let inlineCode = try Regex("`+[^`]*`+")
        return markdown.components(separatedBy: "\n").compactMap { line in
            if line.hasPrefix("```") { inBlock.toggle(); return nil }
            return inBlock ? nil : line.replacing(inlineCode, with: "")
        }
    }

    /// GitHub's anchors of a Markdown file's headings: lower case, punctuation dropped, spaces
    /// as hyphens, a repeated anchor numbered `-1`, `-2`, ….
    static func anchors(_ markdown: String) throws -> Set<String> {
        var seen: [String: Int] = [:], result = Set<String>()
        var inBlock = false
        for line in markdown.components(separatedBy: "\n") {
            if line.hasPrefix("```") { inBlock.toggle(); continue }
            guard !inBlock, line.hasPrefix("#") else { continue }
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            let slug = String(title.lowercased().unicodeScalars.filter { scalar in
                scalar == " " || scalar == "-" || scalar == "_" || scalar.properties.isAlphabetic
                    || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark
            }.map(Character.init)).replacingOccurrences(of: " ", with: "-")
            let count = seen[slug, default: 0]
            result.insert(count == 0 ? slug : "\(slug)-\(count)")
            seen[slug] = count + 1
        }
        return result
    }

    @Test func everyRelativeLinkResolves() throws {
        let link = try Regex(#"\]\(([^)\s]+)\)"#)
        var checked = 0
        for document in try Self.documents() {
            let url = Self.root.appendingPathComponent(document)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let lines = try Self.prose(try String(contentsOf: url, encoding: .utf8))
            for (number, line) in lines.enumerated() {
                for match in line.matches(of: link) {
                    let target = String(match.output[1].substring!)
                    if target.contains("://") || target.hasPrefix("mailto:") { continue }
                    checked += 1
                    let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    let file = parts[0].isEmpty ? url : url.deletingLastPathComponent().appendingPathComponent(parts[0]).standardizedFileURL
                    guard FileManager.default.fileExists(atPath: file.path) else {
                        Issue.record("\(document): link to \(target) (near prose line \(number + 1)): no such file \(file.path)")
                        continue
                    }
                    guard parts.count == 2 else { continue }
                    let anchors = try Self.anchors(try String(contentsOf: file, encoding: .utf8))
                    #expect(anchors.contains(parts[1]),
                            "\(document): link to \(target): \(file.lastPathComponent) has no heading with the anchor #\(parts[1])")
                }
            }
        }
        #expect(checked > 50, "only \(checked) relative links found: the link reader is broken")
    }

    @Test func anchorsFollowGitHub() throws {
        let anchors = try Self.anchors("# Title\n## analyze — tables, statistics\n```\n# not a heading\n```\n### Model hyper-parameters (train `model_param: [key=value, …]`)\n## Title\n")
        #expect(anchors == ["title", "analyze--tables-statistics", "model-hyper-parameters-train-model_param-keyvalue-", "title-1"])
    }
}
