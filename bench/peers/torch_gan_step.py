#!/usr/bin/python3
"""PyTorch peer for the C++ GAN step benchmarks (BM_ToyStep, BM_CtganStep,
BM_CtganGpStep, BM_Dcgan*, BM_TabularAdult*).  Times one full GAN step (D update, then G
update) with the same shapes, losses and optimisers as ours, and reports the median ms/step.
The tabular models read the encoded layout of Adult from --layout (written by
`gan_bench --tabular_layout=PATH`; default: adult_layout.json beside this script).

Run with the system python that has torch:
    /usr/bin/python3 bench/peers/torch_gan_step.py --model all --threads 1
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def blas_library():
    """Real path of the BLAS shared library torch loaded (Linux), or None.

    Debian's python3-torch is built with BLAS_INFO=generic and links
    libblas.so.3, which by default is the slow netlib *reference* BLAS.
    """
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line}
    except OSError:
        return None
    return sorted(libs)[0] if libs else None


def is_reference_blas(path):
    # netlib reference BLAS lives at .../x86_64-linux-gnu/blas/libblas.so.3
    return path is not None and "/blas/libblas.so" in path


def ring_of_gaussians(n, modes=8, radius=2.0, std=0.02):
    """Pool of n points from a ring of `modes` gaussians (toy data set)."""
    k = torch.randint(0, modes, (n,))
    angle = k.float() * (2 * math.pi / modes)
    centres = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1)
    return centres + std * torch.randn(n, 2)


# ---------------------------------------------------------------- toy GAN ---
def make_toy(dev):
    batch, zdim, h = 256, 2, 128
    G = nn.Sequential(nn.Linear(zdim, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(),
                      nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2)).to(dev)
    D = nn.Sequential(nn.Linear(2, h), nn.LeakyReLU(0.2), nn.Linear(h, h),
                      nn.LeakyReLU(0.2), nn.Linear(h, h), nn.LeakyReLU(0.2),
                      nn.Linear(h, 1)).to(dev)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    pool = ring_of_gaussians(batch * 64).to(dev)  # pre-generated; not timed
    state = {"i": 0}

    def step():
        # Real batch: a slice of the pool (data loading is not measured).
        j = state["i"] % 64
        state["i"] += 1
        real = pool[j * batch:(j + 1) * batch]
        z = torch.randn(batch, zdim, device=dev)
        # D step, non-saturating loss: softplus(-D(real)) + softplus(D(fake)).
        fake = G(z).detach()
        lossD = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        optD.zero_grad(set_to_none=True)
        lossD.backward()
        optD.step()
        # G step with the same z: softplus(-D(G(z))).
        lossG = F.softplus(-D(G(z))).mean()
        optG.zero_grad(set_to_none=True)
        optD.zero_grad(set_to_none=True)  # D grads from this pass are unused
        lossG.backward()
        optG.step()

    return step


# -------------------------------------------------------------- CTGAN-like ---
def make_ctgan(dev, gp, sample_only=False):
    batch, zdim, cond, width, data, pac = 500, 128, 100, 256, 150, 10
    G = nn.Sequential(nn.Linear(zdim + cond, width), nn.BatchNorm1d(width), nn.ReLU(),
                      nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(),
                      nn.Linear(width, data)).to(dev)
    if sample_only:  # 10000 rows in eval mode, no autograd (BM_CtganSample)
        G.eval()
        rows = 10000
        onehot = F.one_hot(torch.randint(0, cond, (rows,)), cond).float().to(dev)

        def sample():
            with torch.no_grad():
                G(torch.cat([torch.randn(rows, zdim, device=dev), onehot], 1))
        return sample
    D = nn.Sequential(nn.Linear(data * pac, width), nn.LeakyReLU(0.2), nn.Dropout(0.5),
                      nn.Linear(width, width), nn.LeakyReLU(0.2), nn.Dropout(0.5),
                      nn.Linear(width, 1)).to(dev)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.9))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.9))
    real = torch.randn(batch, data, device=dev)                    # fixed
    onehot = F.one_hot(torch.randint(0, cond, (batch,)), cond).float().to(dev)

    def gen():
        z = torch.randn(batch, zdim, device=dev)                   # fresh z
        return G(torch.cat([z, onehot], 1))

    def pacd(x):
        return x.reshape(batch // pac, data * pac)                 # (50, 1500)

    def step():
        # D (critic) step, Wasserstein loss.
        fake = pacd(gen().detach())
        real_p = pacd(real)
        lossD = D(fake).mean() - D(real_p).mean()
        if gp:
            # WGAN-GP: one interpolate per pac group, lambda 10.
            alpha = torch.rand(batch // pac, 1, device=dev)
            x_hat = (alpha * real_p + (1 - alpha) * fake).requires_grad_(True)
            grad, = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
            lossD = lossD + 10.0 * ((grad.norm(2, dim=1) - 1) ** 2).mean()
        optD.zero_grad(set_to_none=True)
        lossD.backward()
        optD.step()
        # G step (n_critic = 1), fresh z.
        lossG = -D(pacd(gen())).mean()
        optG.zero_grad(set_to_none=True)
        optD.zero_grad(set_to_none=True)
        lossG.backward()
        optG.step()

    return step


# ------------------------------------------------- DCGAN (examples/dcgan_fashion) ---
def make_dcgan(dev, sample_only=False):
    batch, zdim = 64, 100
    G = nn.Sequential(nn.Linear(zdim, 128 * 7 * 7), nn.Unflatten(1, (128, 7, 7)), nn.BatchNorm2d(128), nn.ReLU(),
                      nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh()).to(dev)
    if sample_only:  # 256 images in eval mode, no autograd
        G.eval()

        def sample():
            with torch.no_grad():
                G(torch.randn(256, zdim, device=dev))
        return sample
    D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.LeakyReLU(0.2),
                      nn.Flatten(), nn.Linear(128 * 7 * 7, 1)).to(dev)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, 1, 28, 28, device=dev) * 2 - 1        # fixed

    def step():
        # D step, non-saturating loss, on fresh fakes.
        fake = G(torch.randn(batch, zdim, device=dev)).detach()
        lossD = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        optD.zero_grad(set_to_none=True)
        lossD.backward()
        optD.step()
        # G step on fresh z (as gan::Trainer does).
        lossG = F.softplus(-D(G(torch.randn(batch, zdim, device=dev)))).mean()
        optG.zero_grad(set_to_none=True)
        optD.zero_grad(set_to_none=True)
        lossG.backward()
        optG.step()

    return step


# ------------------------------------------ tabular: Synthesizer on Adult (CTGAN) ---
class Residual(nn.Module):
    """CTGAN's generator block: [ReLU(BatchNorm(Linear(x))), x]."""

    def __init__(self, i, o):
        super().__init__()
        self.fc, self.bn = nn.Linear(i, o), nn.BatchNorm1d(o)

    def forward(self, x):
        return torch.cat([F.relu(self.bn(self.fc(x))), x], 1)


def make_tabular(dev, layout, sample_only=False):
    """gan::tabular::Synthesizer's step on the layout of our transformer (widths, spans).

    Data loading is not what is measured: the real rows are random rows of a fixed
    pre-encoded (rows, width) tensor (tanh-range scalars, one-hots), and the condition is
    a random one-hot per row in a random conditioned column (training-by-sampling's cost:
    a column, a category and a matching row per row, drawn in a few tensor ops).
    """
    with open(layout) as f:
        lay = json.load(f)
    batch, pac, zdim = lay["batch"], lay["pac"], lay["z"]
    width, cw, rows = lay["width"], lay["cond_width"], lay["rows"]
    spans = [(s["kind"], s["start"], s["width"]) for s in lay["spans"]]
    cspans = [(c["output"], c["width"], c["condition"]) for c in lay["cond_spans"]]
    h = 256
    G = nn.Sequential(Residual(zdim + cw, h), Residual(zdim + cw + h, h),
                      nn.Linear(zdim + cw + 2 * h, width)).to(dev)

    def heads(logits):
        # tanh on the scalar spans, Gumbel-softmax (tau 0.2, soft) on the one-hot spans
        out = []
        for kind, a, w in spans:
            x = logits[:, a:a + w]
            out.append(torch.tanh(x) if kind == "tanh" else F.gumbel_softmax(x, tau=0.2, hard=False))
        return torch.cat(out, 1)

    # Conditions: the block of a random conditioned column, a random category in it.
    c_off = torch.tensor([c for _, _, c in cspans], device=dev)
    c_w = torch.tensor([w for _, w, _ in cspans], device=dev)

    def conditions(n):
        col = torch.randint(0, len(cspans), (n,), device=dev)
        k = (torch.rand(n, device=dev) * c_w[col]).long()
        cond = torch.zeros(n, cw, device=dev)
        cond[torch.arange(n, device=dev), c_off[col] + k] = 1.0
        return cond, col, k

    if sample_only:  # 10000 unconditional rows in eval mode, no autograd, then argmax per span
        G.eval()
        n = 10000

        def sample():
            with torch.no_grad():
                cond, _, _ = conditions(n)
                y = heads(G(torch.cat([torch.randn(n, zdim, device=dev), cond], 1)))
                for kind, a, w in spans:  # the numeric part of decoding: mode / category index
                    if kind != "tanh":
                        y[:, a:a + w].argmax(1)
        return sample

    D = nn.Sequential(nn.Linear(pac * (width + cw), h), nn.LeakyReLU(0.2), nn.Dropout(0.5),
                      nn.Linear(h, h), nn.LeakyReLU(0.2), nn.Dropout(0.5),
                      nn.Linear(h, 1)).to(dev)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.9))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.9))
    # The fixed pre-encoded table: a scalar in (-1, 1) and a one-hot per span.
    table = torch.zeros(rows, width)
    for kind, a, w in spans:
        if kind == "tanh":
            table[:, a] = torch.rand(rows) * 2 - 1
        else:
            table[torch.arange(rows), a + torch.randint(0, w, (rows,))] = 1.0
    table = table.to(dev)
    g = batch // pac

    def critic(x, cond):  # pac rows side by side with their conditions: (batch / pac, pac (width + cond))
        return D(torch.cat([x, cond], 1).reshape(g, pac * (width + cw)))

    def step():
        # Critic update on a batch drawn by (timing-equivalent) training-by-sampling.
        cond, _, _ = conditions(batch)
        real = table[torch.randint(0, rows, (batch,), device=dev)]
        z = torch.randn(batch, zdim, device=dev)
        with torch.no_grad():
            fake = heads(G(torch.cat([z, cond], 1)))
        loss_d = critic(fake, cond).mean() - critic(real, cond).mean()
        # WGAN-GP, lambda 10: one interpolate per pac group, the condition held fixed.
        alpha = torch.rand(g, 1, 1, device=dev)
        x_hat = (alpha * real.reshape(g, pac, width) + (1 - alpha) * fake.reshape(g, pac, width))
        x_hat = x_hat.reshape(batch, width).requires_grad_(True)
        grad, = torch.autograd.grad(critic(x_hat, cond).sum(), x_hat, create_graph=True)
        pen = 10.0 * ((grad.reshape(g, pac * width).norm(2, dim=1) - 1) ** 2).mean()
        optD.zero_grad(set_to_none=True)
        (loss_d + pen).backward()
        optD.step()
        # Generator update: fresh z and condition, -mean D(fake) + the conditional cross-entropy
        # of the conditioned column's logits.
        cond, col, k = conditions(batch)
        logits = G(torch.cat([torch.randn(batch, zdim, device=dev), cond], 1))
        loss_g = -critic(heads(logits), cond).mean()
        ce = 0
        for j, (a, w, _) in enumerate(cspans):
            on = col == j
            ce = ce + (F.cross_entropy(logits[:, a:a + w], torch.where(on, k, 0), reduction="none") * on).sum()
        loss_g = loss_g + ce / batch
        optG.zero_grad(set_to_none=True)
        optD.zero_grad(set_to_none=True)
        loss_g.backward()
        optG.step()

    return step


LAYOUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "adult_layout.json")
OPTS = {"layout": LAYOUT}  # set from --layout

MODELS = {
    "dcgan": lambda dev: make_dcgan(dev),
    "dcgan_sample": lambda dev: make_dcgan(dev, sample_only=True),
    "toy": lambda dev: make_toy(dev),
    "ctgan": lambda dev: make_ctgan(dev, gp=False),
    "ctgan_gp": lambda dev: make_ctgan(dev, gp=True),
    "ctgan_sample": lambda dev: make_ctgan(dev, gp=False, sample_only=True),
    "tabular_adult": lambda dev: make_tabular(dev, OPTS["layout"]),
    "tabular_adult_sample": lambda dev: make_tabular(dev, OPTS["layout"], sample_only=True),
}


def time_model(name, dev, iters, warmup):
    torch.manual_seed(0)
    step = MODELS[name](dev)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        sync()  # CUDA is asynchronous: wait for the step to finish
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="all", choices=list(MODELS) + ["all"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--json", action="store_true", help="one JSON line per model")
    ap.add_argument("--layout", default=LAYOUT, help="the tabular models' layout (gan_bench --tabular_layout=PATH)")
    a = ap.parse_args(argv)
    OPTS["layout"] = a.layout

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    if a.device == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_gan_step: CUDA requested but torch.cuda.is_available() is False")
    dev = torch.device(a.device)
    blas = blas_library()
    if a.device == "cpu" and is_reference_blas(blas):
        print(f"torch_gan_step: WARNING torch is using the netlib reference BLAS "
              f"({blas}); its figures are ~10x slower than with an optimised "
              f"BLAS. See bench/peers/README.md.", file=sys.stderr)

    for name in (list(MODELS) if a.model == "all" else [a.model]):
        iters = a.iters
        if name in ("tabular_adult_sample", "ctgan_sample"):
            iters = max(5, a.iters // 5)  # ~0.1 s each
        ms = time_model(name, dev, iters, a.warmup)
        if a.json:
            print(json.dumps({"peer": "pytorch", "model": name, "threads": a.threads,
                              "ms_per_step": round(ms, 4), "device": a.device,
                              "blas": blas}), flush=True)
        else:
            print(f"{name:10s} threads={a.threads} device={a.device} "
                  f"{ms:8.3f} ms/step (median of {iters}) blas={blas}", flush=True)


if __name__ == "__main__":
    main()
