"""Scaling: the workflow at several corpus sizes, each stage's time against n, log-log slopes.

    .venv/bin/python tests/benchmarks/scaling.py ../shared/data/imdb
        [--sizes 6250,12500,25000,50000] [--cores 2] [--out results/scaling]
    .venv/bin/python tests/benchmarks/scaling.py --collect results/scaling

For each n, the whole workflow runs from scratch on a stratified seeded subsample of n reviews
(ingest.subsample) into ``OUT/n<n>/``. A finished run there (its report and ``OUT/n<n>_wall.json``,
also written by bench_end_to_end.py) is kept and only read; a folder without them is cleared
first. Each stage's time is the sum of its jobs' wall times from the ``benchmark:`` files (for
the sharded and fanned-out stages: all shards, all k); the last row is the whole run's wall
time. The slope of log(time) against log(n), fitted by least squares over the sizes, says how
a stage grows (1 is linear); the target is <= 1.15 for every stage whose time is not a fixed
cost. The slope between the two largest sizes is reported beside it.

Writes OUT/scaling.tsv (stage x n), OUT/slopes.tsv, OUT/scaling.png (seaborn, log-log, one line
per stage with its slope in the legend) and OUT/scaling.html (the figure and tables, one file).
Then, given the data path (also with --collect) and unless --no-report, it rebuilds the largest
run's report with ``report.scaling: OUT``: its page gains a "Scaling with corpus size" section
(only the report job reruns).
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow_scripts"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from bench_end_to_end import read_wall, rule_table, run_workflow  # noqa: E402

from sentclust.bert import machine  # noqa: E402
from sentclust.report import SCALING_TARGET as TARGET_SLOPE  # noqa: E402

#: stages measured but not held to the target: they do not grow with n by design (a report page,
#: a sample-sized projection, a fixed number of LIME explanations) or are too short to time
FIXED_COST = {"report", "projection_2d", "explain", "all"}
MIN_SECONDS = 5.0  # below this at the largest n, a slope measures start-up, not work


def slopes(table: pd.DataFrame) -> pd.DataFrame:
    """Least-squares slope of log(seconds) on log(n) per stage (columns of ``table``: n)."""
    rows = []
    n = np.asarray(table.columns, dtype=float)
    for stage, secs in table.iterrows():
        y = secs.to_numpy(dtype=float)
        ok = np.isfinite(y) & (y > 0)
        slope = float(np.polyfit(np.log(n[ok]), np.log(y[ok]), 1)[0]) if ok.sum() >= 2 else np.nan
        largest = float(y[ok][-1]) if ok.any() else np.nan
        # the slope between the two largest sizes: growth once fixed costs no longer dominate
        last = (
            float(np.log(y[ok][-1] / y[ok][-2]) / np.log(n[ok][-1] / n[ok][-2]))
            if ok.sum() >= 2
            else np.nan
        )
        held = stage not in FIXED_COST and largest >= MIN_SECONDS
        rows.append(
            {
                "stage": stage,
                "slope": slope,
                "slope_last_doubling": last,
                "seconds_at_largest_n": largest,
                "held_to_target": held,
                "meets_target": (slope <= TARGET_SLOPE) if held else None,
            }
        )
    return pd.DataFrame(rows)


def figure(table: pd.DataFrame, fitted: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    slope_of = dict(zip(fitted["stage"], fitted["slope"], strict=True))
    long = table.reset_index(names="stage").melt(id_vars="stage", var_name="n", value_name="s")
    long = long[long["s"] > 0]
    long["stage"] = [f"{s} (slope {slope_of[s]:.2f})" for s in long["stage"]]
    sns.set_theme(style="whitegrid")
    fig, ax = plt.subplots(figsize=(8, 5.5))
    sns.lineplot(data=long, x="n", y="s", hue="stage", marker="o", ax=ax)
    ns = np.asarray(table.columns, dtype=float)
    ref = table.max(axis=1).min()
    ax.plot(ns, ref * ns / ns[0], ls="--", color="grey", lw=1, label="slope 1 (linear)")
    ax.set(xscale="log", yscale="log", xlabel="reviews (n)", ylabel="stage time, s (sum of jobs)")
    ax.set_title("Stage time against corpus size")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_html(table: pd.DataFrame, fitted: pd.DataFrame, png: Path, out: Path) -> None:
    from sentclust.report import data_uri

    def frame(df: pd.DataFrame) -> str:
        return df.to_html(index=False, float_format=lambda v: f"{v:.2f}", border=0)

    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Scaling</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
        "</style></head><body><h1>Stage time against corpus size</h1>"
        f"<p>Generated {html.escape(time.strftime('%Y-%m-%d %H:%M'))}. Slope target "
        f"&le; {TARGET_SLOPE} for stages that grow with n.</p>"
        f"<img alt='scaling figure' src='{data_uri(png)}'>"
        f"<h2>Slopes</h2>{frame(fitted)}"
        f"<h2>Seconds per stage</h2>{frame(table.reset_index(names='stage'))}"
        "</body></html>"
    )
    out.write_text(body)


WALL = "workflow (wall)"


def collect(out: Path, sizes: list[int]) -> pd.DataFrame:
    """Stage x n seconds (sum of each stage's jobs), and the run's wall time where recorded."""
    cols = {}
    for n in sizes:
        _, summary = rule_table(out / f"n{n}")
        col = summary.set_index("rule")["total_s"]
        wall = read_wall(out / f"n{n}")
        cols[n] = pd.concat([col, pd.Series({WALL: wall if wall is not None else np.nan})])
    table = pd.DataFrame(cols)
    order = sorted(i for i in table.index if i != WALL) + [WALL]
    return table.loc[order]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?")
    ap.add_argument("--sizes", default="6250,12500,25000,50000")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--out", default="results/scaling")
    ap.add_argument("--configfile", action="append", default=None)
    ap.add_argument("--collect", metavar="OUT", help="only tabulate the runs already in OUT")
    ap.add_argument(
        "--no-report",
        action="store_true",
        help="do not add the scaling section to the largest run's report",
    )
    args = ap.parse_args()
    print(machine.header(), flush=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    out = ROOT / (args.collect or args.out)
    if not args.collect:
        if not args.data:
            ap.error("the data path is required (or --collect OUT)")
        for n in sizes:
            run_dir = Path(args.out) / f"n{n}"
            kept = read_wall(run_dir)
            if kept is not None and (ROOT / run_dir / "report" / "report.html").exists():
                print(f"n={n}: kept, {kept:.1f} s wall (delete {run_dir} to rerun)", flush=True)
                continue
            # no recorded finish: start from scratch, so that every stage is timed
            shutil.rmtree(ROOT / run_dir, ignore_errors=True)
            wall = run_workflow(
                args.data,
                str(run_dir),
                cores=args.cores,
                n=n,
                configfiles=tuple(args.configfile or ["config/minilm.yaml"]),
                log=str(ROOT / args.out / f"n{n}_snakemake.log"),
            )
            print(f"n={n}: {wall:.1f} s wall", flush=True)
    table = collect(out, sizes)
    fitted = slopes(table)
    table.to_csv(out / "scaling.tsv", sep="\t", float_format="%.2f")
    fitted.to_csv(out / "slopes.tsv", sep="\t", index=False, float_format="%.3f")
    figure(table, fitted, out / "scaling.png")
    write_html(table, fitted, out / "scaling.png", out / "scaling.html")
    with pd.option_context("display.width", 160, "display.float_format", "{:.2f}".format):
        print(table)
        print(fitted.to_string(index=False))
    bad = fitted[fitted["meets_target"] == False]  # noqa: E712
    print(
        "every stage that grows with n is within the slope target"
        if bad.empty
        else f"over the slope target {TARGET_SLOPE}: {', '.join(bad['stage'])}"
    )
    print(f"wrote {out}/scaling.tsv, slopes.tsv, scaling.png, scaling.html")
    if args.data and not args.no_report:
        # the report of the scaling run: the largest run's report, with config report.scaling
        # set to OUT (Snakemake reruns the report job only)
        largest = Path(args.collect or args.out) / f"n{max(sizes)}"
        run_workflow(
            args.data,
            str(largest),
            cores=args.cores,
            n=max(sizes),
            configfiles=tuple(args.configfile or ["config/minilm.yaml"]),
            log=str(out / "report_snakemake.log"),
            config={"report": {"scaling": str(out)}},
            record=False,
        )
        print(f"added the scaling section to {largest}/report/report.html")


if __name__ == "__main__":
    main()
