import Foundation

/// Slurm's client commands as the Slurm executor uses them: `sbatch` submits, `squeue` lists
/// the jobs still queued or running, `scontrol show job` tells how a finished job ended (it
/// works without accounting storage, unlike `sacct`), `scancel` cancels.
/// The commands are found on PATH and read `SLURM_CONF` like any Slurm client.
struct SlurmQueue {
    /// Throws unless the Slurm controller answers (`scontrol ping`).
    func ping() throws {
        let result = try Self.run(["scontrol", "ping"])
        guard result.ending == .exited(0) else {
            let answer = (result.output + "\n" + result.errors).split(whereSeparator: \.isNewline).joined(separator: "; ")
            throw PipelineError.io(path: "scontrol ping", reason: "the Slurm controller does not answer (\(answer)); check that slurmctld runs and SLURM_CONF names its configuration, or run with `--executor local`")
        }
    }

    /// Submits `script`, held until every job in `afterOK` has succeeded (and cancelled by Slurm
    /// if one of them fails: the script asks for `--kill-on-invalid-dep=yes`). Returns the job id.
    func submit(script: URL, afterOK: [String]) throws -> String {
        let dependency = afterOK.isEmpty ? [] : ["--dependency=afterok:" + afterOK.joined(separator: ":")]
        let result = try Self.run(["sbatch", "--parsable"] + dependency + [script.path])
        let id = result.output.split(whereSeparator: \.isNewline).last?.split(separator: ";").first.map(String.init) ?? ""
        guard result.ending == .exited(0), !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw PipelineError.io(path: script.path, reason: "sbatch refused the job: \(result.failure)")
        }
        return id
    }

    /// The squeue state (`PENDING`, `RUNNING`, `COMPLETING`, …) and name of each job of `ids`
    /// still in the queue; finished and unknown jobs are absent.
    func listed(_ ids: [String]) throws -> [String: (state: String, name: String)] {
        guard !ids.isEmpty else { return [:] }
        let result = try Self.run(["squeue", "--noheader", "--jobs=" + ids.joined(separator: ","), "--format=%i|%T|%j"])
        guard result.ending == .exited(0) else {
            // Every id finished long ago and was purged: nothing is listed.
            if result.errors.contains("Invalid job id") { return [:] }
            throw PipelineError.io(path: "squeue", reason: result.failure)
        }
        var jobs: [String: (state: String, name: String)] = [:]
        for line in result.output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            if fields.count == 3 { jobs[fields[0].trimmingCharacters(in: .whitespaces)] = (fields[1], fields[2]) }
        }
        return jobs
    }

    /// What `scontrol show job` says about job `id`, or nil if the controller no longer knows it
    /// (Slurm forgets finished jobs after `MinJobAge`, 300 s by default).
    func info(_ id: String) throws -> SlurmJobInfo? {
        let result = try Self.run(["scontrol", "--oneliner", "show", "job", id])
        guard result.ending == .exited(0) else {
            if result.errors.contains("Invalid job id") { return nil }
            throw PipelineError.io(path: "scontrol", reason: result.failure)
        }
        return SlurmJobInfo(scontrol: result.output)
    }

    /// Asks Slurm to cancel the jobs (errors, e.g. for jobs that already ended, are ignored).
    func cancel(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        _ = try? Self.run(["scancel"] + ids)
    }

    /// The result of a command run to completion.
    struct CommandResult {
        var ending: JobEnding
        var output: String
        var errors: String

        /// The command's error text (or its ending when it printed none), for messages.
        var failure: String {
            let text = errors.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? ending.description : text.replacingOccurrences(of: "\n", with: "; ")
        }
    }

    /// Runs `command` (its first word looked up on PATH) and captures stdout and stderr.
    static func run(_ command: [String]) throws -> CommandResult {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mlbatch-\(command[0])-\(UUID().uuidString)")
        let output = base.appendingPathExtension("out")
        let errors = base.appendingPathExtension("err")
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        let process: ChildProcess
        do {
            process = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()), log: output, errors: errors)
        } catch {
            throw PipelineError.io(path: command[0], reason: "cannot run `\(command[0])`: is Slurm installed here and on PATH? (\(error))")
        }
        let ending = process.wait()
        return CommandResult(ending: ending,
                             output: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
                             errors: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}

/// The fields of `scontrol --oneliner show job` the executor reads.
struct SlurmJobInfo: Equatable {
    var name: String
    /// `JobState`: `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, …
    var jobState: String
    var reason: String
    /// `ExitCode=<status>:<signal>`.
    var exitCode: String

    /// Parses one line of `key=value` words; nil if it has no `JobState`.
    init?(scontrol line: String) {
        var fields: [Substring: Substring] = [:]
        for word in line.split(whereSeparator: \.isWhitespace) {
            guard let equals = word.firstIndex(of: "="), fields[word[..<equals]] == nil else { continue }
            fields[word[..<equals]] = word[word.index(after: equals)...]
        }
        guard let state = fields["JobState"] else { return nil }
        name = String(fields["JobName"] ?? "")
        jobState = String(state)
        reason = String(fields["Reason"] ?? "None")
        exitCode = String(fields["ExitCode"] ?? "0:0")
    }

    /// The job's state for the runner.
    var state: JobState { Self.state(jobState, reason: reason, exitCode: exitCode) }

    /// Maps a Slurm job state to the runner's: pending ones are queued, active ones running,
    /// anything else finished with the exit status, the signal or Slurm's reason.
    static func state(_ jobState: String, reason: String = "None", exitCode: String = "0:0") -> JobState {
        switch jobState {
        case "PENDING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD":
            return .queued
        case "RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED", "STAGE_OUT", "SIGNALING", "RESIZING", "STOPPED":
            return .running
        default:
            break
        }
        let parts = exitCode.split(separator: ":").map { Int32($0) ?? 0 }
        let (status, signal) = (parts.first ?? 0, parts.count > 1 ? parts[1] : 0)
        let because = reason == "None" ? "" : " (\(reason))"
        switch jobState {
        case "COMPLETED",
             "FAILED" where signal != 0 || status != 0:
            return .finished(signal != 0 ? .signalled(signal) : .exited(status))
        case "CANCELLED":
            return .finished(.stopped("cancelled" + because))
        case "TIMEOUT":
            return .finished(.stopped("time limit reached (TIMEOUT): raise `time` in the executor block"))
        case "OUT_OF_MEMORY":
            return .finished(.stopped("out of memory (OUT_OF_MEMORY): raise `mem` in the executor block"))
        default:
            return .finished(.stopped("ended by Slurm: \(jobState)" + because))
        }
    }
}
