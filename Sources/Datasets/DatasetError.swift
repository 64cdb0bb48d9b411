/// Everything that can go wrong while fetching, unpacking or loading a dataset.
/// Each message names the file (and line, where there is one), the problem and the fix.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The catalog file is missing or malformed.
    case catalog(path: String, reason: String)
    /// `--dataset` names no catalog entry.
    case unknownDataset(name: String, catalog: String, known: [String])
    /// The archive is in no mirror folder and cannot be downloaded.
    case notFound(file: String, searched: [String])
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
    /// An ARFF file is malformed; `line` is 1-based (0 when the problem concerns the whole file).
    case arff(file: String, line: Int, reason: String)
    /// The label definition (Mulan XML or MEKA `-C`) does not fit the ARFF file.
    case labels(file: String, reason: String)
    /// A file the catalog lists is not in the unpacked archive.
    case missingMember(archive: String, member: String, available: [String])
    /// Writing the normalised dataset failed.
    case output(path: String, reason: String)

    public var description: String {
        switch self {
        case let .catalog(path, reason):
            return "\(path): \(reason)"
        case let .unknownDataset(name, catalog, known):
            return "dataset '\(name)' is not in \(catalog); known datasets: \(known.joined(separator: ", ")). "
                + "Use one of these names, or add an entry to the catalog."
        case let .notFound(file, searched):
            let places = searched.isEmpty ? "no mirror folder is configured" : "looked in " + searched.joined(separator: ", ")
            return "\(file): not found (\(places)) and the catalog gives no download URL. "
                + "Set MLBATCH_MIRROR or --mirror to a folder holding it, or pass --url with --sha256."
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
        case let .arff(file, line, reason):
            let place = line > 0 ? "\(file):\(line)" : file
            return "\(place): \(reason)"
        case let .labels(file, reason):
            return "\(file): \(reason)"
        case let .missingMember(archive, member, available):
            return "\(archive): the catalog lists '\(member)' but the archive holds only: "
                + available.joined(separator: ", ") + ". Fix the entry's data/xml paths in the catalog."
        case let .output(path, reason):
            return "\(path): \(reason)"
        }
    }
}
