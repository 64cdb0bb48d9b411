#!/usr/bin/env python3
"""The verdict table of docs/replication.md from analyze folders of the replication pipelines.

Usage: scripts/replication_table.py ANALYZE_DIR [ANALYZE_DIR ...]
       scripts/replication_table.py --per-seed PIPELINE_ARTIFACTS_DIR


For each (dataset, model) in each folder's comparisons.csv, prints one Markdown row per arm pair:
the paper's Table 3 values and gain (docs/method.md §12), each reading's means and its gain with the
t-based and bootstrap 95 % CIs, d_z, the paired t-test and Wilcoxon p, the MDE at 80 % power, and
whether the interval contains 0 and the paper's gain. Test Macro-AUC only.

With --per-seed, reads the train folders of one replication pipeline (e.g.
Artifacts/replication-scene-dela) and prints each reading's mean paired difference per seed, so
a reader can see whether one seed carries the result (the blocks of one fold share its data).
"""
import collections
import csv
import json
import pathlib
import sys

# Table 3 (Macro-AUC, mean of 5 folds): (random, ours) per (dataset, model).
TABLE3 = {
    ("scene", "clif"): (0.9418, 0.9476), ("scene", "dela"): (0.9405, 0.9465),
    ("yeast", "clif"): (0.7107, 0.7222), ("yeast", "dela"): (0.7006, 0.7132),
    ("corel5k", "clif"): (0.7664, 0.7689), ("corel5k", "dela"): (0.7626, 0.7664),
    ("enron", "clif"): (0.7700, 0.7764), ("enron", "dela"): (0.7727, 0.7754),
}
READINGS = {
    "uncertainty vs random": "paper as written",
    "authors-uncertainty vs sequential": "authors' code as run",
    "authors-uncertainty vs random": "cross: authors' method vs shuffled random",
    "uncertainty vs sequential": "cross: paper's method vs stored order",
}


def main(folders):
    print("| dataset | model | reading | Random | Ours | gain | 95 % CI (t) | 95 % CI (bootstrap) | d_z | p (t) | p (Wilcoxon) | MDE | CI holds 0 | CI holds the paper's gain |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for folder in folders:
        rows = [r for r in csv.DictReader(open(pathlib.Path(folder) / "comparisons.csv")) if r["metric"] == "macro_auc"]
        for group in sorted({(r["dataset"], r["model"]) for r in rows}):
            random, ours = TABLE3[group]
            paper_gain = ours - random
            print(f"| {group[0]} | {group[1]} | Table 3 (5 folds, no CI) | {random:.4f} | {ours:.4f} | {paper_gain:+.4f} | | | | | | | | |")
            for r in (r for r in rows if (r["dataset"], r["model"]) == group):
                f = {k: float(r[k]) for k in ("mean_a", "mean_b", "mean_difference", "t_ci_low", "t_ci_high",
                                              "bootstrap_ci_low", "bootstrap_ci_high", "cohen_dz", "t_test_p",
                                              "wilcoxon_p", "mde_80")}
                zero = f["t_ci_low"] <= 0 <= f["t_ci_high"]
                gain = f["t_ci_low"] <= paper_gain <= f["t_ci_high"]
                print(f"| {group[0]} | {group[1]} | {READINGS.get(r['comparison'], r['comparison'])}: {r['arm_b']} → {r['arm_a']} (n = {r['blocks']}) "
                      f"| {f['mean_b']:.4f} | {f['mean_a']:.4f} | {f['mean_difference']:+.4f} "
                      f"| [{f['t_ci_low']:+.4f}, {f['t_ci_high']:+.4f}] | [{f['bootstrap_ci_low']:+.4f}, {f['bootstrap_ci_high']:+.4f}] "
                      f"| {f['cohen_dz']:+.2f} | {f['t_test_p']:.3f} | {f['wilcoxon_p']:.3f} | {f['mde_80']:.4f} "
                      f"| {'yes' if zero else 'no'} | {'yes' if gain else 'no'} |")


def per_seed(root):
    values = collections.defaultdict(dict)
    for path in pathlib.Path(root).glob("*/*/test-metrics.json"):
        parameters = json.loads((path.parent / "run.json").read_text())["parameters"]
        if parameters["model"] != "linear":
            arm = parameters.get("arm") or parameters["selector"]
            values[arm][(parameters["fold"], parameters["seed"])] = json.loads(path.read_text())["metrics"]["macro_auc"]
    print("| A − B (test Macro-AUC) | " + " | ".join(f"seed {s}" for s in sorted({s for v in values.values() for _, s in v})) + " |")
    print("|---|" + "---|" * len({s for v in values.values() for _, s in v}))
    for comparison in READINGS:
        a, b = comparison.split(" vs ")
        cells = []
        for seed in sorted({s for v in values.values() for _, s in v}):
            d = [values[a][k] - values[b][k] for k in values[a] if k[1] == seed and k in values[b]]
            cells.append(f"{sum(d) / len(d):+.4f} ({len(d)} folds)" if d else "–")
        print(f"| {comparison} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip())
    if sys.argv[1] == "--per-seed":
        per_seed(sys.argv[2])
    else:
        main(sys.argv[1:])
