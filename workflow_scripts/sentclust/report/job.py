"""The report rules' work (rules/report.smk): rule projection_2d (one kind's 2-D projection
drawn at its chosen k) and rule report (the collected run rendered as the page and the Markdown
summary)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sentclust.files import read_embeddings_with_reviews
from sentclust.report.collect import collect
from sentclust.report.projection import projection_points
from sentclust.report.render import render_html, render_summary
from sentclust.workflow.named_inputs import inputs_by_kind


def pages(
    named_inputs,
    kinds,
    *,
    config: dict,
    explore,
    bench_dir,
    results_dir,
    workflow_dir,
    skipped=None,
) -> tuple[str, str, dict]:
    """Rule report: (the HTML page, the Markdown summary, what they show) of the run whose
    outputs ``named_inputs`` names (run-wide files by name, per kind ``<kind>__<name>``);
    ``skipped``: the stages a corpus without labels left out (stage -> why)."""
    ctx = collect(
        named_inputs,
        inputs_by_kind(named_inputs, kinds),
        config=config,
        explore=explore,
        bench_dir=bench_dir,
        results_dir=results_dir,
        workflow_dir=workflow_dir,
        skipped=skipped,
    )
    return render_html(ctx), render_summary(ctx), ctx


def draw_projection_2d(
    embeddings,
    reviews,
    assignments,
    names,
    *,
    kind: str,
    k: int,
    sample: int,
    seed: int,
    method: str,
    path,
) -> dict[str, Any]:
    """Draw one kind's 2-D projection at its chosen ``k`` to ``path`` (PNG), coloured by cluster
    name and by label; returns the projection's description.

    ``assignments``: the chosen k's assignments.parquet; ``names``: finegrained.parquet (rank,
    cluster, name); ``sample``, ``seed``, ``method``: as for :func:`project_2d`.
    """
    from sentclust import figures  # matplotlib and seaborn: only when drawing

    ids, x, meta = read_embeddings_with_reviews(embeddings, reviews)
    clusters = pd.read_parquet(assignments).set_index("review_id").loc[ids, "cluster"]
    names = pd.read_parquet(names, columns=["rank", "cluster", "name"]).sort_values("rank")
    points, info = projection_points(
        x,
        clusters.to_numpy(),
        meta["label"].to_numpy(),
        dict(zip(names["cluster"], names["name"], strict=True)),
        sample=sample,
        seed=seed,
        method=method,
    )
    figures.projection_scatter(
        points,
        cluster_order=names["name"].tolist(),
        title=f"{kind}: {info['method'].upper()} of {len(points):,} reviews, k={k}",
        path=path,
        axis_names=("PC 1", "PC 2") if info["method"] == "pca" else ("UMAP 1", "UMAP 2"),
    )
    return info
