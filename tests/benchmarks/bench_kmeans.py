"""K-means sweep benchmark: the k-sweep stage's path against the original's per-k loop, one run.

    .venv/bin/python tests/benchmarks/bench_kmeans.py EMBEDDINGS.parquet [--k 2-12]
        [--backend auto] [--n-init 10] [--max-iter 300] [--screen-sample 8000] [--refine 2]
        [--threads 1] [--seed 42] [--jobs 2] [--spread-seed 1]
        [--no-fair] [--also-backend sklearn] [--json OUT.json]
    .venv/bin/python tests/benchmarks/bench_kmeans.py --make-synthetic OUT.parquet [--rows 50000]
        [--dim 384]

EMBEDDINGS.parquet follows the review-embedding contract (``review_id``, fixed-size float32
``embedding``), e.g. results/full/embeddings/bert.parquet. For each k, interleaved:

- baseline: the original's loop, scikit-learn ``KMeans(n_clusters=k, n_init=10,
  random_state=seed)`` with its defaults otherwise, under the process' default thread settings
  (what the original ran);
- stage: ``sentclust.cluster.kmeans.kmeans`` with the backend, n_init, max_iter and threads given;
- fair (unless --no-fair): the same baseline under the stage's thread count, so that the speed-up
  that comes from the algorithm settings is told apart from the one that comes from threads;
- with --jobs N: the stage's sweep once more, as N parallel processes (one job per k, the way
  ``snakemake --cores N`` runs the kmeans rule), its wall time against the baseline's loop;
- with --also-backend B: the stage's settings once more on backend B (e.g. ``--backend torch
  --also-backend sklearn``: the torch backend's time and inertia beside scikit-learn's);
- with --spread-seed S: the baseline again with seed S (not timed), to show how much the
  baseline's own inertia moves with its seed (restarts land in different local minima).

Inertias are computed the same way for all (float64 sum of squared distances to the assigned
centre). It prints one row per k, the totals, the speed ratios and the worst inertia ratio.
``--make-synthetic`` writes a seeded mixture of Gaussians (a stand-in for sentence embeddings:
24 overlapping components, a shared low-rank part, isotropic noise) in the same contract.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import numpy as np  # noqa: E402

from sentclust.bert import machine  # noqa: E402
from sentclust.cluster.backends import REQUESTS, select_backend  # noqa: E402
from sentclust.cluster.kmeans import _threads, kmeans  # noqa: E402
from sentclust.cluster.nearest import assignment_stats  # noqa: E402
from sentclust.files import embeddings_table, read_embeddings, write_parquet  # noqa: E402


def parse_ks(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            out.extend(range(int(lo), int(hi) + 1))
        else:
            out.append(int(part))
    return out


def synthetic(rows: int, dim: int, seed: int = 0, components: int = 24) -> np.ndarray:
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(components, dim)).astype(np.float32) * 0.35
    z = rng.choice(components, size=rows, p=rng.dirichlet(np.full(components, 2.0)))
    basis = rng.normal(size=(16, dim)).astype(np.float32) * 0.5
    x = means[z] + rng.normal(size=(rows, 16)).astype(np.float32) @ basis
    x += rng.normal(size=(rows, dim)).astype(np.float32)
    return x.astype(np.float32)


def baseline(x: np.ndarray, k: int, seed: int, threads: int | None) -> tuple[float, float]:
    from sklearn.cluster import KMeans

    with _threads(threads):
        t0 = time.perf_counter()
        km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(x)
        seconds = time.perf_counter() - t0
    _, inertia = assignment_stats(x, km.cluster_centers_, km.labels_)
    return seconds, inertia


_WORKER_X: np.ndarray | None = None


def _worker_init(path: str) -> None:
    global _WORKER_X
    _, _WORKER_X = read_embeddings(path)


def _worker_fit(task: tuple[int, dict]) -> tuple[int, float, float]:
    k, kwargs = task
    r = kmeans(_WORKER_X, k, **kwargs)
    return k, r.seconds, r.inertia


def parallel_sweep(path: str, ks: list[int], jobs: int, kwargs: dict) -> tuple[float, dict]:
    """The sweep as the workflow runs it: ``jobs`` processes, one K-means job per k, largest k
    first (as a scheduler would order equal-priority jobs, the longest first keeps cores busy).
    Returns the wall time (data loading excluded) and each k's (seconds, inertia)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    with ctx.Pool(jobs, initializer=_worker_init, initargs=(path,)) as pool:
        pool.map(_worker_init, [path] * jobs)  # every worker has its data before the clock
        t0 = time.perf_counter()
        out = pool.map(_worker_fit, [(k, kwargs) for k in sorted(ks, reverse=True)], chunksize=1)
        wall = time.perf_counter() - t0
    return wall, {k: (sec, inertia) for k, sec, inertia in out}


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("embeddings", nargs="?")
    ap.add_argument("--k", default="2-12", help="k values: 2-12 or 2,3,5")
    ap.add_argument("--backend", default="auto", choices=REQUESTS)
    ap.add_argument("--n-init", type=int, default=10)
    ap.add_argument("--max-iter", type=int, default=300)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--screen-sample", type=int, default=8000, help="0: plain restarts")
    ap.add_argument("--refine", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="the stage's threads (rule threads)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-fair", action="store_true", help="skip the baseline at stage threads")
    ap.add_argument(
        "--spread-seed",
        type=int,
        default=None,
        help="also run the baseline with this seed: its inertia shows the baseline's own "
        "seed-to-seed spread (time not counted)",
    )
    ap.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="also run the stage's sweep as this many parallel jobs (processes, --threads each), "
        "as `snakemake --cores N` runs the kmeans rule, and compare its wall time",
    )
    ap.add_argument("--also-backend", choices=REQUESTS, help="the stage again on this backend")
    ap.add_argument("--json", help="also write the rows and totals here")
    ap.add_argument("--make-synthetic", metavar="OUT", help="write a synthetic table and exit")
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--dim", type=int, default=384)
    return ap


def write_synthetic(args) -> None:
    x = synthetic(args.rows, args.dim)  # data seed fixed: the same set every time
    ids = [f"synthetic_{i}" for i in range(len(x))]
    write_parquet(embeddings_table(ids, x), args.make_synthetic)
    print(f"wrote {args.make_synthetic}: {x.shape[0]} x {x.shape[1]} float32")


def stage_settings(args, backend: str) -> dict:
    """The stage's :func:`kmeans` arguments."""
    return dict(
        backend=backend,
        seed=args.seed,
        n_init=args.n_init,
        max_iter=args.max_iter,
        tol=args.tol,
        screen_sample=args.screen_sample,
        refine=args.refine,
        threads=args.threads,
    )


def print_header(args, x: np.ndarray, ks: list[int], backend: str) -> None:
    from threadpoolctl import threadpool_info

    default_threads = max((p["num_threads"] for p in threadpool_info()), default=1)
    print(
        f"{machine.header()}\n"
        f"{args.embeddings}: {x.shape[0]} x {x.shape[1]} {x.dtype}; k = {ks}\n"
        f"baseline: sklearn KMeans(n_init=10, random_state={args.seed}), default threads "
        f"({default_threads}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})\n"
        f"stage:    {backend} (asked {args.backend}), n_init={args.n_init}, "
        f"max_iter={args.max_iter}, tol={args.tol}, screen_sample={args.screen_sample}, "
        f"refine={args.refine}, threads={args.threads}, seed={args.seed}"
        + ("" if args.no_fair else f"\nfair:     the baseline at threads={args.threads}"),
        flush=True,
    )
    head = f"{'k':>3} {'base s':>8} {'stage s':>8} {'speed':>6} "
    head += "" if args.no_fair else f"{'fair s':>8} {'speed':>6} "
    head += f"{'base inertia':>16} {'stage inertia':>16} {'ratio':>8} {'iters':>5}"
    if args.spread_seed is not None:
        head += f" {'seed ' + str(args.spread_seed):>10}"
    if args.also_backend:
        head += f" {args.also_backend + ' s':>10} {args.also_backend + ' inertia':>16}"
    print(head, flush=True)


def bench_k(x: np.ndarray, k: int, args, stage: dict) -> dict:
    """One k: the baseline, the stage (and the fair baseline, the other seed); prints a line."""
    b_s, b_in = baseline(x, k, args.seed, None)
    r = kmeans(x, k, **stage)
    row = {
        "k": k,
        "baseline_seconds": b_s,
        "stage_seconds": r.seconds,
        "baseline_inertia": b_in,
        "stage_inertia": r.inertia,
        "inertia_ratio": r.inertia / b_in,
        "stage_n_iter": r.n_iter,
    }
    if args.spread_seed is not None:
        _, o_in = baseline(x, k, args.spread_seed, None)
        row["baseline_other_seed_inertia"] = o_in
    line = f"{k:>3} {b_s:>8.2f} {r.seconds:>8.2f} {b_s / r.seconds:>5.1f}x "
    if not args.no_fair:
        f_s, f_in = baseline(x, k, args.seed, args.threads)
        row.update(fair_seconds=f_s, fair_inertia=f_in)
        line += f"{f_s:>8.2f} {f_s / r.seconds:>5.1f}x "
    line += f"{b_in:>16.6g} {r.inertia:>16.6g} {r.inertia / b_in:>8.6f} {r.n_iter:>5}"
    if args.spread_seed is not None:
        line += f" {o_in / b_in:>10.6f}"
    if args.also_backend:
        a = kmeans(x, k, **{**stage, "backend": select_backend(args.also_backend)})
        row.update(also_backend=a.backend, also_seconds=a.seconds, also_inertia=a.inertia)
        line += f" {a.seconds:>10.2f} {a.inertia:>16.6g}"
    print(line, flush=True)
    return row


def sweep_totals(rows: list[dict], args) -> dict:
    """The totals over k (and the baseline's seed spread); prints the total line."""
    tot_b = sum(r["baseline_seconds"] for r in rows)
    tot_s = sum(r["stage_seconds"] for r in rows)
    ratios = [r["inertia_ratio"] for r in rows]
    totals = {
        "baseline_seconds": tot_b,
        "stage_seconds": tot_s,
        "speed_ratio": tot_b / tot_s,
        "worst_inertia_ratio": max(ratios),
        "mean_inertia_ratio": float(np.mean(ratios)),
        "ks_with_lower_or_equal_inertia": [r["k"] for r in rows if r["inertia_ratio"] <= 1 + 1e-6],
    }
    line = f"total {tot_b:>6.1f} {tot_s:>8.1f} {tot_b / tot_s:>5.1f}x "
    if not args.no_fair:
        tot_f = sum(r["fair_seconds"] for r in rows)
        totals.update(fair_seconds=tot_f, fair_speed_ratio=tot_f / tot_s)
        line += f"{tot_f:>8.1f} {tot_f / tot_s:>5.1f}x "
    print(line)
    if args.also_backend:
        tot_a = sum(r["also_seconds"] for r in rows)
        rel = [r["stage_inertia"] / r["also_inertia"] - 1 for r in rows]
        totals.update(also_seconds=tot_a, stage_vs_also_inertia_max=max(rel, key=abs))
        print(
            f"{args.also_backend}: {tot_a:.1f} s for the sweep, stage {tot_s:.1f} s "
            f"({tot_a / tot_s:.2f}x); stage / {args.also_backend} inertia - 1: largest "
            f"{max(rel, key=abs):+.2e}"
        )
    if args.spread_seed is not None:
        spread = [abs(r["baseline_other_seed_inertia"] / r["baseline_inertia"] - 1) for r in rows]
        totals["baseline_seed_spread_max"] = max(spread)
        totals["ks_within_baseline_spread"] = [
            r["k"]
            for r, sp in zip(rows, spread, strict=True)
            if r["inertia_ratio"] <= 1 + max(sp, 1e-6)
        ]
    return totals


def print_ratios(totals: dict, args) -> None:
    print(
        f"speed ratio (baseline / stage): {totals['speed_ratio']:.1f}x"
        + ("" if args.no_fair else f"; at equal threads: {totals['fair_speed_ratio']:.1f}x")
        + f"\ninertia ratio (stage / baseline): worst {totals['worst_inertia_ratio']:.5f}, "
        f"mean {totals['mean_inertia_ratio']:.5f}; equal or lower (within 1e-6) at k = "
        f"{totals['ks_with_lower_or_equal_inertia']}"
    )
    if args.spread_seed is not None:
        print(
            f"baseline with seed {args.spread_seed} vs seed {args.seed}: inertias differ by up to "
            f"{totals['baseline_seed_spread_max']:.2e} (relative); stage at or below the baseline "
            f"plus that k's spread at k = {totals['ks_within_baseline_spread']}"
        )


def parallel_totals(args, ks: list[int], stage: dict, rows: list[dict], tot_b: float) -> dict:
    """The stage's sweep as ``args.jobs`` parallel jobs against the baseline's loop."""
    wall, per_k = parallel_sweep(args.embeddings, ks, args.jobs, stage)
    same = all(
        abs(per_k[r["k"]][1] - r["stage_inertia"]) <= 1e-9 * r["stage_inertia"] for r in rows
    )
    print(
        f"stage sweep as {args.jobs} parallel jobs ({args.threads} thread(s) each): "
        f"{wall:.1f} s wall; baseline loop {tot_b:.1f} s: {tot_b / wall:.1f}x; "
        f"inertias {'identical to' if same else 'DIFFERENT from'} the sequential stage runs"
    )
    return dict(
        parallel_jobs=args.jobs,
        parallel_wall_seconds=wall,
        parallel_speed_ratio=tot_b / wall,
        parallel_same_inertias=same,
    )


def main() -> None:
    ap = build_parser()
    args = ap.parse_args()
    if args.make_synthetic:
        write_synthetic(args)
        return
    if not args.embeddings:
        ap.error("EMBEDDINGS.parquet is required (or --make-synthetic OUT)")

    _, x = read_embeddings(args.embeddings)
    ks = parse_ks(args.k)
    backend = select_backend(args.backend)
    print_header(args, x, ks, backend)
    stage = stage_settings(args, backend)
    rows = [bench_k(x, k, args, stage) for k in ks]
    totals = sweep_totals(rows, args)
    print_ratios(totals, args)
    if args.jobs > 1:
        totals.update(parallel_totals(args, ks, stage, rows, totals["baseline_seconds"]))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"args": vars(args), "rows": rows, "totals": totals}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
