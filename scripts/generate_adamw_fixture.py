"""Reference fixture for the optimiser's weight-decay modes: three steps of torch.optim.AdamW
(decoupled decay) and of torch.optim.Adam (L2 decay) with the same settings, on the tiny mlp of
the project's Adam parity fixture.

usage: python scripts/generate_adamw_fixture.py PARITY_DIR OUT.npz
    PARITY_DIR holds adam.npz (start parameters `param/<name>`, `input/x` [4, 7], `input/y` [4, 5]).
    The project writes Tests/TensorsTests/Fixtures/adamw.npz with it (torch 2.13.0+cpu).

The network: Linear(7,6) → LeakyReLU(0.1) → Linear(6,6) → LeakyReLU(0.1) → Linear(6,5), loss =
mean binary cross-entropy with logits over all 20 entries, recomputed each step on the same batch.
Optimiser: lr 1e-2, betas (0.9, 0.999), eps 1e-8, weight decay 0.5 (large, so that the two modes
differ far beyond the 1e-4 test tolerance); step s runs at lr · s/3 (a linear warm-up, so the
decoupled shrink factor 1 − lr·decay must use the scaled rate).

Arrays (float32): `param/<name>`, `input/x`, `input/y` (copied from adam.npz);
`adamw/step{1,2,3}/<name>` and `adam/step{1,2,3}/<name>`: parameters after each step;
scalars (float64): `lr`, `weight_decay`, `scale/step{1,2,3}`.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

LR, DECAY, SCALES = 1e-2, 0.5, [1 / 3, 2 / 3, 1.0]
NAMES = [f"layers.{i}.{kind}" for i in range(3) for kind in ("weight", "bias")]


def forward(p, x):
    h = x
    for i in range(3):
        h = h @ p[f"layers.{i}.weight"].T + p[f"layers.{i}.bias"]
        if i < 2:
            h = F.leaky_relu(h, 0.1)
    return h


def run(optimizer_class, start, x, y):
    p = {k: torch.tensor(v, requires_grad=True) for k, v in start.items()}
    opt = optimizer_class([p[k] for k in NAMES], lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=DECAY)
    out = {}
    for s, scale in enumerate(SCALES, start=1):
        opt.param_groups[0]["lr"] = LR * scale
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(forward(p, x), y).backward()
        opt.step()
        for k in NAMES:
            out[f"step{s}/{k}"] = p[k].detach().numpy().copy()
    return out


def main():
    parity, target = sys.argv[1], sys.argv[2]
    source = np.load(f"{parity}/adam.npz")
    start = {k: source[f"param/{k}"].astype(np.float32) for k in NAMES}
    x_np, y_np = source["input/x"].astype(np.float32), source["input/y"].astype(np.float32)
    x, y = torch.tensor(x_np), torch.tensor(y_np)
    arrays = {f"param/{k}": v for k, v in start.items()}
    arrays.update({"input/x": x_np, "input/y": y_np, "lr": np.float64(LR), "weight_decay": np.float64(DECAY)})
    arrays.update({f"scale/step{s}": np.float64(v) for s, v in enumerate(SCALES, start=1)})
    arrays.update({f"adamw/{k}": v for k, v in run(torch.optim.AdamW, start, x, y).items()})
    arrays.update({f"adam/{k}": v for k, v in run(torch.optim.Adam, start, x, y).items()})
    np.savez(target, **arrays)


if __name__ == "__main__":
    main()
