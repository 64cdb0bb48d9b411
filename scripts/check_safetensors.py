#!/usr/bin/env python3
"""Check a train folder's model.safetensors from Python.

Usage: scripts/check_safetensors.py RUN_DIR [RUN_DIR ...]      (needs: pip install safetensors)

For each folder:
- safetensors.numpy.load_file reads model.safetensors, and its tensors are model.npz's, with the
  same PyTorch names, dtypes, shapes and values;
- for model `mlp`, a NumPy reference forward pass (Linear → LeakyReLU → … → Linear, sigmoid) with
  those weights on the training rows, scaled as the train stage scales them (min–max fitted on
  the training part, after the optional feature selection), reproduces predictions.npy at the
  best epoch (to 2e-3 for float16, 1/510 + 1e-4 for uint8, whose value / 255 is read);
- with PyTorch installed, the same check loads the file with safetensors.torch.load_file into a
  torch.nn.Module with the reference model's parameter names (load_state_dict(strict=True)).
The dataset folder comes from manifest.json's `dataset` input (a relative path is taken from the
current folder, then from the folder holding the run's Artifacts/, then from the repository
root). Exits 1 if anything differs, 2 on bad usage or when safetensors is not installed.
"""
import json
import math
import pathlib
import sys

import numpy as np

import check_runner

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOLERANCE = 2e-3
# uint8 predictions hold round(p * 255): dequantised to within 1/510 of the engine's value.
UINT8_TOLERANCE = 1 / 510 + 1e-4


def dataset_folder(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    path = pathlib.Path(next(i["path"] for i in manifest["inputs"] if i["name"] == "dataset"))
    # A relative path starts where the pipeline ran: the folder holding Artifacts/.
    bases = [pathlib.Path.cwd()] + [p.parent for p in folder.resolve().parents if p.name == "Artifacts"] + [ROOT]
    for base in bases:
        if (base / path / "features.npy").exists():
            return base / path
    raise FileNotFoundError(f"{folder / 'manifest.json'}: dataset input {path} not found from {', '.join(map(str, bases))}")


def scaled_train_features(folder, run):
    """The training rows' features exactly as the train stage feeds them to the model (float32)."""
    features = np.load(dataset_folder(folder) / "features.npy")
    rows = np.load(folder / "train-indices.npy")
    train = features[rows]
    fraction = float(run["parameters"]["feature_fraction"])
    d = features.shape[1]
    keep = max(1, min(d, math.ceil(fraction * d)))
    if keep < d:  # the largest training column sums, ties by column order
        sums = train.astype(np.float64).sum(axis=0)
        train = train[:, np.sort(np.argsort(-sums, kind="stable")[:keep])]
    low, high = train.min(axis=0), train.max(axis=0)
    scale = np.where(high > low, np.float32(1) / np.where(high > low, high - low, 1), 0).astype(np.float32)
    return (train - low) * scale


def layer_names(tensors):
    return [f"layers.{i}" for i in range(len(tensors) // 2)]


def numpy_forward(tensors, x, slope):
    names = layer_names(tensors)
    for name in names[:-1]:
        x = x @ tensors[f"{name}.weight"].T + tensors[f"{name}.bias"]
        x = np.where(x > 0, x, slope * x)
    return x @ tensors[f"{names[-1]}.weight"].T + tensors[f"{names[-1]}.bias"]


def torch_forward(path, x, slope):
    import torch
    import torch.nn.functional as F
    from safetensors.torch import load_file

    state = load_file(str(path))

    class ReferenceMLP(torch.nn.Module):
        """The reference mlp: Linear layers named layers.0 … layers.k, LeakyReLU between them."""

        def __init__(self, widths):
            super().__init__()
            self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(widths, widths[1:]))

        def forward(self, h):
            for layer in self.layers[:-1]:
                h = F.leaky_relu(layer(h), slope)  # dropout is the identity in eval mode
            return self.layers[-1](h)

    widths = [state["layers.0.weight"].shape[1]] + [state[f"{n}.weight"].shape[0] for n in layer_names(state)]
    model = ReferenceMLP(widths)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def check(folder, problems):
    from safetensors.numpy import load_file

    path = folder / "model.safetensors"
    tensors = load_file(str(path))
    archive = np.load(folder / "model.npz")
    if sorted(tensors) != sorted(archive.files):
        problems.append(f"{path}: tensors {sorted(tensors)}, model.npz has {sorted(archive.files)}")
        return
    for name in archive.files:
        a, b = tensors[name], archive[name]
        if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b):
            problems.append(f"{path}: {name} {a.dtype} {a.shape} differs from model.npz's {b.dtype} {b.shape}")
    run = json.loads((folder / "run.json").read_text())
    line = f"{folder}: {len(tensors)} tensors equal to model.npz"
    parameters = run["parameters"]
    if parameters["model"] != "mlp":
        print(line + f"; forward check only for mlp (this is {parameters['model']})")
        return
    model_params = dict(item.split("=", 1) for entry in parameters["model_param"] for item in entry.split(","))
    slope = np.float32(model_params.get("leaky_slope", "0.1"))
    x = scaled_train_features(folder, run)
    best = json.loads((folder / "test-metrics.json").read_text())["bestEpoch"]
    kept = list(np.load(folder / "prediction-epochs.npy"))
    if best not in kept:
        print(line + f"; best epoch {best} not in predictions.npy (--history-every), no forward check")
        return
    stored = np.load(folder / "predictions.npy", mmap_mode="r")
    recorded = stored[kept.index(best)].astype(np.float32)
    tolerance = TOLERANCE
    if stored.dtype == np.uint8:
        recorded, tolerance = recorded / 255, UINT8_TOLERANCE
    forwards = {"numpy": numpy_forward(tensors, x, slope)}
    try:
        import torch  # noqa: F401
    except ImportError:
        line += "; PyTorch not installed, NumPy forward only"
    else:
        forwards["torch"] = torch_forward(path, x, float(slope))
    for engine, logits in forwards.items():
        error = float(np.abs(1 / (1 + np.exp(-logits.astype(np.float64))) - recorded).max())
        verdict = "matches" if error <= tolerance else "DIFFERS FROM"
        if verdict != "matches":
            problems.append(f"{path}: {engine} forward differs from predictions.npy at epoch {best} by {error:.2e}")
        line += f"; {engine} forward {verdict} predictions.npy at epoch {best} (max |Δp| {error:.1e})"
    print(line)


if __name__ == "__main__":
    sys.exit(check_runner.run(sys.argv, __doc__, "safetensors.numpy", "pip install safetensors", check))
