"""Writes the PyTorch parity fixtures of the models the project added after the shared set:
`mpvae.npz` (scripts/mpvae_reference.py) and `clif-batchnorm.npz` (clif with batch normalisation
over the label nodes inside the GIN MLPs and the co-occurrence label graph).

usage: /work/venv/bin/python scripts/generate_model_fixtures.py [OUTDIR]
       (default OUTDIR: Tests/ModelsTests/Fixtures; needs torch and numpy)

Conventions as the shared fixtures: `param/<name>` start values (PyTorch names and layouts,
buffers included), `input/...`, `out/...` (scalars float64, arrays float32), `grad/<name>`.
Dropout is off; every random draw the model would make is an input.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mpvae_reference as ref  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ModelsTests", "Fixtures")
rng = np.random.default_rng(2025)


def save(name, **arrays):
    os.makedirs(OUT, exist_ok=True)
    np.savez(os.path.join(OUT, f"{name}.npz"), **{k: np.asarray(v) for k, v in arrays.items()})


def f32(a):
    return np.asarray(a, dtype=np.float32)


def t(a, grad=False):
    return torch.tensor(f32(a), requires_grad=grad)


# ---------------------------------------------------------------- mpvae
# b = 4 rows (row 0 has no label, row 1 every label), d = 7, q = 5, L = 3, r = 4, S = 6,
# hidden widths 8 (wide) and 6 (narrow); loss coefficients at their defaults except
# l2_decay = 1e-2, large enough for the L2 term to show in the gradients.
B, D, Q, L, R, S, S_EVAL = 4, 7, 5, 3, 4, 6, 7
HYPER = dict(nll_coeff=0.1, c_coeff=200.0, beta=1.1, l2_coeff=1.0, l2_decay=1e-2)
torch.manual_seed(0)
model = ref.MPVAE(D, Q, latent=L, z_dim=R, wide=8, narrow=6, dropout=0.0)
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith(".bias"):  # Xavier init leaves biases at 0: give them values to check
            p.copy_(t(rng.uniform(-0.2, 0.2, p.shape)))
x_np = f32(rng.random((B, D)))
y_np = f32(rng.random((B, Q)) < 0.5)
y_np[0], y_np[1] = 0, 1
y_np[2, :2], y_np[3, 2:4] = (1, 0), (1, 0)
eps_z_np = f32(rng.standard_normal((B, L)))
eps_np = f32(rng.standard_normal((S, B, R)))
eval_eps_np = f32(rng.standard_normal((S_EVAL, B, R)))
weights_np = f32(rng.uniform(0.5, 2.0, (B, Q)))
x, y = t(x_np), t(y_np)

out = model.forward_train(x, y, t(eps_z_np), t(eps_np), training=False)
loss, parts = ref.total_loss(model, out, y, **HYPER)
loss.backward()
params = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
grads = {f"grad/{n}": p.grad.numpy().copy() for n, p in model.named_parameters()}
with torch.no_grad():
    p_train = ref.probit(out["t_x"]).mean(0)
    weighted_nll_x = ref.nll(out["t_x"], y, t(weights_np))
    pairwise_rl_x = ref.ranking_loss_pairwise(out["t_x"], y)
    eval_closed = model.eval_probabilities(x, t(eps_z_np))
    eval_mean_z = model.eval_probabilities(x)
    eval_mc = model.eval_probabilities(x, t(eps_z_np), t(eval_eps_np))
assert abs(pairwise_rl_x.item() - parts["rl_x"].item()) < 1e-5 * abs(parts["rl_x"].item())
save("mpvae", **{f"param/{k}": v for k, v in params.items()},
     **{"input/x": x_np, "input/y": y_np, "input/eps_z": eps_z_np, "input/eps": eps_np,
        "input/eval_eps": eval_eps_np, "input/weights": weights_np},
     **{f"out/{k}": out[k].detach().numpy() for k in ("mu_e", "lv_e", "mu_x", "lv_x", "m_e", "m_x")},
     **{f"out/{k}": np.float64(v.item()) for k, v in parts.items()},
     **{"out/loss": np.float64(loss.item()), "out/p_train": p_train.numpy(),
        "out/nll_x_weighted": np.float64(weighted_nll_x.item()),
        "out/eval_closed": eval_closed.numpy(), "out/eval_mean_z": eval_mean_z.numpy(), "out/eval_mc": eval_mc.numpy()},
     **grads)


# ---------------------------------------------------------------- clif with batch norm and co-occurrence graph
# As the shared clif fixture (hidden width 16, GIN hidden ceil(q/2) = 3, LeakyReLU 0.1, dropout off),
# plus: each GIN MLP layer is Linear -> BatchNorm over the q label nodes (batch statistics, biased
# variance, eps 1e-5; running statistics updated with momentum 0.1 and the unbiased variance) ->
# LeakyReLU; the label graph A is the authors' symmetrised conditional co-occurrence of the
# training labels: A_ij = (P(j|i) + P(i|j)) / 2 off the diagonal, 0 on it.
def cooccurrence(labels):
    y = torch.tensor(labels, dtype=torch.float64)
    adj = y.T @ y
    counts = y.sum(0).clamp(min=1e-6)[:, None]
    adj = adj / counts
    adj.fill_diagonal_(0)
    return ((adj + adj.T) / 2).float().numpy()


def leaky(h):
    return F.leaky_relu(h, 0.1)


def uniform_linear(prefix, n_in, n_out, params):
    bound = 1 / math.sqrt(n_in)
    params[f"{prefix}.weight"] = f32(rng.uniform(-bound, bound, (n_out, n_in)))
    params[f"{prefix}.bias"] = f32(rng.uniform(-bound, bound, (n_out,)))


HW, GH, N_TRAIN = 16, math.ceil(Q / 2), 12
train_labels = (rng.random((N_TRAIN, Q)) < 0.4).astype(np.uint8)
train_labels[0] = 1
cp = {"label_embedding": f32(rng.standard_normal((Q, Q))), "adjacency": cooccurrence(train_labels)}
for layer in range(2):
    for i, (n_in, n_out) in enumerate(((Q, GH), (GH, Q))):
        uniform_linear(f"gin.{layer}.mlp.{i}", n_in, n_out, cp)
        cp[f"gin.{layer}.norm.{i}.weight"] = f32(rng.uniform(0.5, 1.5, n_out))
        cp[f"gin.{layer}.norm.{i}.bias"] = f32(rng.uniform(-0.2, 0.2, n_out))
        cp[f"gin.{layer}.norm.{i}.running_mean"] = f32(rng.uniform(-0.1, 0.1, n_out))
        cp[f"gin.{layer}.norm.{i}.running_var"] = f32(rng.uniform(0.8, 1.2, n_out))
    cp[f"gin.{layer}.eps"] = f32([0.05 * (layer + 1)])
for i, (n_in, n_out) in enumerate(((D, HW), (HW, HW), (HW, HW))):
    uniform_linear(f"feature.{i}", n_in, n_out, cp)
uniform_linear("label_proj", Q, HW, cp)
uniform_linear("joint.0", HW, HW, cp)
cp["classifier.weight"] = f32(rng.uniform(-0.25, 0.25, (Q, HW)))
cp["classifier.bias"] = f32(rng.uniform(-0.25, 0.25, (Q,)))
fixed = {k for k in cp if k in ("label_embedding", "adjacency") or k.endswith(("running_mean", "running_var"))}
P = {k: t(v, k not in fixed) for k, v in cp.items()}
cx_np = f32(rng.random((B, D)))
cy_np = f32(rng.random((B, Q)) < 0.4)
cy_np[0, 0] = 1


def clif_forward(P, x, training):
    e, A = P["label_embedding"], P["adjacency"]
    for layer in range(2):
        h = (1 + P[f"gin.{layer}.eps"]) * e + A @ e
        for i in range(2):
            h = F.linear(h, P[f"gin.{layer}.mlp.{i}.weight"], P[f"gin.{layer}.mlp.{i}.bias"])
            norm = f"gin.{layer}.norm.{i}"
            h = F.batch_norm(h, P[f"{norm}.running_mean"], P[f"{norm}.running_var"], P[f"{norm}.weight"],
                             P[f"{norm}.bias"], training=training, momentum=0.1, eps=1e-5)
            h = leaky(h)
        e = h + e
    hx = x
    for i in range(3):
        hx = leaky(F.linear(hx, P[f"feature.{i}.weight"], P[f"feature.{i}.bias"]))
    hy = F.linear(e, P["label_proj.weight"], P["label_proj.bias"])
    z = leaky(F.linear(hx[:, None, :] * hy[None, :, :], P["joint.0.weight"], P["joint.0.bias"]))
    return (z * P["classifier.weight"][None]).sum(-1) + P["classifier.bias"], e


logits, emb = clif_forward(P, t(cx_np), training=True)
en = emb / (emb.norm(dim=1, keepdim=True) + 1e-6)
link = ((P["adjacency"] + torch.eye(Q) - en @ en.T) ** 2).mean()
cls = F.multilabel_soft_margin_loss(logits, t(cy_np))
loss = cls + 1e-3 * link
loss.backward()
running = {f"after/{k}": P[k].detach().numpy().copy() for k in cp if k.endswith(("running_mean", "running_var"))}
with torch.no_grad():
    eval_logits = clif_forward(P, t(cx_np), training=False)[0]
save("clif-batchnorm", **{f"param/{k}": v for k, v in cp.items()},
     **{"input/x": cx_np, "input/y": cy_np, "input/train_labels": train_labels,
        "out/logits": logits.detach().numpy(), "out/label_embeddings": emb.detach().numpy(),
        "out/classification_loss": np.float64(cls.item()), "out/link_loss": np.float64(link.item()),
        "out/loss": np.float64(loss.item()), "out/eval_logits": eval_logits.numpy()},
     **running, **{f"grad/{k}": P[k].grad.numpy() for k in cp if k not in fixed})
print("wrote mpvae.npz and clif-batchnorm.npz to", os.path.abspath(OUT))
