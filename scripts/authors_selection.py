"""Reference replay of the authors' batch-selection arithmetic (UncertainBatch, AAAI 2025).

What it reproduces
------------------
The selection state machine of the authors' notebook ``UncertainBatch.ipynb`` (repository
CquptZA/Uncertainty_Batch), re-expressed here from reading it, not copied. Cell numbers are 0-based
positions in the .ipynb (cell 4 defines update_H/update_E/update_U/calculate_probabilities and
CustomDataLoader, cell 5 the training loop):

* cell 4, ``update_H``: per training row a window (``deque(maxlen=5)``) of the float32 train-mode
  sigmoid outputs of every batch the row was drawn in, warm-up batches included.
* cell 4, ``update_E``: for each row of the batch and each label j,
  ``mean_diffs = sum(|diff(H[:, j])|) / len(diffs)`` (0/0 = NaN while the window holds one value),
  binary entropy (in bits) of the latest value p (NaN when p is exactly 0 or 1: 0 * log 0),
  ``E[row, j] = 1/2 * mean_diffs + 1/2 * entropy`` in a float64 matrix; rows not drawn keep E.
* cell 4, ``update_U``: at every epoch end ``E[E > 1] = 1`` *in place* (NaN is not > 1 and stays);
  from epoch 5 on (a literal 5, not the warm-up length) a binned copy of E is used: ``np.digitize``
  on the edges [0, .2, .4, .6, .8, 1] minus 1, clipped to 0..4, mapped to the centres
  [.1, .3, .5, .7, .9] (NaN sorts after every edge, so NaN -> index 6 - 1 = 5 -> clipped 4 -> 0.9;
  1.0 exactly also -> 0.9); then ``U = E . ones((q, q))`` (np.dot, BLAS dgemm) and
  ``w = U.sum(axis=1)``. Before epoch 5 the raw E (NaN included) is used.
* cell 4, ``calculate_probabilities(w, epoch, e_end, e0, se0)`` (cell 5 calls it with 10, 100, 8):
  ``se = se0 * (exp(log(1/se0) / (e_end - e0))) ** (epoch - e0)`` (= 1 at epoch e_end, se0 at e0),
  min-max normalisation of w, ``Q = ceil((1 - w_norm) / Delta)`` with ``Delta = 1/N`` (a division by
  the float 1/N, not a product with N), ``p = exp(-log(se) / N * Q)`` unnormalised.
* cell 4, ``CustomDataLoader.__iter__``: epochs < warm_epoch give consecutive batches of the stored
  order (last one smaller); later epochs give ceil(n/b) batches of exactly b rows, each
  ``np.random.choice(range(n), size=b, replace=False, p=p / p.sum())`` with the probabilities
  computed at the end of the *previous* epoch (the loader divides by the sum in place).
* cell 5, ``training``: per batch update_H then update_E; per epoch end update_U then
  calculate_probabilities. So ``pressure[e]``/``probabilities[e]`` below are computed at the end of
  epoch e and drive the draws of epoch e + 1.

NumPy 1.x emulation
-------------------
The authors ran NumPy 1.x (2024). Its legacy promotion turned a float32 *scalar* combined with a
Python int or float into float64 (both operands cast to float64 first); NumPy 2 (NEP 50) keeps
float32. ``update_E`` works on float32 scalars, so under NumPy 2 we cast explicitly (each cast is
commented where it is made). Every other operation is done as the notebook does it, with NumPy
(np.dot with a ones matrix, np.sum(axis=1), float64 min-max, division by Delta, np.ceil), since
rounding decides ``ceil`` at integer boundaries.

Checked: run under NumPy 1.26.4, this script and the notebook's own cell-4 functions give bitwise
equal E (every epoch end), w, Q, pressure and probabilities on the fixture stream; under NumPy 2 the
unmodified notebook functions differ from it (NEP 50). What the casts cannot emulate is NumPy's own
transcendental kernels: 1.26.4's float64 log/exp (AVX-512 loops) and 2.x's (libm log, own SIMD exp)
differ by an ulp here and there, so on this fixture E moves by <= 2.2e-16, the unbinned w of epochs
1..4 in 70 entries, Q and the binned w not at all, and the probabilities by <= 3 ulp. The fixture is
therefore bitwise reproducible with NumPy 2.x on this kind of machine (``--check`` is strict and
says by how many ulp it misses otherwise).

Caveat for epochs 0..4 of the fixture: E holds NaN there (at epoch 0 every window has one value;
later, saturated outputs), so min/max of w are NaN, ``ceil(NaN).astype(int)`` is the x86 cast
result INT64_MIN, and the probabilities are NaN. The notebook never draws from them (warm_epoch 10),
nor does the fixture (warm_epoch 6); the first probabilities used are those of epoch 5 (binned).

Run
---
    python3 scripts/authors_selection.py --write-fixture Tests/SelectorsTests/Fixtures/authors-selection.npz
    python3 scripts/authors_selection.py --check Tests/SelectorsTests/Fixtures/authors-selection.npz

The fixture's stream: n = 300 rows, q = 6, batch 32, warm_epoch 6, 20 epochs, e_end 6, e0 19,
se0 40; outputs are float32 sigmoids of a drifting linear model with ~3 % of entries set to exactly
0.0 or 1.0; post-warm-up batches are drawn by ``RandomState(loader_seed).choice`` (the legacy
generator, i.e. what ``np.random.choice`` uses after ``np.random.seed``) from the script's own
probabilities, and the drawn rows are stored so the fixture can be replayed without the RNG.
"""
import argparse
import math
import sys
from collections import deque
from fractions import Fraction

import numpy as np

BIN_EDGES = np.array([0, 0.2, 0.4, 0.6, 0.8, 1.0])          # update_U (cell 4)
BIN_CENTRES = np.array([0.1, 0.3, 0.5, 0.7, 0.9])           # update_U (cell 4)
HISTORY = 5                                                 # deque(maxlen=5), cells 4 and 5
BINNING_FROM_EPOCH = 5                                      # `if epoch>=5` in update_U (cell 4)


def entry_uncertainty(window, j):
    """E[row, j] of update_E (cell 4) for one row's window (float32 array [k, q]), as NumPy 1.x
    computed it. Returns a np.float64 (NaN on the 0/0 and 0*log 0 paths)."""
    column = window[:, j]
    # np.diff / np.abs on a float32 array stay float32 in both NumPy versions.
    steps = np.abs(np.diff(column))
    total = np.sum(steps)                 # np.float32 (float32 pairwise accumulation)
    # NumPy 1.x: float32 scalar / Python int -> both cast to float64, then divided.
    # (len 0: 0.0 / 0.0 = NaN with a warning, as numpy scalars do.)
    mean_step = np.float64(total) / np.float64(len(steps))
    p = window[len(window) - 1, j]        # np.float32 scalar, the latest output
    # p * log(p): float32 * float32 (np.log of a float32 scalar is float32) -> float32 in both
    # versions; 0 * log(0) = 0 * -inf = NaN.
    own = p * np.log(p)
    # NumPy 1.x: 1 - float32 scalar -> float64 (Python int 1 and p cast to float64); the log and
    # the product are then float64. NumPy 2 would keep all three in float32.
    rest = np.float64(1) - np.float64(p)
    other = rest * np.log(rest)
    # float32 + float64 scalars -> float64 (both versions); the explicit cast states it.
    inner = np.float64(own) + other
    # -1 / np.log(2): np.log of a Python int is np.float64; evaluated left to right: (-1/ln2)*inner.
    entropy = -1 / np.log(2) * inner
    # 1/2 is the Python float 0.5; 0.5 * float64 and the sum stay float64.
    value = 1 / 2 * mean_step + 1 / 2 * entropy
    return value


def binned_row_sums(E, epoch):
    """update_U (cell 4): clamps E in place, bins it from epoch 5 on, returns w = (E . ones).sum(1)."""
    E[E > 1] = 1                                  # in place on the caller's E, every epoch
    if epoch >= BINNING_FROM_EPOCH:
        idx = np.digitize(E, BIN_EDGES) - 1
        idx = np.clip(idx, 0, len(BIN_CENTRES) - 1)
        E = BIN_CENTRES[idx]                      # a new array; the stored E stays unbinned
    ones = np.ones((E.shape[1], E.shape[1]))
    U = np.dot(E, ones)                           # BLAS dgemm, float64
    return np.sum(U, axis=1)


def selection_pressure(epoch, e_end, e0, se0):
    """se of calculate_probabilities (cell 4); all float64, no float32 involved."""
    return se0 * (np.exp(np.log(1 / se0) / (e_end - e0))) ** (epoch - e0)


def quantised_probabilities(w, epoch, e_end, e0, se0):
    """calculate_probabilities (cell 4). Returns (se, unnormalised p, Q int64)."""
    N = len(w)
    delta = 1 / N
    se = selection_pressure(epoch, e_end, e0, se0)
    low, high = np.min(w), np.max(w)
    normalised = (w - low) / (high - low)
    with np.errstate(invalid="ignore"):           # ceil(NaN).astype(int) in epochs 0..4
        Q = np.ceil((1 - normalised) / delta).astype(np.int64)   # `.astype(int)`: int64 on Linux
    exponent = -np.log(se) / N * Q                # ((-log se) / N) * float64(Q)
    return se, np.exp(exponent), Q


def loader_probabilities(unnormalised):
    """CustomDataLoader.__iter__ (cell 4): `all_probabilities /= all_probabilities.sum()`."""
    p = unnormalised.copy()
    p /= p.sum()
    return p


class AuthorsSelector:
    """The state the notebook keeps in its CustomDataLoader (H, E) and the per-epoch results."""

    def __init__(self, n, q, e_end, e0, se0):
        self.n, self.q = n, q
        self.e_end, self.e0, self.se0 = e_end, e0, se0
        self.H = {row: deque(maxlen=HISTORY) for row in range(n)}   # cell 5
        self.E = np.zeros((n, q))                                   # cell 5, float64
        self.nan_entries = 0          # NaN values written into E by update_E, over the whole run

    def observe_batch(self, rows, outputs):
        """update_H then update_E (cells 4 and 5) for one batch; outputs float32 [len(rows), q]."""
        outputs = np.asarray(outputs, dtype=np.float32)
        rows = [int(r) for r in rows]
        for i, row in enumerate(rows):                 # update_H
            self.H[row].append(outputs[i])
        for row in rows:                               # update_E
            window = np.array(self.H[row])             # float32 [k, q]
            for j in range(self.q):
                with np.errstate(all="ignore"):
                    value = entry_uncertainty(window, j)
                if np.isnan(value):
                    self.nan_entries += 1
                self.E[row, j] = value

    def end_epoch(self, epoch):
        """update_U + calculate_probabilities (cell 5's epoch end). Returns (se, p, w, Q)."""
        w = binned_row_sums(self.E, epoch)
        se, unnormalised, Q = quantised_probabilities(w, epoch, self.e_end, self.e0, self.se0)
        with np.errstate(invalid="ignore"):
            p = loader_probabilities(unnormalised)
        return float(se), p, w, Q


def authors_selection(stream, n, q, warm_epoch, epochs, e_end, e0, se0):
    """Replays a prediction stream [(epoch, rows, outputs float32 [len(rows), q]), ...] in training
    order. Returns a dict of per-epoch arrays (0-based epochs, the authors' indexing): 'pressure'
    [epochs], 'probabilities' [epochs, n] (what epoch + 1 would draw from), 'w' [epochs, n],
    'quantised' [epochs, n] int64, and 'nan_entries' (NaN values written into E).
    warm_epoch is accepted for symmetry: the arithmetic does not depend on it."""
    selector = AuthorsSelector(n, q, e_end, e0, se0)
    pressure = np.zeros(epochs)
    probabilities = np.zeros((epochs, n))
    w_all = np.zeros((epochs, n))
    quantised = np.zeros((epochs, n), dtype=np.int64)
    by_epoch = [[] for _ in range(epochs)]
    last = -1
    for epoch, rows, outputs in stream:
        if epoch < last:
            raise ValueError("stream is not in training order")
        last = epoch
        by_epoch[epoch].append((rows, outputs))
    for epoch in range(epochs):
        for rows, outputs in by_epoch[epoch]:
            selector.observe_batch(rows, outputs)
        pressure[epoch], probabilities[epoch], w_all[epoch], quantised[epoch] = selector.end_epoch(epoch)
    return {"pressure": pressure, "probabilities": probabilities, "w": w_all,
            "quantised": quantised, "nan_entries": selector.nan_entries}


# ---------------------------------------------------------------- fixture stream
N_ROWS, LABELS, BATCH, WARM, EPOCHS = 300, 6, 32, 6, 20
E_END, E0, SE0 = 6, 19, 40
STREAM_SEED, LOADER_SEED = 7, 42
SATURATED = 0.03


def sequential_batches(n, b):
    """CustomDataLoader warm-up epochs (cell 4) and analyse.ipynb's DataLoader(shuffle=False)."""
    return [list(range(start, min(start + b, n))) for start in range(0, n, b)]


def build_stream():
    """A drifting linear model's float32 sigmoids; batches as the authors' loader makes them."""
    rng = np.random.RandomState(STREAM_SEED)          # the model and its noise
    loader = np.random.RandomState(LOADER_SEED)       # only the loader's choice draws
    X = rng.randn(N_ROWS, 5)
    W = rng.randn(5, LABELS) * 1.5
    bias = rng.randn(LABELS) * 0.5
    selector = AuthorsSelector(N_ROWS, LABELS, E_END, E0, SE0)
    stream = []
    p = None
    for epoch in range(EPOCHS):
        if epoch < WARM:
            batches = sequential_batches(N_ROWS, BATCH)
        else:
            batches = [list(loader.choice(list(range(N_ROWS)), size=BATCH, replace=False, p=p))
                       for _ in range(math.ceil(N_ROWS / BATCH))]
        for rows in batches:
            W = W + rng.randn(*W.shape) * 0.15        # the model moves every batch
            logits = X[rows] @ W + bias + rng.randn(len(rows), LABELS) * 0.8
            out = (1 / (1 + np.exp(-logits))).astype(np.float32)
            hit = rng.rand(len(rows), LABELS) < SATURATED
            high = rng.rand(len(rows), LABELS) < 0.5
            out[hit & high] = np.float32(1.0)
            out[hit & ~high] = np.float32(0.0)
            stream.append((epoch, [int(r) for r in rows], out))
            selector.observe_batch(rows, out)
        _, p, _, _ = selector.end_epoch(epoch)       # drives the draws of epoch + 1
    return stream


def stream_arrays(stream, b, q):
    B = len(stream)
    batch_epoch = np.zeros(B, dtype=np.int32)
    batch_rows = np.full((B, b), -1, dtype=np.int32)
    batch_outputs = np.zeros((B, b, q), dtype=np.float32)
    for k, (epoch, rows, out) in enumerate(stream):
        batch_epoch[k] = epoch
        batch_rows[k, :len(rows)] = rows
        batch_outputs[k, :len(rows)] = out
    return batch_epoch, batch_rows, batch_outputs


def stream_from_arrays(batch_epoch, batch_rows, batch_outputs):
    stream = []
    for k in range(len(batch_epoch)):
        keep = batch_rows[k] >= 0
        stream.append((int(batch_epoch[k]), [int(r) for r in batch_rows[k][keep]],
                       batch_outputs[k][keep]))
    return stream


def boundary_counts(fx):
    """Over the binned epochs (5 ..): how often (1 - w_norm)/Delta is an integer in exact rational
    arithmetic, and there whether the float value is exactly on it, just below (ceil agrees) or just
    above (ceil = integer + 1, i.e. float rounding decided Q). Exact w is rebuilt from the float w:
    the q binned centres sum to q/10 + k/5 for an integer k, and w = q * that sum."""
    n, q = int(fx["n"]), int(fx["q"])
    on, below, above = 0, 0, 0
    for epoch in range(BINNING_FROM_EPOCH, int(fx["epochs"])):
        w = fx["w"][epoch]
        x = (1 - (w - np.min(w)) / (np.max(w) - np.min(w))) / (1 / n)
        exact = [q * (Fraction(q, 10) + Fraction(round((float(v) / q - q / 10) * 5), 5)) for v in w]
        lo, hi = min(exact), max(exact)
        for e, xf in zip(exact, x):
            xe = (1 - (e - lo) / (hi - lo)) * n
            if xe.denominator == 1:
                f = Fraction(float(xf))
                on, below, above = on + (f == xe), below + (f < xe), above + (f > xe)
    return on, below, above


def write_fixture(path):
    import os
    stream = build_stream()
    res = authors_selection(stream, N_ROWS, LABELS, WARM, EPOCHS, E_END, E0, SE0)
    batch_epoch, batch_rows, batch_outputs = stream_arrays(stream, BATCH, LABELS)
    seq = np.full((math.ceil(N_ROWS / BATCH), BATCH), -1, dtype=np.int32)
    for k, rows in enumerate(sequential_batches(N_ROWS, BATCH)):
        seq[k, :len(rows)] = rows
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    np.savez_compressed(
        path, n=np.array(N_ROWS), q=np.array(LABELS), batch_size=np.array(BATCH),
        warm_epoch=np.array(WARM), epochs=np.array(EPOCHS), e_end=np.array(E_END),
        e0=np.array(E0), se0=np.array(SE0), loader_seed=np.array(LOADER_SEED),
        batch_epoch=batch_epoch, batch_rows=batch_rows, batch_outputs=batch_outputs,
        pressure=res["pressure"], probabilities=res["probabilities"], w=res["w"],
        quantised=res["quantised"], sequential_rows=seq)
    check(path)


def same_floats(a, b):
    """Bitwise equality, NaN matching NaN."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    na, nb = np.isnan(a), np.isnan(b)
    return bool(np.array_equal(na, nb) and np.array_equal(a[~na].view(np.uint64), b[~nb].view(np.uint64)))


def check(path):
    fx = dict(np.load(path))
    n, q, b = int(fx["n"]), int(fx["q"]), int(fx["batch_size"])
    warm, epochs = int(fx["warm_epoch"]), int(fx["epochs"])
    stream = stream_from_arrays(fx["batch_epoch"], fx["batch_rows"], fx["batch_outputs"])
    res = authors_selection(stream, n, q, warm, epochs, int(fx["e_end"]), int(fx["e0"]), int(fx["se0"]))
    for name in ("pressure", "probabilities", "w"):
        if not same_floats(res[name], fx[name]):
            a, b = res[name], fx[name]
            bad = ~((a == b) | (np.isnan(a) & np.isnan(b)))
            ok = bad & ~np.isnan(a) & ~np.isnan(b)
            ulps = np.max(np.abs(a[ok] - b[ok]) / np.spacing(np.abs(b[ok]))) if ok.any() else float("nan")
            raise AssertionError(f"{name} differs in {int(bad.sum())} entries (at most {ulps:.3g} ulp; "
                                 f"epochs {sorted(set(np.nonzero(bad)[0].tolist()))[:20]})")
    assert np.array_equal(res["quantised"], fx["quantised"]), "quantised differs"
    # The batches themselves: stored order in the warm-up, the loader's draws afterwards.
    seq = sequential_batches(n, b)
    assert all(np.array_equal(fx["sequential_rows"][k][fx["sequential_rows"][k] >= 0], rows)
               for k, rows in enumerate(seq)), "sequential_rows differ"
    loader = np.random.RandomState(int(fx["loader_seed"]))
    k = 0
    for epoch in range(epochs):
        count = len(seq) if epoch < warm else math.ceil(n / b)
        for t in range(count):
            rows = fx["batch_rows"][k][fx["batch_rows"][k] >= 0]
            assert fx["batch_epoch"][k] == epoch, "batch epochs differ"
            if epoch < warm:
                expected = seq[t]
            else:
                expected = loader.choice(list(range(n)), size=b, replace=False,
                                         p=res["probabilities"][epoch - 1])
            assert np.array_equal(rows, expected), f"batch {k} (epoch {epoch}) rows differ"
            k += 1
    assert k == len(fx["batch_epoch"]), "extra batches"
    on, below, above = boundary_counts(fx)
    used = res["probabilities"][warm - 1:]
    print(f"ok: epochs={epochs} pressure first={res['pressure'][0]:.6g} last={res['pressure'][-1]:.6g} "
          f"(epoch {warm - 1} -> {res['pressure'][warm - 1]:.6g}) max_probability={np.nanmax(used):.6g} "
          f"nan_E_entries={res['nan_entries']} Q_at_integer_boundary={on + below + above} "
          f"(float on it, ceil==floor: {on}; just below: {below}; just above, ceil one more: {above})")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write-fixture", metavar="PATH")
    group.add_argument("--check", metavar="PATH")
    args = parser.parse_args(argv)
    if args.write_fixture:
        write_fixture(args.write_fixture)
    else:
        check(args.check)


if __name__ == "__main__":
    main(sys.argv[1:])
