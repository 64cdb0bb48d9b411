import Formats
import Foundation

/// The batch script `slurm.sh` written into an instance folder: `#SBATCH` lines naming the
/// job, the project root it runs in, its log and its resources, then exactly the
/// `pipeline stage …` command the local executor runs. Dependencies are not in the script
/// (job ids change with every submission): they are passed to `sbatch` on its command line.
public enum SlurmScript {
    public static let fileName = "slurm.sh"

    /// The script of `job` with `resources` (`cpusPerTask` defaults to the stage's threads, else 1).
    public static func text(for job: StageJob, resources: SlurmResources) throws -> String {
        var lines = ["#!/bin/sh",
                     "# Stage instance \(job.name), written by `pipeline run --executor slurm`, which submits it as",
                     "# sbatch --parsable [--dependency=afterok:<job ids of its upstream instances>] \(fileName)"]
        func option(_ name: String, _ value: String?) throws {
            guard let value else { return }
            guard !value.contains("\""), !value.contains(where: \.isNewline) else {
                throw PipelineError.io(path: value, reason: "a double quote or line break cannot be passed on an #SBATCH line; use a path or name without them")
            }
            lines.append("#SBATCH --\(name)=\"\(value)\"")
        }
        try option("job-name", job.name)
        try option("chdir", job.workingDirectory)
        // `%` starts a file-name pattern in --output (`%j`: the job id); `%%` is a literal one.
        try option("output", job.log.path.replacingOccurrences(of: "%", with: "%%"))
        lines += ["#SBATCH --open-mode=append", "#SBATCH --kill-on-invalid-dep=yes"]
        try option("cpus-per-task", String(resources.cpusPerTask ?? job.threads ?? 1))
        try option("partition", resources.partition)
        try option("account", resources.account)
        try option("qos", resources.qos)
        try option("time", resources.time)
        try option("mem", resources.mem)
        lines += (resources.extra ?? []).map { "#SBATCH " + $0 }
        lines.append("set -e")
        lines += resources.prologue ?? []
        lines.append("exec " + job.command.map(shellQuoted).joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `word` in single quotes for a POSIX shell.
    static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
