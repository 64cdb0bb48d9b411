#!/usr/bin/env python3
"""Draw `bench scale --json` results: seconds of each selector component and of the mlp epoch
against the label count q, one panel per row count n, log-log.

Usage: scripts/plot_scale.py SCALE.json OUT.svg

The SVG is written without a date (matplotlib's svg.hashsalt fixed, no metadata), so the same JSON
gives the same file.
"""
import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SERIES = ["epoch", "U", "C", "scores", "sampler", "plan"]
LABELS = {"epoch": "mlp training epoch", "U": "U (Eq. 1, 4, 5)", "C": "C, mutual information (Eq. 6)",
          "scores": "scores (Eq. 7-8)", "sampler": "sampler (Eq. 9-10)", "plan": "whole plan"}


def seconds(cell, name):
    values = cell["epoch_seconds"] if name == "epoch" else next(c["seconds"] for c in cell["components"] if c["name"] == name)
    return statistics.median(values)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1]) as handle:
        document = json.load(handle)
    cells = document["cells"]
    ns = sorted({cell["rows"] for cell in cells})
    plt.rcParams["svg.hashsalt"] = "mlbatch"
    plt.rcParams["svg.fonttype"] = "none"
    figure, axes = plt.subplots(1, len(ns), figsize=(4.2 * len(ns), 4.4), sharey=True, squeeze=False)
    for axis, n in zip(axes[0], ns):
        row = sorted((cell for cell in cells if cell["rows"] == n), key=lambda cell: cell["labels"])
        qs = [cell["labels"] for cell in row]
        for name in SERIES:
            values = [seconds(cell, name) for cell in row]
            points = [(q, v) for q, v in zip(qs, values) if v > 0]
            if points:
                axis.plot(*zip(*points), marker="o", linestyle="--" if name == "epoch" else "-", label=LABELS[name])
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_title(f"n = {n:,}")
        axis.set_xlabel("labels q")
        axis.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("CPU seconds (one thread)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(SERIES), fontsize=8, frameon=False)
    figure.suptitle(f"bench scale: d = {document['features']}, T = {document['window']}, "
                    f"sgemm 768³ {document['sgemm_cpu_gflops']:.0f} GFLOP/s")
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    figure.savefig(argv[2], format="svg" if argv[2].endswith(".svg") else None, metadata={"Date": None} if argv[2].endswith(".svg") else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
