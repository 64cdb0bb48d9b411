import Foundation

/// Test-only: with `MLBATCH_TEST_KILL_AT=<point>` in its environment, the train stage kills
/// itself (SIGKILL) on reaching that point of its finishing step, so the kill soak
/// (`scripts/kill_soak.py`) and the pipeline tests (TrainFinishTests.swift) kill it there
/// deterministically instead of by timing. The points, in order, are listed in
/// docs/reliability.md ("Finishing a train run"). Without the variable nothing happens.
enum TestKillPoint {
    static func reached(_ point: String) {
        guard ProcessInfo.processInfo.environment["MLBATCH_TEST_KILL_AT"] == point else { return }
        FileHandle.standardError.write(Data("MLBATCH_TEST_KILL_AT: killed at \(point)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
