#!/usr/bin/env python3
"""Run our C++ GAN step benchmarks and the PyTorch peer with the same thread
count, and print one table: model, ours ms/step, pytorch ms/step, and the
ratio pytorch/ours (> 1 means we are faster).

    python3 bench/peers/compare.py --ours build/bench/gan_bench --threads 2
    python3 bench/peers/compare.py --ours build/bench/gan_bench --threads 2 --busy
    python3 bench/peers/compare.py --ours build/gpu/bench/gan_bench_cuda --device cuda --python python3

With --device cuda, ours are the gan::Gpu benchmarks of the nvcc build (BM_*_gpu) and the peer
runs on the GPU (CUDA-synchronised timing on both sides).

Both sides get the same thread count (ours through GAN_NUM_THREADS). --busy keeps one core busy
with a spinning process while both run (what a shared machine does to a benchmark). The peer is
configured fairly by this script: if the OpenBLAS that torch loads does not know this CPU and
falls back to a generic kernel (Debian's 0.3.21 on newer Intel Xeons: "Prescott"), it sets
OPENBLAS_CORETYPE to the kernel that matches the CPU's instruction set and says so.

This script needs only the standard library; torch runs in a subprocess of
--python (default /usr/bin/python3, Debian's python3-torch), so that
environment variables such as OMP_WAIT_POLICY are set before torch starts.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "torch_gan_step.py")
# Peer model name -> our Google Benchmark name.
BENCH = {"toy": "BM_ToyStep", "ctgan": "BM_CtganStep", "ctgan_gp": "BM_CtganGpStep", "ctgan_sample": "BM_CtganSample",
         "dcgan": "BM_DcganStep",
         "dcgan_sample": "BM_DcganSample", "tabular_adult": "BM_TabularAdultStep",
         "tabular_adult_sample": "BM_TabularAdultSample"}
# The tabular peers' layout when our binary cannot write a fresh one (gan_bench --tabular_layout=PATH).
SHIPPED_LAYOUT = os.path.join(HERE, "adult_layout.json")
TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


# OpenBLAS's generic x86 kernels: a CPU it does not know gets one of these.
GENERIC_CORES = {"prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai", "coppermine",
                 "northwood", "banias", "generic", "opteron", "barcelona"}


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def torch_blas_core(python, env):
    """The OpenBLAS core torch's BLAS runs on ("Cooperlake", "Prescott", ...), or None."""
    env = dict(env, OPENBLAS_VERBOSE="2")
    code = "import torch; a = torch.ones(64, 64); (a @ a).sum()"
    r = subprocess.run([python, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in (r.stdout + r.stderr).splitlines():
        if line.strip().startswith("Core:"):
            return line.split(":", 1)[1].strip()
    return None


def fair_blas_env(python):
    """Environment for the peer: OPENBLAS_CORETYPE set when OpenBLAS misdetects this CPU."""
    env = dict(os.environ)
    if "OPENBLAS_CORETYPE" in env:
        print(f"note: OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']} from the environment")
        return env
    core = torch_blas_core(python, env)
    flags = cpu_flags()
    want = "SkylakeX" if "avx512f" in flags else "Haswell" if "avx2" in flags and "fma" in flags else None
    if core is None:
        print("note: the peer's BLAS is not OpenBLAS (no core reported)")
    elif core.lower() in GENERIC_CORES and want:
        print(f"note: torch's OpenBLAS runs its generic '{core}' kernel on this CPU; "
              f"the peer gets OPENBLAS_CORETYPE={want} (the kernel of its instruction set)")
        env["OPENBLAS_CORETYPE"] = want
    else:
        print(f"note: torch's OpenBLAS core: {core}")
    return env


def run_ours(path, threads, bench_filter):
    """({benchmark name: ms per iteration}, context) from our binary, or (None, {}) if missing."""
    if not os.path.isfile(path):
        return None, {}
    cmd = [path, "--benchmark_format=json"]
    if bench_filter:
        cmd.append(f"--benchmark_filter={bench_filter}")
    env = dict(os.environ, GAN_NUM_THREADS=str(threads))
    out = json.loads(subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout)
    result = {}
    for b in out["benchmarks"]:
        # "BM_ToyStep/real_time" -> "BM_ToyStep"; with --benchmark_repetitions
        # prefer the median aggregate over the individual runs.
        name = b.get("run_name", b["name"]).split("/")[0]
        agg = b.get("aggregate_name")
        if b.get("error_occurred") or (agg and agg != "median"):
            continue
        if agg == "median" or name not in result:
            result[name] = b["real_time"] * TO_MS[b.get("time_unit", "ns")]
    return result, out.get("context", {})


def torch_available(python):
    try:
        return subprocess.run([python, "-c", "import torch"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


def tabular_layout(ours, path):
    """Writes the Adult layout of our transformer to `path` with our binary; returns the layout
    file the peer should read (the shipped one when our binary is missing or cannot)."""
    if ours and os.path.isfile(ours):
        r = subprocess.run([ours, f"--tabular_layout={path}"], stdout=subprocess.DEVNULL)
        if r.returncode == 0 and os.path.isfile(path):
            return path
    print(f"note: using the shipped layout {SHIPPED_LAYOUT} for the tabular peers")
    return SHIPPED_LAYOUT


def run_peer(python, models, threads, iters, warmup, wait_policy=None, layout=None, base_env=None, device="cpu"):
    """{model: ms per step} from torch_gan_step.py run in a fresh process."""
    env = dict(base_env or os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    # Debian's default libblas.so.3 is the pthread OpenBLAS, which torch.set_num_threads does not
    # bound: give it the same thread count.
    env.setdefault("OPENBLAS_NUM_THREADS", str(threads))
    if wait_policy:
        env["OMP_WAIT_POLICY"] = wait_policy
    result = {}
    for m in models:
        cmd = [python, PEER, "--model", m, "--threads", str(threads),
               "--iters", str(iters), "--warmup", str(warmup), "--device", device, "--json"]
        if layout:
            cmd += ["--layout", layout]
        out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
        for line in out.splitlines():
            rec = json.loads(line)
            result[rec["model"]] = rec["ms_per_step"]
    return result


def fmt(x):
    return f"{x:10.3f}" if x is not None else f"{'-':>10}"


def ratio(peer, ours):
    return f"{peer / ours:7.2f}x" if peer is not None and ours else f"{'-':>8}"


def main():
    ap = argparse.ArgumentParser(description="ours vs PyTorch, ms per GAN step")
    ap.add_argument("--ours", default="build/bench/gan_bench", help="our benchmark binary")
    ap.add_argument("--benchmark_filter", "--benchmark-filter", dest="bench_filter",
                    help="passed to our binary as --benchmark_filter")
    ap.add_argument("--threads", type=int, default=1, help="threads for both sides")
    ap.add_argument("--busy", action="store_true", help="keep one core busy with a spinning process meanwhile")
    ap.add_argument("--model", default="all", choices=list(BENCH) + ["all"])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                    help="cuda: our BM_*_gpu benchmarks (nvcc build) against the peer on the GPU")
    ap.add_argument("--iters", type=int, default=100, help="pytorch timed steps")
    ap.add_argument("--warmup", type=int, default=10, help="pytorch warm-up steps")
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3")
                    else sys.executable, help="python with torch (default /usr/bin/python3)")
    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # keep notes ordered with child stderr
    models = list(BENCH) if a.model == "all" else [a.model]

    busy = None
    if a.busy:
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        print("note: a spinning process keeps one core busy during both runs")
    try:
        return compare(a, models)
    finally:
        if busy:
            busy.kill()


def compare(a, models):
    gpu = a.device == "cuda"
    ours, context = run_ours(a.ours, a.threads, a.bench_filter)
    if ours is not None and gpu:  # BM_ToyStep_gpu -> BM_ToyStep: the GPU runs stand for the models
        ours = {k[:-4]: v for k, v in ours.items() if k.endswith("_gpu")}
    if context and gpu:
        print(f"ours: gan::Gpu on {context.get('gan_gpu', '?')}; host {context.get('gan_cpu', '?')}")
    elif context:
        print(f"ours: {context.get('gan_cpu', '?')}; compiled for {context.get('gan_isa', '?')}; "
              f"GEMM {context.get('gan_gemm', '?')}; {context.get('gan_threads', '?')} thread(s)")
    if ours is None:
        print(f"note: our benchmark binary {a.ours!r} not found; build it "
              f"(e.g. cmake --build build) or pass --ours PATH. PyTorch figures alone.")

    if ours is not None and (a.bench_filter or gpu):
        models = [m for m in models if BENCH[m] in ours]  # only what ours ran

    # PyTorch: default OpenMP settings, plus OMP_WAIT_POLICY=passive at 2 threads
    # (libgomp otherwise spins idle threads, which can hurt on 2 cores).
    variants = {}
    tmp = tempfile.TemporaryDirectory()
    layout = None
    if any(m.startswith("tabular") for m in models):
        layout = tabular_layout(a.ours, os.path.join(tmp.name, "adult_layout.json"))
    if torch_available(a.python):
        env = dict(os.environ) if gpu else fair_blas_env(a.python)
        variants["pytorch"] = run_peer(a.python, models, a.threads, a.iters, a.warmup, layout=layout, base_env=env,
                                       device=a.device)
        if a.threads > 1 and not gpu:
            variants["pt passive"] = run_peer(a.python, models, a.threads, a.iters, a.warmup,
                                              wait_policy="passive", layout=layout, base_env=env)
    else:
        print(f"note: torch is not importable by {a.python}; install it with "
              f"`apt-get install python3-torch` and run with --python /usr/bin/python3. "
              f"Our figures alone.")
    if ours is None and not variants:
        return 0  # nothing to show

    # Table: ms per full GAN step (D update + G update); ratio = pytorch / ours.
    head = f"{'model':20s} {'ours ms':>10}"
    for v in variants:
        head += f" {v + ' ms':>14} {'ratio':>8}"
    print(f"\n{'device=cuda  ' if gpu else ''}threads={a.threads}{'  (one core busy)' if a.busy else ''}   ratio = pytorch / ours (> 1: ours faster)")
    print(head)
    print("-" * len(head))
    for m in models:
        o = ours.get(BENCH[m]) if ours else None
        row = f"{m:20s} {fmt(o)}"
        for res in variants.values():
            row += f"     {fmt(res.get(m))} {ratio(res.get(m), o)}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
