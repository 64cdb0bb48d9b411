"""Reference fixture for the `linear` model: forward, loss and gradients of torch.nn.Linear(7, 5)
with mean binary cross-entropy with logits, plus the parameters after two torch.optim.Adam steps.

usage: python scripts/generate_linear_fixture.py OUT.npz
    The project writes Tests/ModelsTests/Fixtures/linear.npz with it (torch 2.13.0+cpu).

Arrays (float32): `param/linear.weight` [5, 7], `param/linear.bias` [5] (uniform ±1/√7, NumPy
seed 11), `input/x` [4, 7] (uniform [0, 1)), `input/y` [4, 5] (0/1), `out/logits` [4, 5],
`grad/<name>`, `adam/step{1,2}/<name>` (lr 1e-2, betas (0.9, 0.999), eps 1e-8, weight decay 1e-4,
loss recomputed on the same batch); `out/loss` float64.
"""
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

B, D, Q = 4, 7, 5


def main():
    rng = np.random.default_rng(11)
    bound = 1 / math.sqrt(D)
    params = {"linear.weight": rng.uniform(-bound, bound, (Q, D)).astype(np.float32),
              "linear.bias": rng.uniform(-bound, bound, (Q,)).astype(np.float32)}
    x_np = rng.random((B, D), dtype=np.float32)
    y_np = (rng.random((B, Q)) < 0.4).astype(np.float32)
    y_np[0, 0] = 1.0
    x, y = torch.tensor(x_np), torch.tensor(y_np)

    layer = torch.nn.Linear(D, Q)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(params["linear.weight"]))
        layer.bias.copy_(torch.tensor(params["linear.bias"]))
    logits = layer(x)
    loss = F.binary_cross_entropy_with_logits(logits, y)
    loss.backward()
    arrays = {f"param/{k}": v for k, v in params.items()}
    arrays.update({"input/x": x_np, "input/y": y_np, "out/logits": logits.detach().numpy(),
                   "out/loss": np.float64(loss.item()),
                   "grad/linear.weight": layer.weight.grad.numpy().copy(), "grad/linear.bias": layer.bias.grad.numpy().copy()})

    opt = torch.optim.Adam(layer.parameters(), lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(params["linear.weight"]))
        layer.bias.copy_(torch.tensor(params["linear.bias"]))
    for step in (1, 2):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(layer(x), y).backward()
        opt.step()
        arrays[f"adam/step{step}/linear.weight"] = layer.weight.detach().numpy().copy()
        arrays[f"adam/step{step}/linear.bias"] = layer.bias.detach().numpy().copy()
    np.savez(sys.argv[1], **arrays)


if __name__ == "__main__":
    main()
