"""Rule projection_2d: one kind's embeddings in two dimensions (PCA, or UMAP when installed),
a seeded sample coloured by cluster (chosen k, clusters named) and by label."""

import json
from pathlib import Path

import pandas as pd

from sentclust import figures, report
from sentclust.files import atomic_path, read_embeddings_with_reviews, write_json
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    kind = sm.wildcards.kind
    cfg = sm.params.report
    choice = json.loads(Path(sm.input.choice).read_text())
    k = choice["k"]
    by_k = {int(Path(p).parent.name[1:]): p for p in sm.input.assignments}
    ids, x, reviews = read_embeddings_with_reviews(sm.input.embeddings, sm.input.reviews)
    assignments = pd.read_parquet(by_k[k]).set_index("review_id").loc[ids]
    names = pd.read_parquet(sm.input.names, columns=["rank", "cluster", "name"]).sort_values("rank")
    name_of = dict(zip(names["cluster"], names["name"], strict=True))
    rows, xy, info = report.project_2d(
        x, sample=cfg["projection_sample"], seed=sm.params.seed, method=cfg["projection"]
    )
    points = pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "cluster": [name_of[c] for c in assignments["cluster"].to_numpy()[rows]],
            "label": [report.SENTIMENT[int(v)] for v in reviews["label"].to_numpy()[rows]],
        }
    )
    with atomic_path(sm.output.figure) as tmp:
        figures.projection_scatter(
            points,
            cluster_order=names["name"].tolist(),
            title=f"{kind}: {info['method'].upper()} of {len(rows):,} reviews, k={k}",
            path=tmp,
            axis_names=("PC 1", "PC 2") if info["method"] == "pca" else ("UMAP 1", "UMAP 2"),
        )
    info.update(kind=kind, k=k, supervision=sm.params.supervision)
    write_json(info, sm.output.summary)
    log.info("%s: %s of %d points", kind, info["method"], len(rows))
