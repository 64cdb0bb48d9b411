/// Everything that can go wrong while fetching, unpacking or loading a dataset.
/// Each message names the file (and line, where there is one), the problem and the fix.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The catalog file is missing or malformed.
    case catalog(path: String, reason: String)
    /// `--dataset` names no catalog entry.
    case unknownDataset(name: String, catalog: String, known: [String])
    /// The archive is in no mirror folder and cannot be downloaded.
    case notFound(file: String, searched: [String])
    /// A local file given as the archive's location (`--url PATH` when `explicit`, else the
    /// catalog's `urls`) does not exist.
    case localSourceMissing(path: String, explicit: Bool)
    /// A download failed (after retries).
    case download(url: String, reason: String)
    /// The archive's SHA-256 differs from the expected one (a bad download is deleted).
    case checksumMismatch(file: String, expected: String, actual: String, deleted: Bool)
    /// The archive is corrupt, truncated or not an archive.
    case archive(file: String, reason: String)
    /// An archive entry would be written outside the target folder.
    case unsafeEntry(file: String, entry: String, reason: String)
    /// Unpacking produced more bytes than allowed.
    case unpackedSizeLimit(file: String, limit: Int64)
    /// The archive holds more entries than allowed.
    case unpackedEntryLimit(file: String, limit: Int)
    /// An ARFF file is malformed; `line` is 1-based (0 when the problem concerns the whole file).
    case arff(file: String, line: Int, reason: String)
    /// A data file of `--format npy|npz|csv|tsv|xmlc` does not hold a valid dataset; `line` is
    /// 1-based (0 when no one line is at fault: NumPy files name rows and columns instead).
    case content(file: String, line: Int, reason: String)
    /// The Mulan label XML is not well-formed; `line` is 1-based.
    case xml(file: String, line: Int, reason: String)
    /// The label definition (Mulan XML or MEKA `-C`) does not fit the ARFF file.
    case labels(file: String, reason: String)
    /// A data or XML file the dataset description lists is not in the unpacked archive.
    /// `key` is the entry's field listing it (`data` or `xml`).
    case missingMember(archive: String, member: String, key: String, available: [String], listedBy: EntryOrigin)
    /// Writing the normalised dataset failed.
    case output(path: String, reason: String)

    public var description: String {
        switch self {
        case let .catalog(path, reason):
            return "\(path): \(reason)"
        case let .unknownDataset(name, catalog, known):
            return "dataset '\(name)' is not in \(catalog); known datasets: \(known.joined(separator: ", ")). "
                + "Use one of these names, add an entry to the catalog, or describe the archive with --url, --sha256, --layout and --data."
        case let .notFound(file, searched):
            let places = searched.isEmpty ? "no mirror folder is configured" : "looked in " + searched.joined(separator: ", ")
            return "\(file): not found (\(places)) and the catalog gives no download URL. "
                + "Set MLBATCH_MIRROR or --mirror to a folder holding it, or pass --url with --sha256."
        case let .localSourceMissing(path, explicit):
            return explicit
                ? "\(path): no such file (given with --url). --url takes an http(s) URL or the path of an existing local archive; check the path."
                : "\(path): no such file (listed in the catalog entry's urls). Fix the path in the catalog, or put the archive in a mirror folder."
        case let .download(url, reason):
            return "\(url): download failed: \(reason). Check the URL and the network, or put the file in a mirror folder."
        case let .checksumMismatch(file, expected, actual, deleted):
            return "\(file): SHA-256 mismatch (expected \(expected), got \(actual))"
                + (deleted ? "; the bad download was deleted. Fetch again, or fix the checksum if the catalog is wrong."
                           : ". The file is damaged or not the catalogued version: replace it, or fix the checksum.")
        case let .archive(file, reason):
            return "\(file): cannot unpack: \(reason). The archive is damaged; delete it and fetch it again."
        case let .unsafeEntry(file, entry, reason):
            return "\(file): refusing archive entry '\(entry)': \(reason). Nothing was unpacked; use a trusted archive."
        case let .unpackedSizeLimit(file, limit):
            return "\(file): unpacked content exceeds the limit of \(limit) bytes (possible zip bomb); "
                + "raise --max-unpacked-bytes if the archive is trusted."
        case let .unpackedEntryLimit(file, limit):
            return "\(file): the archive holds more than \(limit) entries (a dataset archive holds a handful; possible archive bomb); "
                + "raise --max-unpacked-entries if the archive is trusted."
        case let .xml(file, line, reason):
            return "\(file):\(line): the label XML is not well-formed: \(reason). Fix the XML (or fetch a fresh copy of the archive)."
        case let .arff(file, line, reason), let .content(file, line, reason):
            let place = line > 0 ? "\(file):\(line)" : file
            return "\(place): \(reason)"
        case let .labels(file, reason):
            return "\(file): \(reason)"
        case let .missingMember(archive, member, key, available, listedBy):
            let shown = available.isEmpty ? "no files" : "only: " + available.prefix(20).joined(separator: ", ")
                + (available.count > 20 ? " (and \(available.count - 20) more)" : "")
            switch listedBy {
            case let .catalog(path):
                return "\(archive): the catalog lists '\(member)' but the archive holds \(shown). Fix the entry's \(key) path in \(path)."
            case .commandLine:
                return "\(archive): --\(key) names '\(member)' but the archive holds \(shown). Pass --\(key) with a path from this list."
            }
        case let .output(path, reason):
            return "\(path): \(reason)"
        }
    }
}

/// Who described a dataset, so that a message points at the right thing to fix.
public enum EntryOrigin: Equatable, Sendable {
    /// An entry of the catalog file at this path.
    case catalog(String)
    /// The command line (`--url`, `--sha256`, `--format` or `--layout`, `--data`, `--xml`).
    case commandLine
}
