import Foundation

extension TestSupport {
    /// Runs `attempt` `iterations` times on one thread while a second thread runs `probe` as
    /// often, and returns how many probes failed.
    ///
    /// For resources the kernel hands out by number or address (descriptors, mappings): an
    /// `attempt` that releases one of its own twice releases the probe's new one at the same
    /// number in between, which the probe sees. Both loops run on their own threads, started
    /// together, so they overlap whatever the test scheduler does.
    public static func failedProbes(iterations: Int, racing attempt: @escaping @Sendable () -> Void,
                                    probe: @escaping @Sendable () -> Bool) -> Int {
        let failures = LockedCount()
        let start = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            start.wait()
            for _ in 0..<iterations { attempt() }
            done.signal()
        }.start()
        Thread {
            start.wait()
            for _ in 0..<iterations where !probe() { failures.increment() }
            done.signal()
        }.start()
        start.signal()
        start.signal()
        done.wait()
        done.wait()
        return failures.value
    }
}

extension TestSupport {
    /// A probe for ``failedProbes(iterations:racing:probe:)``: opens `path`, reads its first
    /// byte a few times and closes it; false when the descriptor was closed underneath.
    public static func descriptorSurvives(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        var byte: UInt8 = 0
        for _ in 0..<20 where pread(descriptor, &byte, 1, 0) < 0 { return false }
        return close(descriptor) == 0
    }
}

/// A counter two threads may bump.
private final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
