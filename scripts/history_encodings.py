#!/usr/bin/env python3
"""Measure the history encodings of one train run's predictions.npy (docs/artifacts.md).

Usage: scripts/history_encodings.py PREDICTIONS_NPY [SCRATCH_DIR]

PREDICTIONS_NPY should be float16 or float32 (a run with --history-dtype float16/float32): it is
the reference. Prints the size of the history as float32, float16 and uint8 (round(p * 255), ties
to even, read as value / 255), each also inside numpy.savez_compressed (written to SCRATCH_DIR,
default the system temporary folder, and deleted), the uint8 error, and how quantities an offline
analysis might recompute change with uint8: p > 0.5, mean |p_t - p_(t-1)| per epoch, the std of
the last 5 epochs, the per-row sum of binary entropies at the last epoch.
"""
import os
import sys
import tempfile
import time

import numpy as np


def npz_size(array, scratch, name):
    path = os.path.join(scratch, f"history-encodings-{os.getpid()}-{name}.npz")
    start = time.time()
    np.savez_compressed(path, predictions=array)
    written = time.time() - start
    start = time.time()
    np.load(path)["predictions"]
    read = time.time() - start
    size = os.path.getsize(path)
    os.remove(path)
    return size, written, read


def entropy(p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(p * np.log(p) + (1 - p) * np.log(1 - p))


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    scratch = argv[2] if len(argv) == 3 else tempfile.gettempdir()
    stored = np.load(argv[1], mmap_mode="r")
    if stored.dtype.kind != "f":
        print(f"{argv[1]}: {stored.dtype}; a float16 or float32 history is needed as the reference", file=sys.stderr)
        return 2
    reference = np.asarray(stored, dtype=np.float32)
    codes = np.round(reference * np.float32(255)).astype(np.uint8)
    decoded = codes.astype(np.float32) / 255
    epochs = reference.shape[0]
    print(f"{argv[1]}: {stored.dtype} {stored.shape}")
    for name, array in [("float32", reference), ("float16", reference.astype(np.float16)), ("uint8", codes)]:
        size, written, read = npz_size(array, scratch, name)
        print(f"{name:8s} .npy {array.nbytes / 1e6:8.1f} MB   savez_compressed {size / 1e6:8.1f} MB "
              f"(write {written:.1f} s, read whole {read:.1f} s)   every 10th epoch {array.nbytes / epochs * len(range(epochs - 1, -1, -10)) / 1e6:.1f} MB")
    error = np.abs(decoded - reference)
    print(f"uint8 vs reference: max |error| {error.max():.6f} (1/510 = {1 / 510:.6f}), mean {error.mean():.6f}; "
          f"{(reference < 1 / 510).mean() * 100:.1f} % of values are below 1/510 and decode to 0")
    print(f"p > 0.5 agrees for {((reference > 0.5) == (decoded > 0.5)).mean() * 100:.4f} % of entries")
    if epochs > 1:
        steps_ref = np.abs(np.diff(reference, axis=0)).mean(axis=(1, 2))
        steps_u8 = np.abs(np.diff(decoded, axis=0)).mean(axis=(1, 2))
        print(f"mean |p_t - p_(t-1)| per epoch: largest relative change {np.max(np.abs(steps_u8 - steps_ref) / np.maximum(steps_ref, 1e-12)) * 100:.2f} %")
        window = min(5, epochs)
        print(f"std over the last {window} epochs: largest absolute change {np.abs(reference[-window:].std(axis=0) - decoded[-window:].std(axis=0)).max():.6f}")
    h_ref, h_u8 = entropy(reference[-1]).sum(axis=1), entropy(decoded[-1]).sum(axis=1)
    relative = np.abs(h_u8 - h_ref) / h_ref
    print(f"per-row sum of binary entropies at the last epoch: mean relative change {relative.mean() * 100:.2f} %, largest {relative.max() * 100:.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
