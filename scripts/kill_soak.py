#!/usr/bin/env python3
"""Kill soak: a pipeline killed at seeded random moments ends with the same artifacts.

    python3 scripts/kill_soak.py --pipeline quickstart --kills 36 --seed 7 [--binary .build/debug/pipeline] [--work DIR]

1. Runs the pipeline once uninterrupted into WORK/run, times it (T) and moves it to WORK/reference
   (the soak then writes the same paths, which reports and manifests name).
2. Into WORK/run, `--kills` rounds, each of one kind in turn (time, finish, analyze, time, ...):
   - time: starts `pipeline run`, waits a seeded random time in [0, T), then SIGKILLs either the
     runner alone (its stage processes live on as orphans; the next run waits until they have
     exited) or the runner's whole process group, chosen at random;
   - finish: runs the pipeline with MLBATCH_TEST_KILL_AT set to a seeded random point of train's
     finishing step (docs/reliability.md, "Finishing a train run"), so every train instance that
     finishes in this run SIGKILLs itself at that point;
   - analyze: starts `pipeline run`, waits until an analyze instance holds its folder's stage
     lock, then a seeded random time within 80 % of the time it held that lock in the reference
     run, and SIGKILLs either
     that analyze process alone (the runner records it as failed and goes on) or the whole group.
   A round whose target is built already starts over from an empty WORK/run: for time and
   finish rounds, every train instance (so that a time round does not find only analyze left,
   and a finish round has a train instance to kill); for analyze rounds, the analyze instances.
   A finish round thus resumes what the time round before it killed, and an analyze round
   finishes what the finish round before it killed.
3. Runs the pipeline to completion, then compares every instance's digested outputs (the
   output hashes of its manifest.json) with the reference, checks `pipeline status`, and checks
   that no instance folder holds a checkpoint, a `.partial` file or a temporary file.

Prints one line per round and a summary; exits 1 if any instance differs or is missing, or
anything was left behind. Run from the repository root (the pipeline file's relative paths are
resolved against it).
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The points of train's finish at which MLBATCH_TEST_KILL_AT kills it, in order
# (Sources/Training/TestKillPoint.swift; docs/reliability.md, "Finishing a train run").
FINISH_POINTS = ["finish", "prediction-epochs.npy", "predictions.npy", "correlation.npy", "weights.npy", "selected.npy",
                 "order.npy", "test-metrics.json", "events.out.tfevents.mlbatch", "checkpoint-removed", "run.json", "manifest.json"]
KILL_LINE = "MLBATCH_TEST_KILL_AT: killed at "
KINDS = ["time", "finish", "analyze"]


def run(binary, pipeline, artifacts, kill_at=None):
    environment = dict(os.environ)
    environment.pop("MLBATCH_TEST_KILL_AT", None)
    if kill_at:
        environment["MLBATCH_TEST_KILL_AT"] = kill_at
    return subprocess.Popen([binary, "run", pipeline, "--plain", "--artifacts", str(artifacts)], env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def kill(runner, whole_group):
    if whole_group:
        os.killpg(runner.pid, signal.SIGKILL)
    else:
        runner.send_signal(signal.SIGKILL)
    runner.wait()
    # Orphaned stage processes of a runner killed alone finish their instance first.
    while group_alive(runner.pid):
        time.sleep(0.05)


def digests(root):
    """instance folder (relative) -> outputs of its manifest.json."""
    result = {}
    for manifest in sorted(Path(root).glob("*/*/manifest.json")):
        result[str(manifest.parent.relative_to(root))] = json.loads(manifest.read_text())["outputs"]
    return result


def stage_of(folder):
    return json.loads((folder / "manifest.json").read_text())["stage"]


def lock_holder(folder):
    """The PID of the live stage process writing `folder`, or None. It is the PID that
    `.stage.lock` records, if that process runs with `--output` naming the folder. (Probing the
    flock itself would race with a stage process taking it, which then refuses to start.)"""
    try:
        pid = int((folder / ".stage.lock").read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    output = command[command.index(b"--output") + 1].decode() if b"--output" in command else ""
    return pid if output.endswith("/".join(folder.parts[-2:])) else None


def watch_locks(process, root):
    """Waits for `process`, polling every 10 ms; returns for each instance folder below `root`
    (as `<pipeline>/<stage>/<instance>`) how long a stage process was seen holding its lock."""
    first, last = {}, {}
    while process.poll() is None:
        now = time.monotonic()
        for lock in Path(root).glob("*/*/*/.stage.lock"):
            if lock_holder(lock.parent):
                key = str(lock.parent.relative_to(root))
                first.setdefault(key, now)
                last[key] = now
        time.sleep(0.01)
    return {key: last[key] - first[key] for key in first}


def kill_lines(root):
    """How many stage logs below root record a kill at a finish point, in total."""
    return sum(log.read_text(errors="replace").count(KILL_LINE) for log in Path(root).glob("*/*/stage.log"))


def leftovers(root):
    """Checkpoints, partial files and temporary files of atomic writes in the instance folders."""
    found = []
    for folder in sorted(Path(root).glob("*/*")):
        for path in folder.rglob("*"):
            name = path.name
            if name.startswith("checkpoint") or name.endswith(".partial") or (name.startswith(".") and ".tmp-" in name):
                found.append(str(path.relative_to(root)))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pipeline", default="quickstart")
    parser.add_argument("--kills", type=int, default=36, help="rounds, each of one kind in turn: time, finish, analyze")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--binary", default=".build/debug/pipeline")
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    binary = str(Path(args.binary).resolve())
    work = Path(args.work or tempfile.mkdtemp(prefix="kill-soak-"))
    rng = random.Random(args.seed)

    start = time.monotonic()
    reference = run(binary, args.pipeline, work / "run")
    held = watch_locks(reference, work / "run")
    if reference.returncode != 0:
        sys.exit(f"error: the uninterrupted run of {args.pipeline} failed (see {work / 'run'})")
    duration = time.monotonic() - start
    (work / "run").rename(work / "reference")
    name = next(path.name for path in (work / "reference").iterdir() if path.is_dir())
    expected = digests(work / "reference" / name)
    folders = {stage: [f for f in expected if stage_of(work / "reference" / name / f) == stage] for stage in ("train", "analyze")}
    analyze_seconds = min([held.get(f"{name}/{f}", 0) for f in folders["analyze"]] or [0])
    print(f"reference run: {duration:.1f} s, {len(expected)} instances (analyze held its folder for {analyze_seconds:.2f} s)")

    run_root = work / "run" / name
    targets = {"time": folders["train"], "finish": folders["train"], "analyze": folders["analyze"]}
    counts = {"runner": 0, "group": 0, "analyze alone": 0, "inside analyze": 0, "finish points": 0, "no kill": 0}
    for round_number in range(1, args.kills + 1):
        kind = KINDS[(round_number - 1) % len(KINDS)]
        if not targets[kind] or all((run_root / f / "manifest.json").exists() for f in targets[kind]):
            shutil.rmtree(work / "run", ignore_errors=True)
        if kind == "finish":
            point = rng.choice(FINISH_POINTS)
            before = kill_lines(run_root)
            run(binary, args.pipeline, work / "run", kill_at=point).wait()
            fired = kill_lines(run_root) - before
            counts["finish points"] += fired
            counts["no kill"] += fired == 0
            print(f"round {round_number:2d} (finish): {fired} train instance(s) killed themselves at {point}")
            continue
        whole_group = rng.random() < 0.5
        runner = run(binary, args.pipeline, work / "run")
        if kind == "time":
            delay = rng.uniform(0, duration)
            time.sleep(delay)
            moment, analyzer = f"after {delay:.2f} s", None
        else:
            while runner.poll() is None and not any(lock_holder(run_root / f) for f in targets["analyze"]):
                time.sleep(0.01)
            delay = rng.uniform(0, 0.8 * analyze_seconds)
            time.sleep(delay)
            analyzer = next((pid for pid in (lock_holder(run_root / f) for f in targets["analyze"]) if pid), None)
            moment = f"{delay:.2f} s into analyze" + ("" if analyzer else " (analyze had finished)")
        if runner.poll() is not None:
            counts["no kill"] += 1
            print(f"round {round_number:2d} ({kind}): the run had finished {moment} (exit {runner.returncode})")
            continue
        if analyzer and not whole_group:
            os.kill(analyzer, signal.SIGKILL)
            runner.wait()
            counts["analyze alone"] += 1
            victim = f"analyze process alone (PID {analyzer})"
        else:
            kill(runner, whole_group)
            counts["group" if whole_group else "runner"] += 1
            victim = "whole process group" if whole_group else "runner alone"
        counts["inside analyze"] += analyzer is not None
        print(f"round {round_number:2d} ({kind}): SIGKILL to the {victim} {moment}")

    final = run(binary, args.pipeline, work / "run")
    if final.wait() != 0:
        sys.exit(f"error: the final run failed (see the stage.log files below {work / 'run'})")
    found = digests(run_root)
    differing = sorted(k for k in expected if found.get(k) != expected[k])
    status = subprocess.run([binary, "status", args.pipeline, "--artifacts", str(work / "run")], capture_output=True, text=True)
    up_to_date = status.returncode == 0 and f"{len(expected)} of {len(expected)} up to date" in status.stdout
    left = leftovers(run_root)
    kills = counts["runner"] + counts["group"] + counts["analyze alone"] + counts["finish points"]
    print(f"kills: {kills} ({counts['runner']} runner alone, {counts['group']} whole group, {counts['analyze alone']} analyze process "
          f"alone, {counts['inside analyze']} of these inside analyze; {counts['finish points']} train finishes killed at a named point); "
          f"{counts['no kill']} rounds without a kill; "
          f"instances identical to the uninterrupted run: {len(expected) - len(differing)} of {len(expected)}; "
          f"status: {'all up to date' if up_to_date else status.stdout.strip()}; left behind: {len(left)}")
    for instance in differing:
        print(f"differs: {instance}", file=sys.stderr)
    for path in left:
        print(f"left behind: {path}", file=sys.stderr)
    sys.exit(0 if not differing and up_to_date and not left else 1)


if __name__ == "__main__":
    main()
