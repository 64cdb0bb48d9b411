"""PyTorch reference of the project's `mpvae` model (Bai, Kong & Gomes, IJCAI 2020), written from
the model contract the Swift code follows (docs/models.md §4), which follows the authors'
TensorFlow code rather than the PyTorch ports:

- label encoder on concat(x, y), feature encoder on x, one shared decoder on concat(x, z);
- ONE latent draw eps_z shared by both branches, ONE probit draw eps [S, b, r] shared by both;
- Xavier-uniform weights, zero biases, R ~ U(+-sqrt(6 / (q + r))), R trained;
- loss = l2_coeff * L2(13 weight matrices) + nll_coeff * (NLL_e + NLL_x)
         + c_coeff * (RL_e + RL_x) + beta * KL(label posterior || feature prior);
- evaluation by the closed form p = Phi(m / sqrt(1 + sum_k R_jk^2)) or by Monte-Carlo.

Imported by generate_model_fixtures.py (parity fixtures) and bench_mpvae.py (speed reference).
Parameter names are those of the Swift model, so state dicts exchange through .npz files.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS1 = 1e-6          # the original's affine floor: E = Phi(t)(1 - EPS1) + EPS1 / 2
RANK_SHARPNESS = 5.0  # exp(-5 (E_i - E_k)) in the ranking loss


def xavier_linear(n_in, n_out):
    layer = nn.Linear(n_in, n_out)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class MPVAE(nn.Module):
    def __init__(self, d, q, latent=50, z_dim=None, wide=512, narrow=256, dropout=0.5):
        super().__init__()
        r = q if z_dim is None else z_dim
        self.d, self.q, self.latent, self.r, self.dropout = d, q, latent, r, dropout
        self.label_encoder = nn.ModuleDict({
            "fc1": xavier_linear(d + q, wide), "fc2": xavier_linear(wide, narrow),
            "mu": xavier_linear(narrow, latent), "logvar": xavier_linear(narrow, latent)})
        self.feat_encoder = nn.ModuleDict({
            "fc1": xavier_linear(d, narrow), "fc2": xavier_linear(narrow, wide), "fc3": xavier_linear(wide, narrow),
            "mu": xavier_linear(narrow, latent), "logvar": xavier_linear(narrow, latent)})
        self.decoder = nn.ModuleDict({"fc1": xavier_linear(d + latent, narrow), "fc2": xavier_linear(narrow, wide)})
        self.label_mp_mu = xavier_linear(wide, q)
        self.feat_mp_mu = xavier_linear(wide, q)
        bound = math.sqrt(6.0 / (q + r))
        self.r_sqrt_sigma = nn.Parameter(torch.empty(q, r).uniform_(-bound, bound))

    def weight_matrices(self):
        """The 13 Linear weight matrices the L2 term covers (not biases, not R)."""
        return [p for name, p in self.named_parameters() if name.endswith(".weight")]

    # ------------------------------------------------------------------ pieces
    def encode_labels(self, x, y, drop):
        e = self.label_encoder
        h = drop(F.relu(e["fc1"](torch.cat([x, y], 1))))
        h = drop(F.relu(e["fc2"](h)))
        return e["mu"](h), e["logvar"](h)

    def encode_features(self, x, drop):
        e = self.feat_encoder
        h = drop(F.relu(e["fc1"](x)))
        h = drop(F.relu(e["fc2"](h)))
        h = drop(F.relu(e["fc3"](h)))
        return e["mu"](h), e["logvar"](h)

    def decode(self, x, z):
        g = F.relu(self.decoder["fc1"](torch.cat([x, z], 1)))
        return F.relu(self.decoder["fc2"](g))

    def projection(self, eps):
        """N = eps . R^T as one [S*b, r] x [r, q] product, shaped [S, b, q]."""
        s, b, r = eps.shape
        return (eps.reshape(s * b, r) @ self.r_sqrt_sigma.T).reshape(s, b, self.q)

    # ------------------------------------------------------------------ training
    def forward_train(self, x, y, eps_z, eps, training=True):
        """Both branches with the given draws; dropout (p = self.dropout) only when training."""
        def drop(h):
            return F.dropout(h, self.dropout, training=training and self.dropout > 0)
        mu_e, lv_e = self.encode_labels(x, y, drop)
        mu_x, lv_x = self.encode_features(x, drop)
        z_e = mu_e + eps_z * torch.exp(lv_e / 2)
        z_x = mu_x + eps_z * torch.exp(lv_x / 2)
        b = x.shape[0]
        g = self.decode(torch.cat([x, x], 0), torch.cat([z_e, z_x], 0))
        m_e, m_x = self.label_mp_mu(g[:b]), self.feat_mp_mu(g[b:])
        n = self.projection(eps)
        return dict(mu_e=mu_e, lv_e=lv_e, mu_x=mu_x, lv_x=lv_x, m_e=m_e, m_x=m_x, t_e=n + m_e, t_x=n + m_x)

    # ------------------------------------------------------------------ evaluation
    def latent_for_eval(self, x, eps_z=None):
        mu_x, lv_x = self.encode_features(x, lambda h: h)
        return mu_x if eps_z is None else mu_x + eps_z * torch.exp(lv_x / 2)

    def eval_probabilities(self, x, eps_z=None, eps=None):
        """Feature branch only. eps_z None: z = mu_x (eval_z: mean). eps None: the closed form;
        eps [S, b, r]: the Monte-Carlo mean of E."""
        m = self.feat_mp_mu(self.decode(x, self.latent_for_eval(x, eps_z)))
        if eps is None:
            scale = torch.sqrt(1 + (self.r_sqrt_sigma ** 2).sum(1))
            return probit(m / scale)
        return probit(self.projection(eps) + m).mean(0)


def probit(t):
    """E = Phi(t)(1 - EPS1) + EPS1 / 2."""
    return torch.special.ndtr(t) * (1 - EPS1) + EPS1 / 2


def log_likelihood(t, y, weights=None):
    """l[s, n] = sum_j w_nj log(Phi(s_nj t)(1 - EPS1) + EPS1 / 2), s = 2y - 1 (log(1 - E) via Phi(-t))."""
    term = torch.log(probit((2 * y - 1) * t))
    if weights is not None:
        term = term * weights
    return term.sum(-1)


def nll(t, y, weights=None):
    """-(1/b) sum_n (logsumexp_s l[s, n] - log S)."""
    ll = log_likelihood(t, y, weights)
    return -(torch.logsumexp(ll, 0) - math.log(ll.shape[0])).mean()


def ranking_loss(t, y):
    """Mean over (s, n) of A B / (5 max(P N, 1)), A = sum_j y exp(-5E), B = sum_j (1 - y) exp(5E)."""
    e = probit(t)
    a = (y * torch.exp(-RANK_SHARPNESS * e)).sum(-1)
    b = ((1 - y) * torch.exp(RANK_SHARPNESS * e)).sum(-1)
    pairs = y.sum(-1) * (1 - y).sum(-1)
    return (a * b / (RANK_SHARPNESS * torch.clamp(pairs, min=1))).mean()


def ranking_loss_pairwise(t, y):
    """The naive pairwise form with the original's divide-then-zero (for checks on tiny inputs)."""
    e = probit(t)
    diff = torch.exp(-RANK_SHARPNESS * (e[..., :, None] - e[..., None, :]))      # [S, b, q, q]
    mask = y[:, :, None] * (1 - y)[:, None, :]                                     # [b, q, q]
    total = (diff * mask).sum((-1, -2))
    pairs = y.sum(-1) * (1 - y).sum(-1)
    rl = total / (RANK_SHARPNESS * pairs)
    return torch.nan_to_num(rl, nan=0.0).mean()


def kl_divergence(mu_e, lv_e, mu_x, lv_x):
    terms = (lv_x - lv_e) - 1 + torch.exp(lv_e - lv_x) + (mu_x - mu_e) ** 2 / (torch.exp(lv_x) + 1e-6)
    return 0.5 * terms.sum(1).mean()


def total_loss(model, out, y, nll_coeff=0.1, c_coeff=200.0, beta=1.1, l2_coeff=1.0, l2_decay=1e-5, weights=None):
    """The training objective; returns (total, parts)."""
    parts = dict(
        nll_e=nll(out["t_e"], y, weights), nll_x=nll(out["t_x"], y, weights),
        rl_e=ranking_loss(out["t_e"], y), rl_x=ranking_loss(out["t_x"], y),
        kl=kl_divergence(out["mu_e"], out["lv_e"], out["mu_x"], out["lv_x"]),
        l2=0.5 * l2_decay * sum((w ** 2).sum() for w in model.weight_matrices()))
    total = (l2_coeff * parts["l2"] + nll_coeff * (parts["nll_e"] + parts["nll_x"])
             + c_coeff * (parts["rl_e"] + parts["rl_x"]) + beta * parts["kl"])
    return total, parts
