import CArchive
import Foundation

/// What an archive's file name says it holds, the libarchive formats and filters allowed to
/// read it, and the messages that say what the content really is when it is something else.
struct ArchiveKind {
    /// The extension that makes the claim (e.g. `.tar.gz`); nil when the name claims nothing.
    let claimedExtension: String?
    /// libarchive format codes (`ARCHIVE_FORMAT_*` base values) the name allows.
    let formats: [Int32]
    /// libarchive filter codes the name allows (empty: no compression).
    let filters: [Int32]
    /// What the name claims, for messages (e.g. "a gzip-compressed tar archive").
    let claim: String

    /// The formats a name without an archive extension may be: what the catalog can name.
    static let anyCatalogFormat: [Int32] = [ARCHIVE_FORMAT_ZIP, ARCHIVE_FORMAT_RAR, ARCHIVE_FORMAT_RAR_V5,
                                            ARCHIVE_FORMAT_TAR, ARCHIVE_FORMAT_7ZIP, ARCHIVE_FORMAT_RAW]
    static let anyCatalogFilter: [Int32] = [ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_BZIP2, ARCHIVE_FILTER_XZ]

    /// Name endings and what they claim, longest first.
    private static let claims: [(suffixes: [String], formats: [Int32], filters: [Int32], claim: String)] = [
        ([".tar.gz", ".tgz"], [ARCHIVE_FORMAT_TAR], [ARCHIVE_FILTER_GZIP], "a gzip-compressed tar archive"),
        ([".tar.bz2", ".tbz2", ".tbz"], [ARCHIVE_FORMAT_TAR], [ARCHIVE_FILTER_BZIP2], "a bzip2-compressed tar archive"),
        ([".tar.xz", ".txz"], [ARCHIVE_FORMAT_TAR], [ARCHIVE_FILTER_XZ], "an xz-compressed tar archive"),
        ([".tar"], [ARCHIVE_FORMAT_TAR], [], "a tar archive"),
        ([".zip"], [ARCHIVE_FORMAT_ZIP], [], "a zip archive"),
        ([".rar"], [ARCHIVE_FORMAT_RAR, ARCHIVE_FORMAT_RAR_V5], [], "a rar archive"),
        ([".7z"], [ARCHIVE_FORMAT_7ZIP], [], "a 7-zip archive"),
        // NumPy files are kept whole: an .npz is a zip, but its members are one dataset's arrays.
        ([".npz", ".npy"], [ARCHIVE_FORMAT_RAW], [], "a NumPy file"),
        ([".gz"], [ARCHIVE_FORMAT_RAW], [ARCHIVE_FILTER_GZIP], "one gzip-compressed file"),
        ([".bz2"], [ARCHIVE_FORMAT_RAW], [ARCHIVE_FILTER_BZIP2], "one bzip2-compressed file"),
        ([".xz"], [ARCHIVE_FORMAT_RAW], [ARCHIVE_FILTER_XZ], "one xz-compressed file"),
    ]

    init(fileName: String) {
        let lower = fileName.lowercased()
        for claim in Self.claims {
            if let suffix = claim.suffixes.first(where: { lower.hasSuffix($0) }) {
                self.init(claimedExtension: suffix, formats: claim.formats, filters: claim.filters, claim: claim.claim)
                return
            }
        }
        self.init(claimedExtension: nil, formats: Self.anyCatalogFormat, filters: Self.anyCatalogFilter,
                  claim: "an archive or a plain file")
    }

    private init(claimedExtension: String?, formats: [Int32], filters: [Int32], claim: String) {
        self.claimedExtension = claimedExtension
        self.formats = formats
        self.filters = filters
        self.claim = claim
    }

    /// Lets `reader` detect only these formats and filters, plus `raw` (so that content of
    /// another kind is read as raw bytes and reported, never misread as an exotic format) and
    /// `empty` (a zero-length stream).
    func enable(on reader: OpaquePointer) {
        archive_read_support_format_empty(reader)
        for format in Set(formats + [ARCHIVE_FORMAT_RAW]) {
            switch format {
            case ARCHIVE_FORMAT_ZIP: archive_read_support_format_zip(reader)
            case ARCHIVE_FORMAT_RAR: archive_read_support_format_rar(reader)
            case ARCHIVE_FORMAT_RAR_V5: archive_read_support_format_rar5(reader)
            case ARCHIVE_FORMAT_TAR: archive_read_support_format_tar(reader)
            case ARCHIVE_FORMAT_7ZIP: archive_read_support_format_7zip(reader)
            default: archive_read_support_format_raw(reader)
            }
        }
        for filter in filters {
            switch filter {
            case ARCHIVE_FILTER_GZIP: archive_read_support_filter_gzip(reader)
            case ARCHIVE_FILTER_BZIP2: archive_read_support_filter_bzip2(reader)
            default: archive_read_support_filter_xz(reader)
            }
        }
    }

    /// Why the content (as detected at the first header) is not what the name claims, or nil.
    func mismatch(_ reader: OpaquePointer, archive: URL) -> String? {
        let format = archive_format(reader) & ARCHIVE_FORMAT_BASE_MASK
        let filter = archive_filter_code(reader, 0)
        guard let claimedExtension else { return nil }
        let formatMatches = formats.contains(format)
        let filterMatches = filters.isEmpty ? filter == ARCHIVE_FILTER_NONE : filters.contains(filter)
        if formatMatches && filterMatches { return nil }
        let actual: String
        if format == ARCHIVE_FORMAT_RAW && filter == ARCHIVE_FILTER_NONE {
            actual = "the content is not \(filters.isEmpty ? "such an archive" : "compressed that way"): it begins with \(Self.excerpt(of: archive))"
        } else if format == ARCHIVE_FORMAT_RAW {
            actual = "the content is \(Self.filterName(reader))-compressed data in no archive format"
        } else {
            actual = "the content is \(Self.formatName(reader))" + (filter == ARCHIVE_FILTER_NONE ? "" : " in \(Self.filterName(reader))")
        }
        return "the file name ends in \(claimedExtension), which means \(claim), but \(actual). "
            + "Rename the file to match its content, or fetch the right file"
    }

    /// The message for an archive that holds no entries at all.
    func noEntries(_ reader: OpaquePointer) -> String {
        let format = archive_format(reader) & ARCHIVE_FORMAT_BASE_MASK
        let filter = archive_filter_code(reader, 0)
        if format == ARCHIVE_FORMAT_EMPTY { return blankContent(bytes: 0, reader: reader) }
        let decompressed = filter == ARCHIVE_FILTER_NONE ? "" : " after \(Self.filterName(reader)) decompression"
        if format == ARCHIVE_FORMAT_TAR {
            return "it is an empty tar archive:\(decompressed) it starts with the zero-filled end-of-archive marker, "
                + "so it holds no file (a blank or zero-filled download?)"
        }
        return "it is an empty \(Self.formatName(reader)) archive with no file in it"
    }

    /// The message for a bare compressed file (or plain file) whose content is empty or all zero.
    func blankContent(bytes: Int64, reader: OpaquePointer) -> String {
        let filter = archive_filter_code(reader, 0)
        let subject = filter == ARCHIVE_FILTER_NONE ? "the file holds" : "its \(Self.filterName(reader)) stream decompresses to"
        let what = bytes == 0 ? "nothing (0 bytes)" : "\(bytes) bytes that are all zero"
        return "\(subject) \(what): no data at all, not a dataset file (a blank or zero-filled download?)"
    }

    private static func formatName(_ reader: OpaquePointer) -> String {
        archive_format_name(reader).map { String(cString: $0) } ?? "an unknown format"
    }

    private static func filterName(_ reader: OpaquePointer) -> String {
        archive_filter_name(reader, 0).map { String(cString: $0) } ?? "unknown"
    }

    /// The first bytes of a file for a message: quoted text, "N zero bytes" or hex.
    static func excerpt(of file: URL) -> String {
        guard let handle = FileHandle(forReadingAtPath: file.path) else { return "unreadable bytes" }
        defer { try? handle.close() }
        let bytes = [UInt8]((try? handle.read(upToCount: 24)) ?? Data())
        if bytes.isEmpty { return "nothing (the file is empty)" }
        if bytes.allSatisfy({ $0 == 0 }) { return "zero bytes" }
        if bytes.allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return "the text '" + String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n") + "'"
        }
        return "the bytes " + bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}
