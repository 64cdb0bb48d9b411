import Foundation
import Testing
import TestSupport

/// The kill soak, shortened: the shipped quickstart killed in three rounds, one of each kind
/// (`scripts/kill_soak.py`; docs/reliability.md reports the long run): SIGKILL at a seeded random
/// moment (the runner alone or its whole process group); every train instance killed at a named
/// point of its finish (seed 3 picks `selected.npy`: halfway through renaming the history files
/// into place); SIGKILL while analyze runs. Rerun after each, the pipeline ends with the same
/// digested artifacts as an uninterrupted run, up to date, with nothing left behind.
@Suite struct KillSoakTests {
    @Test func killedQuickstartEndsWithTheUninterruptedArtifacts() async throws {
        let result = try await TestSupport.offCooperativePool {
            try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"),
                                ["python3", "scripts/kill_soak.py", "--kills", "3", "--seed", "3",
                                 "--binary", TestSupport.productsFolder.appendingPathComponent("pipeline").path,
                                 "--work", TestSupport.temporaryFolder("kill-soak").path],
                                currentDirectory: TestSupport.packageRoot)
        }
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("train instance(s) killed themselves at selected.npy\n"), "\(result.standardOutput)")
        #expect(!result.standardOutput.contains("round  2 (finish): 0 train"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("instances identical to the uninterrupted run: 9 of 9; status: all up to date; left behind: 0"),
                "\(result.standardOutput)")
    }
}
