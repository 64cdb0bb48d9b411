#!/usr/bin/env python3
"""Kill soak: a pipeline killed at seeded random moments ends with the same artifacts.

    python3 scripts/kill_soak.py --pipeline quickstart --kills 20 --seed 7 [--binary .build/debug/pipeline] [--work DIR]

1. Runs the pipeline once uninterrupted into WORK/run, times it (T) and moves it to WORK/reference
   (the soak then writes the same paths, which reports and manifests name).
2. Into WORK/run, `--kills` times: starts `pipeline run`, waits a seeded random time in [0, T),
   then SIGKILLs either the runner alone (its stage processes live on as orphans; the next run
   waits until they have exited) or the runner's whole process group, chosen at random.
3. Runs the pipeline to completion, then compares every instance's digested outputs (the
   output hashes of its manifest.json) with the reference, and checks `pipeline status`.

Prints one line per kill and a summary; exits 1 if any instance differs or is missing.
Run from the repository root (the pipeline file's relative paths are resolved against it).
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


def run(binary, pipeline, artifacts, **kwargs):
    return subprocess.Popen([binary, "run", pipeline, "--plain", "--artifacts", str(artifacts)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **kwargs)


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def digests(root):
    """instance folder (relative) -> outputs of its manifest.json."""
    result = {}
    for manifest in sorted(Path(root).glob("*/*/manifest.json")):
        result[str(manifest.parent.relative_to(root))] = json.loads(manifest.read_text())["outputs"]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pipeline", default="quickstart")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--binary", default=".build/debug/pipeline")
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    binary = str(Path(args.binary).resolve())
    work = Path(args.work or tempfile.mkdtemp(prefix="kill-soak-"))
    rng = random.Random(args.seed)

    start = time.monotonic()
    reference = run(binary, args.pipeline, work / "run")
    if reference.wait() != 0:
        sys.exit(f"error: the uninterrupted run of {args.pipeline} failed (see {work / 'run'})")
    duration = time.monotonic() - start
    (work / "run").rename(work / "reference")
    name = next((work / "reference").iterdir()).name
    print(f"reference run: {duration:.1f} s, {len(digests(work / 'reference' / name))} instances")

    counts = {"runner": 0, "group": 0, "finished before the kill": 0}
    for kill in range(1, args.kills + 1):
        delay, whole_group = rng.uniform(0, duration), rng.random() < 0.5
        runner = run(binary, args.pipeline, work / "run")
        time.sleep(delay)
        if runner.poll() is not None:
            counts["finished before the kill"] += 1
            print(f"kill {kill:2d}: the run had finished after {delay:.2f} s (exit {runner.returncode}); starting over")
            shutil.rmtree(work / "run")
            continue
        if whole_group:
            os.killpg(runner.pid, signal.SIGKILL)
        else:
            runner.send_signal(signal.SIGKILL)
        runner.wait()
        counts["group" if whole_group else "runner"] += 1
        # Orphaned stage processes of a runner killed alone finish their instance first.
        while group_alive(runner.pid):
            time.sleep(0.05)
        print(f"kill {kill:2d}: SIGKILL to the {'whole process group' if whole_group else 'runner alone'} after {delay:.2f} s")

    final = run(binary, args.pipeline, work / "run")
    if final.wait() != 0:
        sys.exit(f"error: the final run failed (see the stage.log files below {work / 'run'})")
    expected, found = digests(work / "reference" / name), digests(work / "run" / name)
    differing = sorted(k for k in expected if found.get(k) != expected[k])
    status = subprocess.run([binary, "status", args.pipeline, "--artifacts", str(work / "run")], capture_output=True, text=True)
    up_to_date = status.returncode == 0 and f"{len(expected)} of {len(expected)} up to date" in status.stdout
    print(f"kills: {counts['runner']} runner alone, {counts['group']} whole group, {counts['finished before the kill']} after the run had "
          f"finished; instances identical to the uninterrupted run: {len(expected) - len(differing)} of {len(expected)}; "
          f"status: {'all up to date' if up_to_date else status.stdout.strip()}")
    for instance in differing:
        print(f"differs: {instance}", file=sys.stderr)
    sys.exit(0 if not differing and up_to_date else 1)


if __name__ == "__main__":
    main()
