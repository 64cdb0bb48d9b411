import Foundation

/// A dataset's source given on the command line instead of (or on top of) the catalog: where the
/// archive is (`--url`, repeatable, with `--sha256`) and, for a name the catalog lacks, how to
/// read it (`--layout`, `--data`, `--xml`).
///
/// ``validated(dataset:)`` checks the combination without reading the catalog and says exactly
/// what is missing or contradictory in the situation the user is in; the fetch command line
/// calls it while validating its arguments (bad ones exit with status 64).
public struct SourceDescription: Equatable, Sendable {
    public var urls: [String]
    public var sha256: String?
    public var layout: String?
    /// Comma-separated ARFF members.
    public var data: String?
    public var xml: String?

    public init(urls: [String] = [], sha256: String? = nil, layout: String? = nil, data: String? = nil, xml: String? = nil) {
        self.urls = urls
        self.sha256 = sha256
        self.layout = layout
        self.data = data
        self.xml = xml
    }

    /// Checks the options and returns the catalog entry they describe for `dataset`, or nil when
    /// they describe none (no options, or only `--url`/`--sha256` replacing a catalog entry's
    /// archive and checksum).
    public func validated(dataset: String) throws(SourceDescriptionError) -> CatalogEntry? {
        if let sha256 {
            let digits = sha256.lowercased()
            if !Catalog.isHexDigest(digits) {
                let wrong = digits.unicodeScalars.first { !"0123456789abcdef".unicodeScalars.contains($0) }
                throw SourceDescriptionError("--sha256 must be 64 hexadecimal digits; '\(sha256)' has \(sha256.count) characters"
                    + (wrong.map { ", including '\($0)', which is not a hexadecimal digit" } ?? ""))
            }
        }
        if !urls.isEmpty && sha256 == nil {
            throw SourceDescriptionError("--url needs --sha256: an archive given with --url is verified against its checksum before unpacking "
                + "(sha256sum FILE prints it)")
        }
        var kind: DatasetLayout?
        if let layout {
            guard let parsed = DatasetLayout(rawValue: layout) else {
                throw SourceDescriptionError("--layout must be mulan (labels named by an XML file) or meka (labels from -C in the relation name), not '\(layout)'")
            }
            kind = parsed
        }
        let given = [("--layout", layout), ("--data", data), ("--xml", xml)].filter { $0.1 != nil }.map(\.0)
        if given.isEmpty { return nil }
        if urls.isEmpty {
            throw SourceDescriptionError("\(given.joined(separator: ", ")) describe\(given.count == 1 ? "s" : "") an archive given with --url, and no --url was passed; "
                + "add --url (and --sha256) for a dataset the catalog lacks, or leave \(given.count == 1 ? "it" : "them") out to fetch the catalog's '\(dataset)'")
        }
        guard let kind else {
            throw SourceDescriptionError("an archive given with --url and \(given.joined(separator: ", ")) also needs --layout: mulan (labels named by --xml) or meka (labels from -C in the relation name)")
        }
        guard let data else {
            throw SourceDescriptionError("an archive given with --url and --layout also needs --data: the ARFF member(s) inside it whose rows form the dataset, comma-separated")
        }
        let members = data.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if members.isEmpty {
            throw SourceDescriptionError("--data '\(data)' names no file; give the ARFF member path(s) inside the archive, comma-separated")
        }
        switch kind {
        case .mulan where xml == nil:
            throw SourceDescriptionError("--layout mulan also needs --xml: the member of the archive whose <label name=\"…\"> elements name the labels")
        case .meka where xml != nil:
            throw SourceDescriptionError("--xml is only read with --layout mulan; MEKA files name their labels with -C in the relation. "
                + "Leave out --xml, or pass --layout mulan")
        default:
            break
        }
        let first = urls[0]
        let archive = URL(string: first).flatMap { $0.scheme == "http" || $0.scheme == "https" ? $0.lastPathComponent : nil }
            ?? (first.hasPrefix("file:") ? URL(string: first)?.lastPathComponent : nil)
            ?? (first as NSString).lastPathComponent
        return CatalogEntry(name: dataset, layout: kind, archive: archive.isEmpty || archive == "/" ? "\(dataset).archive" : archive,
                            sha256: sha256!.lowercased(), urls: urls, data: members, xml: xml)
    }
}

/// An invalid combination of `--url`, `--sha256`, `--layout`, `--data` and `--xml`; the message
/// says what is missing or contradictory and what to pass.
public struct SourceDescriptionError: Error, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
