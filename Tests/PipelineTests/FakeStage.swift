import Foundation
import Pipeline

/// A stand-in for the stage executables, as a POSIX shell script, for testing the runner's
/// scheduling, caching and recovery without training anything.
///
/// `sh fake.sh <type> --output DIR [--dataset|--split|--runs DIR]… [--flag=value]…` writes
/// `out.txt` (its type and parameter flags, then the `out.txt` of every input folder, so content
/// changes propagate downstream), appends a line to `attempts.txt`, writes progress events for
/// train, and writes `manifest.json` last with the real SHA-256 of `out.txt`.
/// Instances whose output folder contains `fail` exit 3; those containing `dieOnce` write
/// `partial.txt` and kill themselves on their first attempt; train sleeps `sleep` seconds.
/// Every process registers in `active/` while it runs and records how many it saw at once.
struct FakeStage {
    let folder: URL
    var fail: String?
    var dieOnce: String?
    var sleep: Double = 0

    var launcher: StageLauncher {
        let script = folder.appendingPathComponent("fake-\(UUID().uuidString).sh")
        let text = """
        type=$1; shift
        out=""; inputs=""; content="$type"
        while [ $# -gt 0 ]; do
          case "$1" in
            --output) out=$2; shift ;;
            --split|--runs) inputs="$inputs $2"; content="$content $1"; shift ;;
            --dataset) if [ "$type" = fetch ]; then content="$content $1 $2"; else inputs="$inputs $2"; content="$content $1"; fi; shift ;;
            --*=*) content="$content ${1%%=*} ${1#*=}" ;;
            *) content="$content $1 $2"; shift ;;
          esac
          shift
        done
        active="\(folder.path)/active"; mkdir -p "$active"; touch "$active/$$"
        ls "$active" | wc -l >> "\(folder.path)/active-counts"
        mkdir -p "$out"
        echo start >> "$out/attempts.txt"
        for dir in $inputs; do content="$content | $(cat "$dir/out.txt")"; done
        if [ "$type" = train ]; then
          for epoch in 1 2 3; do
            echo "epoch $epoch/3 loss=0.5"
            echo "{\\"epoch\\":$epoch,\\"epochs\\":3,\\"etaSeconds\\":$epoch,\\"pressure\\":1,\\"seconds\\":1,\\"selectionSeconds\\":0,\\"trainLoss\\":0.5,\\"validationLoss\\":0.5,\\"validationMacroAUC\\":0.5}" >> "$out/.progress.jsonl"
          done
          sleep \(sleep)
        fi
        rm -f "$active/$$"
        case "$out" in *"\(fail ?? "\u{1}")"*) echo "boom: cannot train" >&2; exit 3 ;; esac
        case "$out" in *"\(dieOnce ?? "\u{1}")"*)
          if [ "$(wc -l < "$out/attempts.txt")" -eq 1 ]; then echo partial > "$out/partial.txt"; kill -9 $$; fi ;;
        esac
        printf '%s\\n' "$content" > "$out/out.txt"
        sha=$(sha256sum "$out/out.txt" | cut -d' ' -f1)
        printf '{"stage":"%s","toolVersion":"0.1.0","parameters":{},"inputs":[],"outputs":{"out.txt":"%s"},"startedAt":"s","finishedAt":"f","host":"h","command":[]}' "$type" "$sha" > "$out/manifest.json"
        """
        try! text.write(to: script, atomically: true, encoding: .utf8)
        return StageLauncher(executable: "/bin/sh", leadingArguments: [script.path])
    }

    /// The most stage processes that were running at once. Each process appends the count it saw
    /// (one short O_APPEND write, so concurrent processes cannot overwrite each other's record).
    var maxActive: Int {
        let text = (try? String(contentsOf: folder.appendingPathComponent("active-counts"), encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isNewline)
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.max() ?? 0
    }
}
