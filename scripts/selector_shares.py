"""The selectors' share of the epoch in a pipeline's train runs, as a Markdown table.

    python3 scripts/selector_shares.py Artifacts/corel5k [WARMUP_EPOCHS]

For each run under <pipeline>/train: the median over the epochs after the warm-up (default 5) of
selection_seconds / seconds from timings.csv; then per selector the median and range over its
runs (folds), with the median selection and epoch seconds."""
import csv, glob, json, os, statistics, sys

root = sys.argv[1]
warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 5
rows = {}
for folder in sorted(glob.glob(os.path.join(root, "train", "*"))):
    path = os.path.join(folder, "timings.csv")
    if not os.path.exists(path):
        continue
    run = json.load(open(os.path.join(folder, "run.json")))
    params = run.get("parameters", run)
    selector = params.get("selector")
    with open(path) as f:
        data = [r for r in csv.DictReader(f) if int(r["epoch"]) > warmup]
    share = statistics.median(float(r["selection_seconds"]) / float(r["seconds"]) for r in data)
    sel = statistics.median(float(r["selection_seconds"]) for r in data)
    ep = statistics.median(float(r["seconds"]) for r in data)
    rows.setdefault(selector, []).append((share, sel, ep))
print("| selector | runs | selection s | epoch s | share (range) |\n|---|---|---|---|---|")
for selector, values in sorted(rows.items()):
    shares = [v[0] for v in values]
    print(f"| {selector} | {len(values)} | {statistics.median(v[1] for v in values):.4f} | {statistics.median(v[2] for v in values):.3f} | "
          f"**{100*statistics.median(shares):.1f} %** ({100*min(shares):.1f}–{100*max(shares):.1f}) |")
