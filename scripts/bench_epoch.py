#!/usr/bin/env python3
"""PyTorch CPU reference for `bench epoch`: seconds per training epoch of the mlp or clif model
(docs/models.md) on the arrays `bench epoch` trains on, with the same protocol: batch 128 in a
random order, Adam (lr 1e-4, L2 weight decay 1e-4), dropout 0.2, median epoch after a warm-up epoch.

Usage: bench_epoch.py --features X.npy --labels Y.npy --model mlp|clif [--threads 1] [--epochs 4] [--hidden 768]
Needs torch and numpy (`pip install "torch==2.13.0+cpu" numpy`). Prints one JSON object:
{"torch": version, "threads": N, "epoch_seconds_median": s, "epoch_cpu_seconds_median": s, ...} (process CPU time
beside elapsed time: it is less sensitive to other load on the machine).
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp_block(inputs, outputs):
    """Linear → LeakyReLU(0.1) → Dropout(0.2), as every layer of the project's MLP blocks."""
    return [nn.Linear(inputs, outputs), nn.LeakyReLU(0.1), nn.Dropout(0.2)]


class Clif(nn.Module):
    """clif: a two-layer GIN over the label graph (identity) on a fixed random label embedding, a feature
    MLP, their broadcast product [b, q, H], one joint layer and a per-label classifier."""

    def __init__(self, d, q, hidden):
        super().__init__()
        g = math.ceil(q / 2)
        self.register_buffer("embedding", torch.randn(q, q))
        self.register_buffer("adjacency", torch.eye(q))
        self.gin = nn.ModuleList([nn.Sequential(*mlp_block(q, g), *mlp_block(g, q)) for _ in range(2)])
        self.eps = nn.Parameter(torch.zeros(2))
        self.feature = nn.Sequential(*mlp_block(d, hidden), *mlp_block(hidden, hidden), *mlp_block(hidden, hidden))
        self.label_proj = nn.Linear(q, hidden)
        self.joint = nn.Sequential(*mlp_block(hidden, hidden))
        self.weight = nn.Parameter(torch.randn(q, hidden) * hidden ** -0.5)
        self.bias = nn.Parameter(torch.zeros(q))

    def forward(self, x):
        e = self.embedding
        for i, block in enumerate(self.gin):
            e = block((1 + self.eps[i]) * e + self.adjacency @ e) + e
        z = self.joint(self.feature(x)[:, None, :] * self.label_proj(e)[None])
        return (z * self.weight[None]).sum(-1) + self.bias, e

    def loss(self, x, y):
        logits, e = self(x)
        unit = e / (e.norm(dim=1, keepdim=True) + 1e-6)
        q = e.shape[0]
        link = ((self.adjacency + torch.eye(q) - unit @ unit.T) ** 2).mean()
        return F.multilabel_soft_margin_loss(logits, y) + 1e-3 * link


class Mlp(nn.Module):
    def __init__(self, d, q):
        super().__init__()
        self.layers = nn.Sequential(*mlp_block(d, 256), *mlp_block(256, 256), nn.Linear(256, q))

    def loss(self, x, y):
        return F.binary_cross_entropy_with_logits(self.layers(x), y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--model", choices=["mlp", "clif"], default="mlp")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=768)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    features = torch.from_numpy(np.load(args.features).astype(np.float32))
    labels = torch.from_numpy(np.load(args.labels).astype(np.float32))
    n, d = features.shape
    q = labels.shape[1]
    net = Mlp(d, q) if args.model == "mlp" else Clif(d, q, args.hidden)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-4)
    net.train()
    times, cpu_times = [], []
    for _ in range(max(args.epochs, 2)):
        order = torch.randperm(n)
        start, cpu_start = time.perf_counter(), time.process_time()
        for first in range(0, n, 128):
            rows = order[first:first + 128]
            optimizer.zero_grad()
            net.loss(features[rows], labels[rows]).backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)

    def steady_median(values):
        steady = sorted(values[1:])
        return steady[len(steady) // 2]

    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "model": args.model, "n": n, "d": d, "q": q,
                      "epoch_seconds_median": steady_median(times), "epoch_cpu_seconds_median": steady_median(cpu_times),
                      "epoch_seconds_all": times}))


if __name__ == "__main__":
    main()
