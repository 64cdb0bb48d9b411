#!/usr/bin/env python3
"""Learning rate × weight decay table of a sweep's train folders (Pipelines/sweep-mlp.yaml).

    python3 scripts/sweep_table.py Artifacts/sweep-mlp/train

For every dataset and (lr, weight decay): the mean test Macro-AUC over the folds at the epoch with
the best validation Macro-AUC, with the mean best epoch in brackets; the best setting per dataset in
bold and the mean over datasets in the last row. Reads run.json and test-metrics.json only.
"""
import json
import sys
from collections import defaultdict
from pathlib import Path


def main(folder):
    cells = defaultdict(list)  # (dataset, lr, wd) -> [(auc, best epoch)]
    for run_file in sorted(Path(folder).glob("*/run.json")):
        run = json.loads(run_file.read_text())
        test = json.loads((run_file.parent / "test-metrics.json").read_text())
        p = run["parameters"]
        auc = test["metrics"].get("macro_auc")
        if auc is not None:
            cells[(run["dataset"], p["lr"], p["weight_decay"])].append((auc, test["bestEpoch"]))
    if not cells:
        sys.exit(f"error: {folder}: no train folders with run.json and test-metrics.json")
    datasets = sorted({d for d, _, _ in cells})
    settings = sorted({(lr, wd) for _, lr, wd in cells})
    print("| dataset | " + " | ".join(f"lr {lr:g}, wd {wd:g}" for lr, wd in settings) + " |")
    print("|---|" + "---|" * len(settings))
    column_means = defaultdict(list)
    for dataset in datasets:
        means = {s: sum(a for a, _ in cells[(dataset, *s)]) / len(cells[(dataset, *s)]) for s in settings if cells[(dataset, *s)]}
        best = max(means.values())
        row = []
        for s in settings:
            if s not in means:
                row.append("–")
                continue
            epochs = sum(e for _, e in cells[(dataset, *s)]) / len(cells[(dataset, *s)])
            text = f"{means[s]:.4f} ({epochs:.0f})"
            row.append(f"**{text}**" if means[s] == best else text)
            column_means[s].append(means[s])
        print(f"| {dataset} | " + " | ".join(row) + " |")
    print("| mean | " + " | ".join(f"{sum(column_means[s]) / len(column_means[s]):.4f}" if column_means[s] else "–"
                                   for s in settings) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
