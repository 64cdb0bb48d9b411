#!/usr/bin/env python3
"""Settings tables of a sweep's train folders (Pipelines/sweep-mlp.yaml, Pipelines/sweep-models.yaml).

    python3 scripts/sweep_table.py Artifacts/sweep-mlp/train
    python3 scripts/sweep_table.py --floor Artifacts/sweep-models/floor Artifacts/sweep-models/dela Artifacts/sweep-models/clif

For every dataset and setting (learning rate, weight decay, and the model_param items if any): the
mean test Macro-AUC over the folds at the epoch with the best validation Macro-AUC, with the mean
best epoch in brackets; the best setting per dataset in bold and the mean over datasets in the last
row. Runs of several folders with the same model go into one table; with --floor, the linear
floor's mean on the same folds is the first column. Reads run.json and test-metrics.json only.
"""
import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path


def runs(folder):
    """(model, dataset, setting, auc, best epoch) of every finished run under `folder`."""
    for run_file in sorted(Path(folder).glob("*/run.json")):
        metrics_file = run_file.parent / "test-metrics.json"
        if not metrics_file.exists():
            continue
        run = json.loads(run_file.read_text())
        test = json.loads(metrics_file.read_text())
        p = run["parameters"]
        auc = test["metrics"].get("macro_auc")
        if auc is None:
            continue
        setting = (p["lr"], p["weight_decay"], tuple(p.get("model_param") or []))
        yield p["model"], run["dataset"], setting, auc, test["bestEpoch"]


def number(x):
    """1e-4 rather than 0.0001; 0 and numbers from 0.1 on as %g."""
    if x == 0 or abs(x) >= 0.1:
        return f"{x:g}"
    mantissa, exponent = f"{x:e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def label(setting):
    lr, wd, items = setting
    return f"lr {number(lr)}, wd {number(wd)}" + "".join(f", {item}" for item in items)


def table(model, cells, floor):
    datasets = sorted({d for d, _ in cells})
    settings = sorted({s for _, s in cells})
    print(f"{model}:\n")
    print("| dataset | " + ("linear floor | " if floor else "") + " | ".join(map(label, settings)) + " |")
    print("|---|" + ("---|" if floor else "") + "---|" * len(settings))
    column_means = defaultdict(list)
    for dataset in datasets:
        means = {s: sum(a for a, _ in cells[(dataset, s)]) / len(cells[(dataset, s)]) for s in settings if cells.get((dataset, s))}
        best = max(means.values())
        row = []
        if floor:
            values = floor.get(dataset, [])
            row.append(f"{sum(values) / len(values):.4f}" if values else "–")
        for s in settings:
            if s not in means:
                row.append("–")
                continue
            epochs = sum(e for _, e in cells[(dataset, s)]) / len(cells[(dataset, s)])
            text = f"{means[s]:.4f} ({epochs:.0f})"
            row.append(f"**{text}**" if means[s] == best else text)
            column_means[s].append(means[s])
        print(f"| {dataset} | " + " | ".join(row) + " |")
    print("| mean | " + ("| " if floor else "") + " | ".join(
        f"{sum(column_means[s]) / len(column_means[s]):.4f}" if len(column_means[s]) == len(datasets) else "–" for s in settings) + " |\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", help="train stage folders (Artifacts/<pipeline>/<stage>)")
    parser.add_argument("--floor", help="the linear floor's stage folder")
    arguments = parser.parse_args()
    by_model = defaultdict(lambda: defaultdict(list))  # model -> (dataset, setting) -> [(auc, best epoch)]
    for folder in arguments.folders:
        for model, dataset, setting, auc, epoch in runs(folder):
            by_model[model][(dataset, setting)].append((auc, epoch))
    if not by_model:
        sys.exit(f"error: {', '.join(arguments.folders)}: no train folders with run.json and test-metrics.json")
    floor = defaultdict(list)
    if arguments.floor:
        for _, dataset, _, auc, _ in runs(arguments.floor):
            floor[dataset].append(auc)
    for model, cells in by_model.items():
        table(model, cells, floor)


if __name__ == "__main__":
    main()
