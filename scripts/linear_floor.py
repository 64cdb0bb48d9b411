"""The linear floor with scikit-learn: per-label LogisticRegression(C=1) on each fold of a split,
with the train stage's data protocol, and its test Macro-AUC.

usage: python scripts/linear_floor.py FETCH_DIR SPLIT_DIR [--folds 0,1] [--kept-labels FILE]
                                      [--feature-fraction 1] [--max-iter 1000]

FETCH_DIR holds features.npy (float32 [n, d]) and labels.npy (uint8 [n, q]); SPLIT_DIR holds
roles.npy (uint8 [k, n]: 0 train, 1 validation, 2 test). For every fold (default: all):
- features are min–max scaled with the training rows' minimum and maximum (a constant column
  becomes 0), after keeping the `--feature-fraction` of columns with the largest training
  column sums (ties by column order), as the train stage does;
- labels: all, or the columns listed in `--kept-labels` (an int32 .npy such as the split stage's
  labels-kept.npy);
- one LogisticRegression(C=1, lbfgs) per label on the training rows; a label with one class in
  the training rows scores every row with its training rate (AUC 0.5);
- Macro-AUC: the mean ROC AUC over the labels with both classes among the test rows.
Prints one line per fold and the mean; needs numpy and scikit-learn.
"""
import argparse
import math
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score


def prepare(features, train, fraction):
    d = features.shape[1]
    keep = max(1, min(d, math.ceil(fraction * d)))
    if keep < d:
        sums = features[train].astype(np.float64).sum(axis=0)
        order = sorted(range(d), key=lambda j: (-sums[j], j))
        columns = np.array(sorted(order[:keep]))
    else:
        columns = np.arange(d)
    x = features[:, columns]
    low, high = x[train].min(axis=0), x[train].max(axis=0)
    scale = np.where(high > low, 1 / np.where(high > low, high - low, 1), 0).astype(np.float32)
    return (x - low) * scale


def fold_auc(x, y, train, test, max_iter):
    aucs, trained = [], 0
    for j in range(y.shape[1]):
        target = y[train, j]
        if target.min() == target.max():
            scores = np.full(len(test), target.mean())
        else:
            model = LogisticRegression(C=1.0, max_iter=max_iter)
            model.fit(x[train], target)
            scores = model.decision_function(x[test])
            trained += 1
        truth = y[test, j]
        if 0 < truth.sum() < len(truth):
            aucs.append(roc_auc_score(truth, scores))
    return float(np.mean(aucs)), len(aucs), trained


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("fetch")
    parser.add_argument("split")
    parser.add_argument("--folds", default=None, help="comma-separated folds (default: all)")
    parser.add_argument("--kept-labels", default=None, help="int32 .npy of the label columns to use")
    parser.add_argument("--feature-fraction", type=float, default=1.0)
    parser.add_argument("--max-iter", type=int, default=1000)
    args = parser.parse_args()

    features = np.load(f"{args.fetch}/features.npy")
    labels = np.load(f"{args.fetch}/labels.npy")
    roles = np.load(f"{args.split}/roles.npy")
    if args.kept_labels:
        labels = labels[:, np.load(args.kept_labels).astype(np.int64)]
    folds = [int(f) for f in args.folds.split(",")] if args.folds else list(range(roles.shape[0]))
    warnings.simplefilter("ignore", ConvergenceWarning)
    results = []
    for fold in folds:
        started = time.time()
        train, test = np.flatnonzero(roles[fold] == 0), np.flatnonzero(roles[fold] == 2)
        x = prepare(features, train, args.feature_fraction)
        auc, evaluated, trained = fold_auc(x, labels, train, test, args.max_iter)
        results.append(auc)
        print(f"fold {fold}: test Macro-AUC {auc:.4f} over {evaluated} labels with both classes in test "
              f"({trained} of {labels.shape[1]} labels fitted; n_train={len(train)}, n_test={len(test)}, "
              f"d={x.shape[1]}; {time.time() - started:.0f} s)")
    if len(results) > 1:
        print(f"mean over {len(results)} folds: {np.mean(results):.4f} ± {np.std(results, ddof=1):.4f}")


if __name__ == "__main__":
    main()
