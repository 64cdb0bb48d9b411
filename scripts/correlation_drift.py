#!/usr/bin/env python3
"""Recompute a train run's correlation drift and prediction summary with NumPy.

Usage: scripts/correlation_drift.py TRAIN_DIR [EPOCH_A EPOCH_B]

Memory-maps predictions.npy and correlation.npy, prints ||C_t - C_(t-1)||_F for every epoch
(the numbers of the analyze stage's drift/drift.csv) and the five label pairs whose correlation
changed most between EPOCH_A and EPOCH_B (1-based; default: first and last epoch), with names
from run.json.
"""
import json
import pathlib
import sys

import numpy as np


def main(argv):
    if len(argv) not in (2, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder = pathlib.Path(argv[1])
    run = json.loads((folder / "run.json").read_text())
    names = run["label_names"]
    correlation = np.load(folder / "correlation.npy", mmap_mode="r")
    predictions = np.load(folder / "predictions.npy", mmap_mode="r")
    print(f"predictions {predictions.dtype} {predictions.shape}; last recorded epoch: mean p = {float(np.asarray(predictions[-1], dtype=np.float32).mean()):.4f}")
    steps = np.sqrt(((np.diff(np.asarray(correlation, dtype=np.float64), axis=0)) ** 2).sum(axis=(1, 2)))
    for epoch, value in enumerate(steps, start=2):
        print(f"epoch {epoch:4d}  ||C_t - C_(t-1)||_F = {value:.6g}")
    a, b = (int(argv[2]), int(argv[3])) if len(argv) == 4 else (1, correlation.shape[0])
    difference = np.asarray(correlation[b - 1], dtype=np.float64) - np.asarray(correlation[a - 1], dtype=np.float64)
    rows, cols = np.triu_indices(len(names), k=1)
    order = np.argsort(-np.abs(difference[rows, cols]), kind="stable")[:5]
    print(f"most-changed label pairs, epoch {a} -> {b}:")
    for index in order:
        i, j = rows[index], cols[index]
        print(f"  {names[i]:>15s} / {names[j]:<15s} {difference[i, j]:+.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
