import Foundation
import Testing
import TestSupport

/// The kill soak, shortened: the shipped quickstart killed with SIGKILL at three seeded random
/// moments (the runner alone or its whole process group), rerun after each kill, ends with the
/// same digested artifacts as an uninterrupted run (`scripts/kill_soak.py`; docs/reliability.md
/// reports the 20-kill run).
@Suite struct KillSoakTests {
    @Test func killedQuickstartEndsWithTheUninterruptedArtifacts() async throws {
        let result = try await TestSupport.offCooperativePool {
            try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"),
                                ["python3", "scripts/kill_soak.py", "--kills", "3", "--seed", "5",
                                 "--binary", TestSupport.productsFolder.appendingPathComponent("pipeline").path,
                                 "--work", TestSupport.temporaryFolder("kill-soak").path],
                                currentDirectory: TestSupport.packageRoot)
        }
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("instances identical to the uninterrupted run: 9 of 9; status: all up to date"),
                "\(result.standardOutput)")
    }
}
