#!/usr/bin/env python3
"""Reproduce the report's validation Macro-AUC curves from an analyze folder's convergence.csv.

Usage: scripts/plot_convergence.py ANALYZE_DIR [OUT.png]

Prints, per (dataset, model, selector), the mean ± std over folds of the validation Macro-AUC
at a few epochs (the same numbers as convergence-summary.csv). With matplotlib installed and
OUT.png given, also draws the curves with ±std bands.
"""
import csv
import pathlib
import sys
from collections import defaultdict

import numpy as np


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder = pathlib.Path(argv[1])
    curves = defaultdict(lambda: defaultdict(list))  # (dataset, model, selector) -> epoch -> values
    with open(folder / "convergence.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["metric"] == "validation_macro_auc":
                curves[(row["dataset"], row["model"], row["selector"])][int(row["epoch"])].append(float(row["value"]))
    summary = {}
    for key, by_epoch in sorted(curves.items()):
        epochs = np.array(sorted(by_epoch))
        values = [np.array(by_epoch[e]) for e in epochs]
        mean = np.array([v.mean() for v in values])
        std = np.array([v.std(ddof=1) if v.size > 1 else 0.0 for v in values])
        summary[key] = (epochs, mean, std)
        picks = sorted({epochs[0], epochs[len(epochs) // 2], epochs[-1]})
        cells = "  ".join(f"e{e}: {mean[e - epochs[0]]:.4f}±{std[e - epochs[0]]:.4f}" for e in picks)
        print(f"{'/'.join(key):40s} {cells}")
    if len(argv) > 2:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib not installed: table only", file=sys.stderr)
            return 0
        figure, axis = plt.subplots(figsize=(7, 4))
        for (dataset, model, selector), (epochs, mean, std) in summary.items():
            axis.plot(epochs, mean, label=f"{selector} ({dataset}, {model})")
            axis.fill_between(epochs, mean - std, mean + std, alpha=0.2)
        axis.set_xlabel("epoch")
        axis.set_ylabel("validation Macro-AUC")
        axis.legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(argv[2], dpi=120)
        print(f"wrote {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
