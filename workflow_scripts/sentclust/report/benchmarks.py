"""Snakemake's benchmark files: one row per job, totals per rule, the page's benchmark section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .format import finite

#: the columns of the per-job table (read_benchmarks, empty_benchmarks)
BENCHMARK_COLUMNS = ["rule", "job", "seconds", "max_rss_mb", "cpu_time"]


def empty_benchmarks() -> pd.DataFrame:
    """The per-job table of a run without benchmark files."""
    return pd.DataFrame([], columns=BENCHMARK_COLUMNS)


def _last_repeat(path: Path) -> pd.Series | None:
    """The last row of one benchmark file, or None when it is empty or unreadable."""
    try:
        df = pd.read_csv(path, sep="\t", na_values=["-", "NA"])
    except (pd.errors.EmptyDataError, pd.errors.ParserError):
        return None
    if df.empty or "s" not in df.columns:
        return None
    return df.iloc[-1]


def read_benchmarks(bench_dir: str | Path) -> pd.DataFrame:
    """Every Snakemake benchmark file under ``bench_dir``: one row per job (the last repeat).

    Columns: rule (first path component, or the file's stem), job (the rest), seconds, max_rss_mb,
    cpu_time. Missing values (``-``) become NaN.
    """
    bench_dir = Path(bench_dir)
    rows = []
    for path in sorted(bench_dir.rglob("*.tsv")):
        rel = path.relative_to(bench_dir)
        last = _last_repeat(path)
        if last is None:
            continue
        rows.append(
            {
                "rule": rel.parts[0] if len(rel.parts) > 1 else path.stem,
                "job": "/".join(rel.with_suffix("").parts[1:]) or path.stem,
                "seconds": finite(last.get("s")),
                "max_rss_mb": finite(last.get("max_rss")),
                "cpu_time": finite(last.get("cpu_time")),
            }
        )
    return pd.DataFrame(rows, columns=BENCHMARK_COLUMNS)


def benchmark_summary(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per rule: jobs, total and longest wall time, peak memory; longest total first."""
    if jobs.empty:
        return pd.DataFrame(columns=["rule", "jobs", "total_s", "max_s", "peak_rss_mb"])
    g = jobs.groupby("rule", sort=False)
    out = pd.DataFrame(
        {
            "jobs": g.size(),
            "total_s": g["seconds"].sum(min_count=1),
            "max_s": g["seconds"].max(),
            "peak_rss_mb": g["max_rss_mb"].max(),
        }
    ).reset_index()
    return out.sort_values("total_s", ascending=False, na_position="last").reset_index(drop=True)


def benchmarks_section(bench_dir: str | Path | None) -> dict[str, Any]:
    """The page's table per rule and per job; empty when ``bench_dir`` is unset or missing."""
    has_dir = bool(bench_dir) and Path(bench_dir).is_dir()
    jobs = read_benchmarks(bench_dir) if has_dir else empty_benchmarks()
    return {
        "rules": benchmark_summary(jobs).to_dict(orient="records"),
        "jobs": jobs.sort_values(["rule", "job"]).to_dict(orient="records"),
        "total_s": finite(jobs["seconds"].sum()) if len(jobs) else None,
        "n_jobs": len(jobs),
    }
