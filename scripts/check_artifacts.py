#!/usr/bin/env python3
"""Check that NumPy reads every .npy file of a train folder, with shapes matching run.json.

Usage: scripts/check_artifacts.py RUN_DIR

Loads each array twice (numpy.load, and numpy.load with mmap_mode='r'), checks dtypes and
shapes against run.json (E epochs, n_train samples, q labels; a history thinned by history_budget,
run.json history_thinning, keeps E' epochs of predictions.npy and correlation.npy), checks that correlation.npy is
NaN-free (it exists only for runs that compute a label correlation: uncertainty with correlation
mi or nmi), that uint8 predictions decode (value / 255) to [0, 1], and prints a one-line summary
per file. Exits 1 on the first kind of problem found
(all problems are listed), 0 when everything is readable and consistent.
"""
import json
import pathlib
import sys

import numpy as np


def expected_shapes(run):
    parameters = run["parameters"]
    e, n, q = parameters["epochs"], run["train_count"], len(run["label_names"])
    records_correlation = parameters["selector"] == "uncertainty" and parameters.get("correlation", "mi") in ("mi", "nmi")
    every = run.get("history_thinning", {}).get("every", 1)
    kept = len([t for t in range(1, e + 1) if (e - t) % every == 0])
    return {
        **({"correlation.npy": ((kept, q, q), {"float32"})} if records_correlation else {}),
        "weights.npy": ((e, n), {"float32", "float16"}),
        "selected.npy": ((e, n), {"int32"}),
        # order.npy: [E, draws], the rows each epoch's batches fed, -1 after an epoch's last draw.
        "order.npy": ((e, None), {"int32"}),
        "train-indices.npy": ((n,), {"int32"}),
        # predictions.npy: [E', n, q] with E' <= E (history may be recorded every k epochs).
        # uint8 holds round(p * 255): P(y=1) = value / 255, within 1/510.
        "predictions.npy": ((None, n, q), {"uint8", "float16", "float32"}),
    }


def summarise(path, mapped, problems):
    """min/max/mean (floats) or min/max/sum (integers), streamed along axis 0 in float32 chunks."""
    if mapped.size == 0:
        return " empty"
    flat = mapped.reshape(mapped.shape[0], -1) if mapped.ndim > 1 else mapped.reshape(-1, 1)
    low, high, total, count, bad = np.inf, -np.inf, 0.0, 0, 0
    for start in range(0, flat.shape[0], 8):
        chunk = np.asarray(flat[start:start + 8], dtype=np.float32 if mapped.dtype.kind == "f" else np.int64)
        if mapped.dtype.kind == "f":
            finite = np.isfinite(chunk)
            bad += int((~finite).sum())
            chunk = chunk[finite]
        if chunk.size:
            low, high = min(low, chunk.min()), max(high, chunk.max())
            total += float(chunk.sum(dtype=np.float64))
            count += chunk.size
    if path.name == "correlation.npy" and bad:
        problems.append(f"{path}: {bad} non-finite values")
    if mapped.dtype.kind == "f":
        return f" min={low:.4g} max={high:.4g} mean={total / max(count, 1):.4g}" + (f" non-finite={bad}" if bad else "")
    return f" min={low} max={high} sum={int(total)}"


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder = pathlib.Path(argv[1])
    problems = []
    try:
        run = json.loads((folder / "run.json").read_text())
    except (OSError, ValueError) as error:
        print(f"error: {folder / 'run.json'}: {error}", file=sys.stderr)
        return 1
    expected = expected_shapes(run)
    for name in expected:
        if not (folder / name).exists():
            problems.append(f"{folder / name}: missing")
    for path in sorted(folder.glob("*.npy")):
        try:
            whole = np.load(path)
            mapped = np.load(path, mmap_mode="r")
        except Exception as error:  # noqa: BLE001 - report any reader failure
            problems.append(f"{path}: numpy cannot read it ({error})")
            continue
        if whole.shape != mapped.shape or whole.dtype != mapped.dtype:
            problems.append(f"{path}: numpy.load and mmap disagree")
        del whole
        line = f"{path.name:20s} {str(mapped.dtype):8s} {str(mapped.shape):22s}"
        if path.name in expected:
            shape, dtypes = expected[path.name]
            ok_shape = len(shape) == mapped.ndim and all(s is None or s == m for s, m in zip(shape, mapped.shape))
            if path.name == "predictions.npy" and ok_shape and not 1 <= mapped.shape[0] <= run["parameters"]["epochs"]:
                ok_shape = False
            if not ok_shape:
                problems.append(f"{path}: shape {mapped.shape}, run.json implies {shape}")
            if str(mapped.dtype) not in dtypes:
                problems.append(f"{path}: dtype {mapped.dtype}, expected one of {sorted(dtypes)}")
        line += summarise(path, mapped, problems)
        print(line)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"{folder}: {len(list(folder.glob('*.npy')))} arrays, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
