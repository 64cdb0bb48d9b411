import Artifacts
import Formats
import Foundation
import StageKit

/// A new pipeline file for one dataset, ready to run (`pipeline new`): the paper's data protocol
/// (five stratified folds, rare labels dropped), a model at its default settings trained with
/// random and with uncertainty batches, the linear floor on the same folds and an analyze stage
/// comparing uncertainty with random. Every stage is commented, so the file explains itself.
public struct PipelineTemplate: Sendable {
    /// The fetch stage's parameters as given (flag name → words), paths relative to the file's folder.
    public let fetch: [String: [String]]
    public let model: ModelKind
    public let epochs: Int
    /// The command that wrote the file, quoted in its first comment.
    public let command: String
    /// The file's path as the user gave it, for the run command in its comment.
    public let filePath: String

    /// The fewest epochs a template trains: 5 warm-up epochs and two drift epochs after them.
    public static let minimumEpochs = 10

    /// A template for the dataset the fetch flags describe (`--dataset` is `dataset`).
    ///
    /// `fetchFlags` are fetch's own flags (`--format csv --url data/x.csv --label-prefix label_`);
    /// relative local paths among them are read from `workingDirectory` and rewritten relative to
    /// the folder of `file`, where the pipeline resolves them. A single local `--url` without
    /// `--sha256` gets the file's SHA-256. The fetch parameters are checked as the fetch stage
    /// checks them; an error names the flag.
    public init(dataset: String, fetchFlags: [String], model: ModelKind, epochs: Int, filePath: String, workingDirectory: URL,
                command: String) throws {
        let file = URL(fileURLWithPath: filePath, relativeTo: workingDirectory)
        var given = try FetchParameters.givenValues(flags: fetchFlags)
        if given["dataset"] != nil {
            throw ParameterError.conflict("--dataset", reason: "the dataset is the first argument of `pipeline new`; leave out --dataset")
        }
        if epochs < Self.minimumEpochs {
            throw ParameterError.invalid("--epochs", value: String(epochs), expected: "at least \(Self.minimumEpochs) (5 warm-up epochs, then drift is measured at 30 % and 70 % of the run)")
        }
        given["dataset"] = [dataset]
        if given["sha256"] == nil, let urls = given["url"], urls.count == 1, let local = Self.localPath(urls[0]) {
            let path = URL(fileURLWithPath: local, relativeTo: workingDirectory)
            guard FileManager.default.fileExists(atPath: path.path) else {
                throw PipelineError.io(path: path.path, reason: "--url names no file; give the path of your data file (or archive), or an http(s) URL with --sha256")
            }
            given["sha256"] = [try SHA256.hex(ofFile: path)]
        }
        let folder = file.deletingLastPathComponent().standardizedFileURL
        for declaration in FetchParameters.declarations where declaration.path {
            given[declaration.name] = given[declaration.name]?.map { word in
                Self.localPath(word).map { Self.relativePath(of: URL(fileURLWithPath: $0, relativeTo: workingDirectory), from: folder) } ?? word
            }
        }
        do {
            _ = try FetchParameters.resolve(given)
        } catch {
            throw error.prefixingFlag
        }
        self.fetch = given
        self.model = model
        self.epochs = epochs
        self.command = command
        self.filePath = filePath
    }

    /// The pipeline file's text.
    public var text: String {
        let drift = [epochs * 3 / 10, epochs * 7 / 10]
        let fetchLines = FetchParameters.declarations.compactMap { declaration -> String? in
            guard let words = fetch[declaration.name] else { return nil }
            let value = declaration.isList ? "[" + words.map(Self.yamlScalar).joined(separator: ", ") + "]" : Self.yamlScalar(words[0])
            return "      \(declaration.yamlKey): \(value)"
        }
        let dataset = fetch["dataset"]![0]
        return """
        # \(dataset) through the paper's protocol with \(model.rawValue), written by
        #   \(command)
        # Run it (the report: Artifacts/\(URL(fileURLWithPath: filePath).deletingPathExtension().lastPathComponent)/analyze/default/report.html):
        #   swift run pipeline run \(filePath)
        # Every key: docs/pipeline-file.md; every parameter: docs/parameters.md (or `pipeline stages`).
        seed: 42
        defaults:
          # The protocol (docs/evidence.md#the-protocol): batches of 128, a linear learning-rate warm-up
          # of 5 random-batch epochs, test metrics at the epoch with the best validation Macro-AUC.
          train: { epochs: \(epochs), batch_size: 128, warmup_epochs: 5, history: { dtype: uint8 }, threads: 1 }
        stages:
          fetch:
            uses: fetch
            with:
        \(fetchLines.joined(separator: "\n"))
          split:
            # Five iteratively stratified folds; each held-out fold is halved into validation and test.
            # Labels with 20 or fewer positive rows are dropped first, as the paper's authors do.
            uses: split
            needs: [fetch]
            with: { folds: 5, order: 1, validation: 0.5, drop_labels_at_most: 20 }
          floor:
            # Per-label logistic regression through the same engine: the floor every result must beat
            # (at linear's defaults: \(Self.describe(.linear))).
            uses: train
            needs: [split]
            matrix: { fold: [0, 1, 2, 3, 4] }
            with: { model: linear, selector: random }
          train:
            # At \(model.rawValue)'s defaults (\(Self.describe(model)); `train --help`);
            # state lr, weight_decay or model_param here to change them.
            uses: train
            needs: [split]
            matrix:
              selector: [random, uncertainty]
              fold: [0, 1, 2, 3, 4]
            with: { model: \(model.rawValue) }
          analyze:
            # Tables, statistics and plots; label-correlation drift between the two epochs; the paired
            # comparison of uncertainty against random over the folds, with its confidence interval.
            uses: analyze
            needs: [train, floor]
            with: { drift_epochs: [\(drift[0]), \(drift[1])], compare: [uncertainty vs random] }

        """
    }

    /// A model's default settings as the pipeline would state them: `lr 1e-3, weight_decay 0`.
    static func describe(_ model: ModelKind) -> String {
        let defaults = model.defaults
        return (["lr \(ModelKind.text(defaults.lr))", "weight_decay \(ModelKind.text(defaults.weightDecay))"]
                + defaults.hyperParameters.map { "model_param \($0.text)" }).joined(separator: ", ")
    }

    /// `word` as a local path, or nil for an http(s) URL.
    static func localPath(_ word: String) -> String? {
        word.hasPrefix("http://") || word.hasPrefix("https://") ? nil : word
    }

    /// The path of `target` relative to `folder` (`../data/x.csv`); absolute when they share only the root.
    static func relativePath(of target: URL, from folder: URL) -> String {
        let to = target.standardizedFileURL.pathComponents, from = folder.pathComponents
        var common = 0
        while common < min(to.count, from.count) && to[common] == from[common] { common += 1 }
        if common <= 1 { return target.standardizedFileURL.path }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }

    /// `text` as a YAML scalar: plain when it is a word of letters, digits and `_./+=-`, else double-quoted.
    static func yamlScalar(_ text: String) -> String {
        let plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./+=-"
        if let first = text.first, first != "-", text.allSatisfy({ plain.contains($0) }) { return text }
        let escaped = text.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            case "\t": return "\\t"
            default: return scalar.value < 0x20 ? String(format: "\\x%02x", scalar.value) : String(scalar)
            }
        }
        return "\"" + escaped.joined() + "\""
    }
}
