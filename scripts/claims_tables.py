#!/usr/bin/env python3
"""The tables of docs/claims.md from analyze folders of the ablation and sensitivity pipelines.

Usage: scripts/claims_tables.py ANALYZE_DIR [ANALYZE_DIR ...]

For each (dataset, model) in each folder's comparisons.csv, prints one Markdown table with a row
per declared comparison A vs B: the blocks n, the arms' mean test Macro-AUC, and A − B with its
95 % t interval for test Macro-AUC (with the paired t-test and Wilcoxon p), for the normalised
area under the validation Macro-AUC curve, and for the epochs to 95 % and 99 % of each run's best
validation Macro-AUC (negative: A gets there sooner). A difference whose interval excludes 0 is
bold. Every number comes from comparisons.csv as the analyze stage wrote it (docs/statistics.md).
Then, per arm from convergence-speed.csv: the mean over blocks of the best validation Macro-AUC,
of the epochs to 95 % and 99 % of it, and of the normalised area.
"""
import collections
import csv
import pathlib
import sys

MEASURES = [("validation_auc_area", 4), ("epochs_to_95", 1), ("epochs_to_99", 1)]


def interval(row, digits):
    low, high, mean = float(row["t_ci_low"]), float(row["t_ci_high"]), float(row["mean_difference"])
    text = f"{mean:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"
    return f"**{text}**" if low > 0 or high < 0 else text


def p_value(text):
    p = float(text)
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def main(folders):
    for folder in folders:
        rows = list(csv.DictReader(open(pathlib.Path(folder) / "comparisons.csv")))
        groups = sorted({(r["dataset"], r["model"]) for r in rows}, key=lambda g: (g[0], g[1]))
        for group in groups:
            mine = [r for r in rows if (r["dataset"], r["model"]) == group]
            comparisons = list(dict.fromkeys(r["comparison"] for r in mine))
            print(f"\n{group[0]}, {group[1]} ({folder}):\n")
            print("| A vs B | n | Macro-AUC A | Macro-AUC B | Macro-AUC A − B [95 % CI] | p (t) | p (Wilcoxon) | MDE "
                  "| area A − B | epochs to 95 % A − B | epochs to 99 % A − B |")
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for comparison in comparisons:
                by_metric = {r["metric"]: r for r in mine if r["comparison"] == comparison}
                auc = by_metric["macro_auc"]
                cells = [comparison, auc["blocks"], f"{float(auc['mean_a']):.4f}", f"{float(auc['mean_b']):.4f}",
                         interval(auc, 4), p_value(auc["t_test_p"]), p_value(auc["wilcoxon_p"]),
                         f"{float(auc['mde_80']):.4f}"]
                cells += [interval(by_metric[m], d) if m in by_metric else "–" for m, d in MEASURES]
                print("| " + " | ".join(cells) + " |")
            per_arm(folder, group)


def per_arm(folder, group):
    runs = collections.defaultdict(list)
    for r in csv.DictReader(open(pathlib.Path(folder) / "convergence-speed.csv")):
        if (r["dataset"], r["model"]) == group:
            runs[r["selector"]].append(r)
    print("\n| arm | blocks | best validation Macro-AUC | epochs to 95 % | epochs to 99 % | area (normalised) |")
    print("|---|---|---|---|---|---|")
    for arm, rows in runs.items():
        mean = lambda key: sum(float(r[key]) for r in rows) / len(rows)
        print(f"| {arm} | {len(rows)} | {mean('best_validation_macro_auc'):.4f} | {mean('epochs_to_95'):.1f} "
              f"| {mean('epochs_to_99'):.1f} | {mean('validation_auc_area'):.4f} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
