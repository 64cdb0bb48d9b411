#!/usr/bin/env python3
"""PyTorch CPU seconds per training epoch of mpvae (scripts/mpvae_reference.py) on random data of
a dataset's shape: the reference `bench epoch` runs side by side with its mpvae rows.

usage: bench_mpvae.py --rows N --features D --labels Q --density P [--epochs 3] [--threads 1]
                      [--samples 100] [--batch 128]
Prints one JSON object: {"torch": version, "threads": n, "epoch_seconds_median": s, "epoch_seconds_all": [...],
"epoch_cpu_seconds_median": process CPU seconds per epoch (robust to other load on the machine)}.
Every step draws eps_z [b, L] and eps [S, b, r] with torch.randn, runs both branches with dropout 0.5,
the full loss (NLL by logsumexp, factorised ranking loss, KL, L2) and backward, and an Adam step.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mpvae_reference as ref  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--features", type=int, required=True)
    parser.add_argument("--labels", type=int, required=True)
    parser.add_argument("--density", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x_all = torch.rand(args.rows, args.features)
    y_all = (torch.rand(args.rows, args.labels) < args.density).float()
    model = ref.MPVAE(args.features, args.labels)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    times, cpu_times = [], []
    for _ in range(max(args.epochs, 2)):
        order = torch.randperm(args.rows)
        start, cpu_start = time.perf_counter(), time.process_time()
        for first in range(0, args.rows, args.batch):
            rows = order[first:first + args.batch]
            x, y = x_all[rows], y_all[rows]
            b = x.shape[0]
            eps_z = torch.randn(b, model.latent)
            eps = torch.randn(args.samples, b, model.r)
            optimizer.zero_grad()
            out = model.forward_train(x, y, eps_z, eps, training=True)
            loss, _ = ref.total_loss(model, out, y)
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    steady, steady_cpu = sorted(times[1:]), sorted(cpu_times[1:])
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "epoch_seconds_median": steady[len(steady) // 2],
                      "epoch_seconds_all": times, "epoch_cpu_seconds_median": steady_cpu[len(steady_cpu) // 2]}))


if __name__ == "__main__":
    main()
