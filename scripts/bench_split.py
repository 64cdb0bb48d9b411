#!/usr/bin/env python3
"""Reference side of `bench split`: prepares label matrices and runs the Python splitters.

usage: bench_split.py --workdir W [--mirror DIR] [--seeds 0,1,2,3,4] [--speed-seed 42]
                      [--datasets corel5k,scene,yeast,enron,emotions] [--large-rows 100000]
                      [--large-methods skml_o1,iterstrat] [--timeout 900]

1. Unpacks the mirror archives into W/raw and runs ../shared/bench/stratify/bench_load.py
   (reference reader) to get W/<name>.labels.npz (scipy CSR).
2. Writes W/<name>.labels.npy (dense uint8 [n, q]) for the Swift benchmark, and the large
   dataset `corel5k-<rows/1000>k`: corel5k's label matrix replicated to --large-rows rows with
   noise (each positive dropped with p = 0.1; with p = 0.1 a row gains one label drawn from the
   label marginals), numpy seed 0.
3. Runs ../shared/bench/stratify/bench_split.py (iterstrat and skml_o1; seeds = speed seed +
   --seeds) for every dataset not yet in W/reference.json (cached between runs).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared"))
STRATIFY = os.path.join(SHARED, "bench", "stratify")

SPECS = {
    "corel5k": ("mulan/corel5k.zip", "corel5k/Corel5k.arff@{r}/corel5k/Corel5k.xml"),
    "scene": ("mulan/scene.tar.gz", "scene/scene-train.arff+{r}/scene/scene-test.arff@{r}/scene/scene.xml"),
    "yeast": ("meka/Yeast.arff.bz2", "Yeast.arff"),
    "enron": ("mulan/enron.tar.bz2", "enron/enron.arff@{r}/enron/enron.xml"),
    "emotions": ("mulan/emotions.zip", "emotions/emotions.arff@{r}/emotions/emotions.xml"),
}


def unpack(archive, raw):
    os.makedirs(raw, exist_ok=True)
    if archive.endswith(".zip"):
        subprocess.run(["unzip", "-oq", archive, "-d", raw], check=True)
    elif archive.endswith(".tar.gz") or archive.endswith(".tar.bz2"):
        subprocess.run(["tar", "xf", archive, "-C", raw], check=True)
    elif archive.endswith(".arff.bz2"):
        target = os.path.join(raw, os.path.basename(archive)[:-4])
        with open(target, "wb") as out:
            subprocess.run(["bzip2", "-dc", archive], stdout=out, check=True)


def write_dense(workdir, name, Y):
    np.save(os.path.join(workdir, name + ".labels.npy"), np.asarray(Y.todense(), dtype=np.uint8))


def make_large(workdir, rows):
    base = sp.load_npz(os.path.join(workdir, "corel5k.labels.npz")).tocsr().astype(np.int8)
    n, q = base.shape
    rng = np.random.RandomState(0)
    Y = sp.vstack([base] * (rows // n + 1)).tocsr()[:rows].tolil()
    marginal = np.asarray(base.sum(axis=0)).ravel() / base.sum()
    dense = np.asarray(Y.todense(), dtype=np.uint8)
    dense[(dense == 1) & (rng.random_sample(dense.shape) < 0.1)] = 0
    gain = np.where(rng.random_sample(rows) < 0.1)[0]
    dense[gain, rng.choice(q, size=gain.size, p=marginal)] = 1
    name = "corel5k-%dk" % (rows // 1000)
    sp.save_npz(os.path.join(workdir, name + ".labels.npz"), sp.csr_matrix(dense))
    np.save(os.path.join(workdir, name + ".labels.npy"), dense)
    return name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--mirror", default=os.path.join(SHARED, "datasets"))
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--speed-seed", default="42")
    ap.add_argument("--datasets", default="corel5k,scene,yeast,enron,emotions")
    ap.add_argument("--large-rows", type=int, default=100000)
    ap.add_argument("--large-methods", default="skml_o1,iterstrat")
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()
    w = os.path.abspath(a.workdir)
    raw = os.path.join(w, "raw")
    os.makedirs(w, exist_ok=True)
    names = [x for x in a.datasets.split(",") if x]
    missing = [x for x in names if not os.path.exists(os.path.join(w, x + ".labels.npz"))]
    if a.large_rows > 0 and "corel5k" not in names and not os.path.exists(os.path.join(w, "corel5k.labels.npz")):
        missing.append("corel5k")
    if missing:
        specs = []
        for x in missing:
            archive, spec = SPECS[x]
            unpack(os.path.join(a.mirror, archive), raw)
            specs.append("%s=%s/%s" % (x, raw, spec.format(r=raw)))
        subprocess.run([sys.executable, os.path.join(STRATIFY, "bench_load.py"), "--workdir", w,
                        "--out", os.path.join(w, "load.json"), "--readers", "own_ref", "--reps", "1"] + specs,
                       check=True, stdout=subprocess.DEVNULL)
    for x in names:
        if not os.path.exists(os.path.join(w, x + ".labels.npy")):
            write_dense(w, x, sp.load_npz(os.path.join(w, x + ".labels.npz")))
    runs = [(x, "iterstrat,skml_o1", a.speed_seed + "," + a.seeds) for x in names]
    if a.large_rows > 0:
        large = "corel5k-%dk" % (a.large_rows // 1000)
        if not os.path.exists(os.path.join(w, large + ".labels.npy")):
            make_large(w, a.large_rows)
        runs.append((large, a.large_methods, a.speed_seed))
    ref_path = os.path.join(w, "reference.json")
    done = json.load(open(ref_path)) if os.path.exists(ref_path) else {}
    for name, methods, seeds in runs:
        entry = done.get(name, {})
        if all(str(s) in entry.get(m, {}) for m in methods.split(",") for s in seeds.split(",")):
            continue
        subprocess.run([sys.executable, os.path.join(STRATIFY, "bench_split.py"), "--workdir", w, "--out", ref_path,
                        "--methods", methods, "--seeds", seeds, "--timeout", str(a.timeout),
                        "--reps", "3", "--rep-budget", "5", name], check=True)


if __name__ == "__main__":
    main()
