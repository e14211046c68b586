"""End-to-end benchmark: the whole workflow on the full data, every rule's time and memory.

    .venv/bin/python tests/benchmarks/bench_end_to_end.py ../shared/data/imdb [--n 50000]
        [--cores 2] [--results-dir results/e2e] [--configfile config/minilm.yaml]
        [--baseline results/benchmarks/baseline.json | --run-baseline] [--json OUT.json]
    .venv/bin/python tests/benchmarks/bench_end_to_end.py --collect results/full [--baseline B.json]

Runs ``snakemake --cores N`` (the README's way, plus --configfile for the model) from scratch into
``--results-dir`` and times it, then reads every job's Snakemake ``benchmark:`` file and prints
one row per rule: jobs, summed and longest wall time, peak resident memory (max_rss). Jobs over
the 4 GiB memory target are listed. With ``--baseline`` (a JSON written by
baseline_tutorial.py) or ``--run-baseline`` (runs it now, on the same data, model and n), the
baseline's steps are printed beside the workflow's wall time, with the ratio.

Each run's wall time is also kept beside its folder (``<results-dir>_wall.json``), so that
``--collect DIR`` (which only reads the benchmark files of a finished run in DIR) can print it,
and the baseline beside it when ``--baseline`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from sentclust.bert import machine  # noqa: E402
from sentclust.report import benchmark_summary, read_benchmarks  # noqa: E402

MEMORY_TARGET_MB = 4096
ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}


def run_workflow(
    data: str,
    results_dir: str,
    *,
    cores: int = 2,
    n: int | None = None,
    configfiles: tuple[str, ...] = ("config/minilm.yaml",),
    extra: tuple[str, ...] = (),
    log: str | None = None,
    config: dict | None = None,
    record: bool = True,
) -> float:
    """Run the whole workflow into ``results_dir``; return its wall time in seconds.

    ``config`` adds keys to the overlay (Snakemake merges it into the config files); with
    ``record`` the wall time is kept beside the results folder (see :func:`wall_path`).
    """
    overlay = {"input_path": str(Path(data).resolve()), "results_dir": results_dir}
    if n is not None:
        overlay["ingest"] = {"subsample": int(n)}
    overlay.update(config or {})
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump(overlay, f)
        overlay_path = f.name
    cmd = [
        str(ROOT / ".venv/bin/snakemake"),
        "--cores",
        str(cores),
        "--configfile",
        *configfiles,
        overlay_path,
        *extra,
    ]
    print("$", " ".join(cmd), flush=True)
    if log:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with open(log or os.devnull, "w") as out:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=os.environ | ENV, stdout=out, stderr=subprocess.STDOUT
        )
    wall = time.perf_counter() - t0
    os.unlink(overlay_path)
    if proc.returncode != 0:
        raise SystemExit(f"the workflow failed (exit {proc.returncode}); see {log}")
    if record:
        kept = {"wall_seconds": round(wall, 1), "cores": cores, "n": n, "configfiles": configfiles}
        wall_path(results_dir).write_text(json.dumps(kept, indent=1) + "\n")
    return wall


def wall_path(results_dir: str | Path) -> Path:
    """Where a run's wall time is kept: beside its results folder, ``<dir>_wall.json``."""
    path = ROOT / results_dir
    return path.with_name(path.name + "_wall.json")


def read_wall(results_dir: str | Path) -> float | None:
    path = wall_path(results_dir)
    return json.loads(path.read_text())["wall_seconds"] if path.exists() else None


def rule_table(results_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-job rows, per-rule summary) from a run's benchmark files."""
    jobs = read_benchmarks(Path(results_dir) / "benchmarks")
    return jobs, benchmark_summary(jobs)


def print_rules(summary: pd.DataFrame, jobs: pd.DataFrame) -> None:
    print(f"\n{'rule':<16} {'jobs':>5} {'sum s':>9} {'max s':>8} {'peak RSS MB':>12}")
    for r in summary.itertuples():
        print(f"{r.rule:<16} {r.jobs:>5} {r.total_s:>9.1f} {r.max_s:>8.1f} {r.peak_rss_mb:>12.0f}")
    print(f"{'all jobs':<16} {len(jobs):>5} {jobs['seconds'].sum():>9.1f}")
    over = jobs[jobs["max_rss_mb"] > MEMORY_TARGET_MB]
    peak = jobs["max_rss_mb"].max()
    if over.empty:
        print(f"memory: every job under {MEMORY_TARGET_MB} MB (peak {peak:.0f} MB)")
    else:
        print(f"memory: {len(over)} job(s) over {MEMORY_TARGET_MB} MB:")
        for r in over.itertuples():
            print(f"  {r.rule} {r.job}: {r.max_rss_mb:.0f} MB")


def print_baseline(baseline: dict, wall: float) -> None:
    steps = baseline["steps"]
    print(f"\n{'':<28} {'seconds':>9}")
    for name in ("read", "encode", "kmeans", "silhouette"):
        print(f"baseline {name:<19} {steps.get(name, float('nan')):>9.1f}")
    print(f"{'baseline total':<28} {steps['total']:>9.1f}")
    print(f"{'workflow total (wall)':<28} {wall:>9.1f}")
    print(
        f"workflow / baseline: {wall / steps['total']:.2f} "
        f"(goal <= 0.5; baseline on {baseline['n_reviews']} reviews, {baseline['model']})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", help="the reviews (input_path), e.g. ../shared/data/imdb")
    ap.add_argument("--n", type=int, default=None, help="stratified subsample (default: all)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--results-dir", default="results/e2e")
    ap.add_argument("--configfile", action="append", default=None)
    ap.add_argument("--baseline", help="JSON from baseline_tutorial.py to show beside")
    ap.add_argument("--run-baseline", action="store_true", help="run baseline_tutorial.py first")
    ap.add_argument("--keep", action="store_true", help="do not clear --results-dir first")
    ap.add_argument("--collect", metavar="DIR", help="only read the benchmarks of a run in DIR")
    ap.add_argument("--json", help="also write the tables here")
    args = ap.parse_args()
    print(machine.header(), flush=True)

    baseline = json.loads(Path(args.baseline).read_text()) if args.baseline else None
    if args.collect:
        jobs, summary = rule_table(args.collect)
        wall = read_wall(args.collect)
        if wall is not None:
            print(f"workflow: {wall:.1f} s wall (from {wall_path(args.collect).name})")
        print_rules(summary, jobs)
        if baseline and wall is not None:
            print_baseline(baseline, wall)
        return
    if not args.data:
        ap.error("the data path is required (or --collect DIR)")

    configfiles = tuple(args.configfile or ["config/minilm.yaml"])
    model = "sentence-transformers/all-MiniLM-L6-v2"
    for cf in configfiles:
        model = (yaml.safe_load((ROOT / cf).read_text()) or {}).get("bert", {}).get("model", model)

    if args.run_baseline:
        out = Path(args.results_dir).with_name(Path(args.results_dir).name + "_baseline.json")
        cmd = [sys.executable, str(ROOT / "tests/benchmarks/baseline_tutorial.py"), args.data]
        cmd += ["--model", model, "--json", str(out)]
        cmd += [] if args.n is None else ["--n", str(args.n)]
        print("$", " ".join(cmd), flush=True)
        subprocess.run(cmd, cwd=ROOT, env=os.environ | ENV, check=True)
        baseline = json.loads(out.read_text())

    results = ROOT / args.results_dir
    if results.exists() and not args.keep:
        import shutil

        shutil.rmtree(results)
    results.mkdir(parents=True, exist_ok=True)
    wall = run_workflow(
        args.data,
        args.results_dir,
        cores=args.cores,
        n=args.n,
        configfiles=configfiles,
        log=str(results.with_name(results.name + "_snakemake.log")),
    )
    jobs, summary = rule_table(results)
    print(f"\nworkflow: {wall:.1f} s wall (snakemake --cores {args.cores}), model {model}")
    print_rules(summary, jobs)
    if baseline:
        print_baseline(baseline, wall)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "wall_seconds": wall,
                    "cores": args.cores,
                    "n": args.n,
                    "model": model,
                    "rules": summary.to_dict(orient="records"),
                    "jobs": jobs.to_dict(orient="records"),
                    "baseline": baseline,
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
