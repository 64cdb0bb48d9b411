#!/usr/bin/env python3
"""Recompute a train run's correlation drift and prediction summary with NumPy.

Usage: scripts/correlation_drift.py TRAIN_DIR [EPOCH_A EPOCH_B]

Memory-maps predictions.npy (uint8 values are dequantised: P(y=1) = value / 255) and
correlation.npy, prints ||C_t - C_(t-1)||_F for every epoch (the numbers of the analyze stage's
drift/drift.csv) and the five label pairs whose correlation changed most between EPOCH_A and
EPOCH_B (1-based; default: first and last epoch), with names from run.json. A history thinned by
history_budget (run.json history_thinning) keeps one epoch in k of C: the steps are then between
kept epochs and EPOCH_A, EPOCH_B must be kept epochs (prediction-epochs.npy). Runs that compute no
label correlation (every selector but uncertainty with correlation mi or nmi) have no
correlation.npy: C = I throughout, so only the prediction summary is printed.
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
    predictions = np.load(folder / "predictions.npy", mmap_mode="r")
    last = np.asarray(predictions[-1], dtype=np.float32)
    if predictions.dtype == np.uint8:
        last /= 255  # round(p * 255) codes
    print(f"predictions {predictions.dtype} {predictions.shape}; last recorded epoch: mean p = {float(last.mean()):.4f}")
    if not (folder / "correlation.npy").exists():
        print("no correlation.npy: this run computes no label correlation (C = I in every epoch), no drift")
        return 0
    correlation = np.load(folder / "correlation.npy", mmap_mode="r")
    e, every = run["parameters"]["epochs"], run.get("history_thinning", {}).get("every", 1)
    kept = [t for t in range(1, e + 1) if (e - t) % every == 0]
    steps = np.sqrt(((np.diff(np.asarray(correlation, dtype=np.float64), axis=0)) ** 2).sum(axis=(1, 2)))
    for epoch, value in zip(kept[1:], steps):
        print(f"epoch {epoch:4d}  ||C_t - C_(t-{every})||_F = {value:.6g}")
    a, b = (int(argv[2]), int(argv[3])) if len(argv) == 4 else (kept[0], kept[-1])
    if a not in kept or b not in kept:
        print(f"epochs {a}, {b}: correlation.npy keeps {kept}", file=sys.stderr)
        return 2
    difference = np.asarray(correlation[kept.index(b)], dtype=np.float64) - np.asarray(correlation[kept.index(a)], dtype=np.float64)
    rows, cols = np.triu_indices(len(names), k=1)
    order = np.argsort(-np.abs(difference[rows, cols]), kind="stable")[:5]
    print(f"most-changed label pairs, epoch {a} -> {b}:")
    for index in order:
        i, j = rows[index], cols[index]
        print(f"  {names[i]:>15s} / {names[j]:<15s} {difference[i, j]:+.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
