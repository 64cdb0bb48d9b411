import Artifacts
import Formats
import Foundation
import NumpyIO
import SafetensorsIO
import TensorBoardEvents

/// `pipeline inspect PATH`: human summaries of artifacts. Errors are ``ArtifactError``s naming the path.
///
/// - `.npy`: shape, dtype, min/max/mean of the finite values, NaN and infinity counts and a
///   preview, streamed slice by slice from a memory map (constant memory for any size);
/// - `manifest.json` (or an instance folder holding one): stage, parameters, inputs, outputs,
///   times and the command that rebuilds it;
/// - `.csv`: the header and first rows as an aligned table, and the row count;
/// - `.safetensors`: metadata, and every tensor's name, dtype and shape;
/// - TensorBoard event files (a name containing `tfevents`): steps, times, hyper-parameters, and
///   every scalar tag with its point count and last value.
public enum ArtifactInspector {
    /// The summary of the artifact at `url`; `rows` bounds CSV rows and preview values.
    public static func describe(_ url: URL, rows: Int = 10) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ArtifactError.io(path: url.path, reason: "no such file or folder")
        }
        if isDirectory.boolValue {
            return try describeFolder(url)
        }
        switch (url.lastPathComponent, url.pathExtension.lowercased()) {
        case (Manifest.fileName, _): return try describeManifest(Manifest.read(from: url.deletingLastPathComponent()), path: url.path)
        case (_, "npy"): return try describeArray(url, preview: rows)
        case (_, "csv"): return try describeTable(url, rows: rows)
        case (_, "safetensors"): return try describeSafetensors(url)
        case (let name, _) where name.contains("tfevents"): return try describeEvents(url)
        default:
            throw ArtifactError.io(path: url.path, reason: "cannot inspect this kind of file; supported: .npy, manifest.json, .csv, "
                + ".safetensors, TensorBoard event files (*tfevents*), and instance folders")
        }
    }

    static func describeFolder(_ url: URL) throws -> String {
        let manifestURL = url.appendingPathComponent(Manifest.fileName)
        var text = FileManager.default.fileExists(atPath: manifestURL.path)
            ? try describeManifest(Manifest.read(from: url), path: manifestURL.path) + "\n"
            : "\(url.path): no manifest.json (incomplete or not a stage folder)\n"
        text += "files:\n"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(name).path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
            let isFolder = (attributes?[.type] as? FileAttributeType) == .typeDirectory
            text += "  \(name)\(isFolder ? "/" : "  \(byteCount(size))")\n"
        }
        return text
    }

    static func describeManifest(_ manifest: Manifest, path: String) throws -> String {
        var lines = ["\(path)", "stage: \(manifest.stage)   tool version: \(manifest.toolVersion)",
                     "ran: \(manifest.startedAt) → \(manifest.finishedAt) on \(manifest.host)", "parameters:"]
        for key in manifest.parameters.keys.sorted() { lines.append("  \(key) = \(manifest.parameters[key]!)") }
        lines.append("inputs:")
        if manifest.inputs.isEmpty { lines.append("  (none)") }
        for input in manifest.inputs { lines.append("  \(input.name): \(input.path)  sha256 \(input.sha256.prefix(16))…") }
        lines.append("outputs: \(manifest.outputs.count) files, digest \(manifest.outputDigest.prefix(16))…")
        for name in manifest.outputs.keys.sorted().prefix(20) { lines.append("  \(name)") }
        if manifest.outputs.count > 20 { lines.append("  … \(manifest.outputs.count - 20) more") }
        lines.append("rerun: " + manifest.command.map(shellQuoted).joined(separator: " "))
        return lines.joined(separator: "\n")
    }

    static func describeArray(_ url: URL, preview: Int) throws -> String {
        let file = try MappedNpyFile(url)
        let header = file.header
        var lines = ["\(url.path)", "dtype: \(header.dtype) (\(header.dtype.rawValue))   shape: [\(header.shape.map(String.init).joined(separator: ", "))]   elements: \(header.count)"]
        if url.lastPathComponent == TrainFiles.predictions && header.dtype == .uint8 {
            lines.append("uint8 codes: P(y=1) = value / 255 (round(p·255) when written, max error 1/510); the figures below are codes")
        }
        guard header.count > 0 else { return (lines + ["(empty array)"]).joined(separator: "\n") }
        let slices = header.shape.isEmpty ? 1 : header.shape[0]
        let sliceCount = header.shape.isEmpty ? 1 : header.count / max(slices, 1)
        var buffer = [Float](repeating: 0, count: sliceCount)
        var minimum = Float.infinity, maximum = -Float.infinity, sum = 0.0, finite = 0, nans = 0, infinities = 0
        var first: [Float] = []
        for slice in 0..<slices {
            buffer.withUnsafeMutableBufferPointer { out in
                if header.shape.isEmpty {
                    out[0] = (try? NpyFile.read(url).float32Values().first) ?? .nan
                } else {
                    file.readSlice(slice, into: out)
                }
                for value in out {
                    if value.isNaN { nans += 1 } else if value.isInfinite { infinities += 1 } else {
                        minimum = min(minimum, value)
                        maximum = max(maximum, value)
                        sum += Double(value)
                        finite += 1
                    }
                }
            }
            if first.count < preview { first += buffer.prefix(preview - first.count) }
        }
        if finite > 0 {
            lines.append("min: \(minimum)   max: \(maximum)   mean: \(sum / Double(finite))")
        }
        lines.append("NaN: \(nans)   ±inf: \(infinities)")
        lines.append("first values (C order): " + first.map { "\($0)" }.joined(separator: ", ") + (header.count > first.count ? ", …" : ""))
        return lines.joined(separator: "\n")
    }

    static func describeTable(_ url: URL, rows: Int) throws -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ArtifactError.io(path: url.path, reason: "cannot read as UTF-8 text")
        }
        let records = text.split(separator: "\n", omittingEmptySubsequences: true)
        let shown = records.prefix(rows + 1).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let columns = shown.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in shown { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
        var lines = ["\(url.path)", "\(max(records.count - 1, 0)) rows × \(shown.first?.count ?? 0) columns"]
        for row in shown {
            lines.append(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        if records.count > shown.count { lines.append("… \(records.count - shown.count) more rows") }
        return lines.joined(separator: "\n")
    }

    static func describeSafetensors(_ url: URL) throws -> String {
        let header = try SafetensorsFile.readHeader(url)
        let dataBytes = header.entries.last?.dataRange.upperBound ?? 0
        var lines = ["\(url.path)", "safetensors: \(header.entries.count) tensors, \(byteCount(dataBytes)) of data"
            + (header.metadata.isEmpty ? "" : "; metadata: " + header.metadata.keys.sorted().map { "\($0)=\(header.metadata[$0]!)" }.joined(separator: ", "))]
        let width = header.entries.map(\.name.count).max() ?? 0
        for entry in header.entries {
            lines.append("  \(entry.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.dtype.padding(toLength: 4, withPad: " ", startingAt: 0))  "
                + "[\(entry.shape.map(String.init).joined(separator: ", "))]")
        }
        return lines.joined(separator: "\n")
    }

    static func describeEvents(_ url: URL) throws -> String {
        let contents = try EventFile.read(url)
        let steps = contents.events.map(\.step), times = contents.events.map(\.wallTime).filter { $0 > 0 }
        var lines = ["\(url.path)", "TensorBoard event file (\(contents.events.first?.fileVersion ?? "no file version")): "
            + "\(contents.events.count) events, steps \(steps.min() ?? 0)–\(steps.max() ?? 0)"]
        if let first = times.min(), let last = times.max() {
            let format = ISO8601DateFormatter()
            lines.append("wall time: \(format.string(from: Date(timeIntervalSince1970: first))) → \(format.string(from: Date(timeIntervalSince1970: last)))")
        }
        if let hyperParameters = contents.hyperParameters {
            lines.append("hyper-parameters (HParams): " + hyperParameters.keys.sorted().map { key -> String in
                switch hyperParameters[key]! {
                case let .number(value): return "\(key)=" + (value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)")
                case let .string(value): return "\(key)=\(value)"
                case let .bool(value): return "\(key)=\(value)"
                }
            }.joined(separator: ", "))
        }
        let scalars = contents.scalars
        lines.append("scalars: \(scalars.count) tags (points, last step, last value)")
        let width = scalars.map(\.tag.count).max() ?? 0
        for (tag, points) in scalars {
            lines.append("  \(tag.padding(toLength: width, withPad: " ", startingAt: 0))  \(points.count)  step \(points.last!.step)  \(points.last!.value)")
        }
        let others = Set(contents.events.flatMap { ($0.summary ?? []).filter { $0.simpleValue == nil }.map(\.tag) }).sorted()
        if !others.isEmpty { lines.append("other summaries: " + others.joined(separator: ", ")) }
        if contents.tornBytes > 0 {
            lines.append("\(contents.tornBytes) bytes after the last complete record (a writer still running, or interrupted)")
        }
        return lines.joined(separator: "\n")
    }

    static func byteCount(_ bytes: Int) -> String {
        ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)
    }

    /// Quotes a word for a POSIX shell when it contains anything but safe characters.
    static func shellQuoted(_ word: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+%@")
        if !word.isEmpty && word.unicodeScalars.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
