#!/usr/bin/env python3
"""Check a train folder's TensorBoard event file with TensorBoard's own reader.

Usage: scripts/check_tensorboard.py RUN_DIR [RUN_DIR ...]      (needs: pip install tensorboard)

Loads each folder with tensorboard.backend.event_processing.event_accumulator.EventAccumulator
and checks that
- the scalars loss/train, loss/validation, macro_auc/validation, selection/pressure and
  selection/seconds have one point per epoch of epochs.csv, equal to its values (and
  timings.csv's selection_seconds) as float32 (selection/seconds to the 4 decimals printed);
- test/<metric> holds test-metrics.json's metrics at its best epoch;
- the HParams plugin's session_start_info holds run.json's model, selector and epochs, and the
  text tag `parameters` is present.
Prints one line per folder; exits 1 if anything differs (all problems are listed), 2 on bad usage
or when tensorboard is not installed.
"""
import csv
import json
import math
import sys

import numpy as np

import check_runner

SCALARS = {  # tag -> (epochs.csv column, absolute tolerance beyond float32 rounding)
    "loss/train": ("train_loss", 0.0),
    "loss/validation": ("validation_loss", 0.0),
    "macro_auc/validation": ("validation_macro_auc", 0.0),
    "selection/pressure": ("pressure", 0.0),
    "selection/seconds": ("selection_seconds", 0.5e-4),
}


def same(expected, actual, tolerance):
    """actual (a float32 read back as a Python float) against a CSV or JSON value."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return math.isnan(actual)
    return abs(float(np.float32(expected)) - actual) <= tolerance


def check(folder, problems):
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.plugins.hparams import metadata as hparams_metadata

    files = sorted(folder.glob("*tfevents*"))
    if len(files) != 1:
        problems.append(f"{folder}: expected one event file, found {[f.name for f in files]}")
        return
    accumulator = event_accumulator.EventAccumulator(str(folder), size_guidance={"scalars": 0, "tensors": 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    with open(folder / "epochs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(folder / "timings.csv", newline="") as handle:
        for row, timing in zip(rows, csv.DictReader(handle)):
            row.update(timing)
    epochs = [int(row["epoch"]) for row in rows]
    for tag, (column, tolerance) in SCALARS.items():
        if tag not in tags["scalars"]:
            problems.append(f"{files[0]}: no scalar {tag}")
            continue
        points = accumulator.Scalars(tag)
        if [p.step for p in points] != epochs:
            problems.append(f"{files[0]}: {tag} has steps {[p.step for p in points]}, epochs.csv has {epochs}")
            continue
        for point, row in zip(points, rows):
            if not same(float(row[column]), point.value, tolerance):
                problems.append(f"{files[0]}: {tag} at step {point.step} is {point.value}, epochs.csv {column} is {row[column]}")
    test = json.loads((folder / "test-metrics.json").read_text())
    for name, value in test["metrics"].items():
        tag = f"test/{name}"
        points = accumulator.Scalars(tag) if tag in tags["scalars"] else []
        if [p.step for p in points] != [test["bestEpoch"]] or not same(value, points[0].value, 0.0):
            problems.append(f"{files[0]}: {tag} is {[(p.step, p.value) for p in points]}, "
                            f"test-metrics.json has {value} at epoch {test['bestEpoch']}")
    run = json.loads((folder / "run.json").read_text())
    if hparams_metadata.SESSION_START_INFO_TAG not in tags["tensors"]:
        problems.append(f"{files[0]}: no HParams session_start_info")
    else:
        content = accumulator.SummaryMetadata(hparams_metadata.SESSION_START_INFO_TAG).plugin_data.content
        hparams = hparams_metadata.parse_session_start_info_plugin_data(content).hparams
        found = {k: hparams[k].string_value for k in ("model", "selector")} | {"epochs": int(hparams["epochs"].number_value)}
        wanted = {key: run["parameters"][key] for key in ("model", "selector", "epochs")}
        if found != wanted:
            problems.append(f"{files[0]}: HParams {found}, run.json {wanted}")
    if "parameters" not in tags["tensors"]:
        problems.append(f"{files[0]}: no text summary `parameters`")
    print(f"{folder}: {len(tags['scalars'])} scalar tags, {len(epochs)} epochs, best epoch {test['bestEpoch']}")


if __name__ == "__main__":
    sys.exit(check_runner.run(sys.argv, __doc__, "tensorboard", "pip install tensorboard", check))
