import COpenSSL
import Foundation

/// SHA-256 digests (OpenSSL's libcrypto), as lower-case hex strings.
public enum SHA256 {
    /// The digest of an in-memory buffer.
    public static func hex(of data: Data) -> String {
        var hasher = Hasher256()
        data.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeHex()
    }

    /// The digest of a file, streamed in 1 MiB chunks (constant memory).
    public static func hex(ofFile url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ArtifactError.missing(path: url.path, hint: "Cannot hash a file that does not exist.")
        }
        defer { try? handle.close() }
        var hasher = Hasher256()
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }

    /// An incremental SHA-256 computation.
    public struct Hasher256: ~Copyable {
        private let context: OpaquePointer

        public init() {
            context = EVP_MD_CTX_new()
            EVP_DigestInit_ex(context, EVP_sha256(), nil)
        }

        deinit { EVP_MD_CTX_free(context) }

        /// Adds bytes to the digest.
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            EVP_DigestUpdate(context, base, bytes.count)
        }

        /// Adds the UTF-8 bytes of a string to the digest.
        public mutating func update(_ text: String) {
            var copy = text
            copy.withUTF8 { update(UnsafeRawBufferPointer($0)) }
        }

        /// Finishes the digest and returns it as 64 lower-case hex characters.
        public consuming func finalizeHex() -> String {
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &digest, &length)
            return digest.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
        }
    }
}
