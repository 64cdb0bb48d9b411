import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for download tests, written with POSIX sockets.
///
/// It serves one body at every path, honours `Range: bytes=N-` with 206, and follows a script:
/// reply i answers request i; once the script is used up it serves normally.
final class LoopbackServer: @unchecked Sendable {
    enum Reply: Sendable {
        /// Serve the body (honouring Range); with `cutAfter`, close after that many body bytes.
        case serve(cutAfter: Int?)
        /// Answer with this status and an empty body.
        case status(Int)
        /// Serve these bytes instead of the body.
        case other([UInt8])
    }

    let body: [UInt8]
    private let script: [Reply]
    private let lock = NSLock()
    private var seenRanges: [String?] = []
    private let listener: Int32
    /// Signalled when the accept loop has returned.
    private let loopEnded = DispatchSemaphore(value: 0)
    let port: UInt16

    init(body: [UInt8], script: [Reply] = []) throws {
        self.body = body
        self.script = script
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The URL of `path` on this server.
    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)/\(path)")! }

    /// The `Range` header of every request so far (nil when absent).
    var ranges: [String?] {
        lock.lock()
        defer { lock.unlock() }
        return seenRanges
    }

    /// Stops accepting: the shut-down listener makes the accept loop return, and only then is its
    /// descriptor closed. Closing it first would let a loop still busy with a connection call
    /// `accept` on a descriptor number that a server started meanwhile (tests run in parallel)
    /// has been given, and answer that server's requests with this server's script.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        loopEnded.wait()
        close(listener)
    }

    private func acceptLoop() {
        defer { loopEnded.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: request, as: UTF8.self).contains("\r\n\r\n") {
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 { return }
            request.append(contentsOf: chunk[0..<count])
        }
        let headers = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
        let range = headers.first { $0.lowercased().hasPrefix("range:") }.map { $0.dropFirst(6).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        let index = seenRanges.count
        seenRanges.append(range)
        lock.unlock()
        let reply = index < script.count ? script[index] : .serve(cutAfter: nil)
        switch reply {
        case let .status(code):
            send(connection, "HTTP/1.1 \(code) Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", [])
        case let .other(bytes):
            send(connection, "HTTP/1.1 200 OK\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n", bytes)
        case let .serve(cutAfter):
            var start = 0
            if let range, range.hasPrefix("bytes="), let from = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
                start = from
            }
            let part = Array(body[start...])
            let head = start > 0
                ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes \(start)-\(body.count - 1)/\(body.count)\r\n"
                : "HTTP/1.1 200 OK\r\n"
            let sent = cutAfter.map { Array(part.prefix($0)) } ?? part
            send(connection, head + "Content-Length: \(part.count)\r\nConnection: close\r\n\r\n", sent)
        }
    }

    private func send(_ connection: Int32, _ head: String, _ payload: [UInt8]) {
        let bytes = Array(head.utf8) + payload
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }
}
