#!/usr/bin/env python3
"""Loads a fetch output folder with NumPy and checks meta.json's statistics against the arrays.

Usage: inspect_dataset.py FOLDER
Prints the shapes and statistics; exits 1 if a statistic in meta.json disagrees with the arrays.
"""
import json
import sys

import numpy as np


def main():
    folder = sys.argv[1]
    features = np.load(f"{folder}/features.npy", mmap_mode="r")
    labels = np.load(f"{folder}/labels.npy")
    meta = json.load(open(f"{folder}/meta.json"))
    counts = labels.sum(axis=0).astype(np.float64)
    cardinality = labels.sum() / labels.shape[0]
    imbalance = counts.max() / counts
    computed = {
        "instances": labels.shape[0],
        "features": features.shape[1],
        "labels": labels.shape[1],
        "cardinality": cardinality,
        "density": cardinality / labels.shape[1],
        "distinctLabelSets": len({row.tobytes() for row in labels}),
        "meanImbalanceRatio": imbalance.mean(),
    }
    print(f"{meta['name']}: features {features.dtype} {features.shape}, labels {labels.dtype} {labels.shape}")
    wrong = []
    for key, value in computed.items():
        stored = meta["statistics"][key]
        ok = abs(stored - value) <= 1e-9 * max(1.0, abs(value))
        print(f"  {key}: {stored}" + ("" if ok else f"  (arrays give {value})"))
        if not ok:
            wrong.append(key)
    if not np.allclose(meta["statistics"]["imbalanceRatio"], imbalance, rtol=1e-12):
        wrong.append("imbalanceRatio")
    if len(meta["featureNames"]) != features.shape[1] or len(meta["labelNames"]) != labels.shape[1]:
        wrong.append("names")
    if wrong:
        print("mismatch: " + ", ".join(wrong), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
