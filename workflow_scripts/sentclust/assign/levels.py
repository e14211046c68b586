"""Placing new reviews on a finished run's fine-grained scale: the nearest saved centre.

A run saves, per (embedding kind, k), the K-means centres (``clusters/<kind>/k<k>/centres.npz``)
and, in ``clusters/<kind>/finegrained.json``, each cluster's place on the sentiment scale (rank,
name, grade, positive share, mean rating). A new review's vector (encoded as the corpus was, and
projected with the saved PLS parameters for a ``*_pls`` kind) goes to its nearest centre; the
margin to the second nearest says how clearly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: the columns of :func:`levels` (one row per cluster id)
LEVEL_COLUMNS = ("rank", "name", "grade", "positive_share", "mean_rating", "size")


def nearest_centres(x, centres) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cluster id, euclidean distance to it, margin = distance to the second nearest minus
    that) for each row of ``x``; squared distances accumulated in float64."""
    x = np.asarray(x, dtype=np.float64)
    c = np.asarray(centres, dtype=np.float64)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(
            f"vectors of shape {x.shape} cannot be assigned to centres of shape {c.shape}: "
            "the texts were not encoded like the run's reviews"
        )
    d2 = (x * x).sum(1)[:, None] - 2.0 * (x @ c.T) + (c * c).sum(1)[None, :]
    np.maximum(d2, 0.0, out=d2)
    cluster = d2.argmin(1)
    rows = np.arange(len(x))
    distance = np.sqrt(d2[rows, cluster])
    if c.shape[0] > 1:
        d2[rows, cluster] = np.inf
        margin = np.sqrt(d2.min(1)) - distance
    else:
        margin = np.full(len(x), np.inf)
    return cluster.astype(np.int32), distance.astype(np.float32), margin.astype(np.float32)


def levels(finegrained: dict, k: int) -> pd.DataFrame:
    """The clusters of ``k`` on the sentiment scale, indexed by cluster id (the K-means label):
    :data:`LEVEL_COLUMNS`, from a run's ``finegrained.json``. KeyError naming the ks the run
    named when it did not name ``k``."""
    for result in finegrained["results"]:
        if int(result["k"]) == int(k):
            table = pd.DataFrame(result["clusters"]).set_index("cluster").sort_index()
            return table[list(LEVEL_COLUMNS)]
    named = sorted(int(r["k"]) for r in finegrained["results"])
    raise KeyError(
        f"the run named the clusters of {finegrained['kind']} at k = {named} only, not k = {k}: "
        f"choose one of those (the chosen k is {finegrained['chosen_k']}), or add {k} to "
        "choose_k.explore and rerun"
    )


def read_centres(run: str | Path, kind: str, k: int) -> np.ndarray:
    """The saved centres of (``kind``, ``k``) in the run folder ``run``; FileNotFoundError
    saying what to rerun when the run did not save them."""
    from sentclust.files import read_npz

    path = Path(run) / "clusters" / kind / f"k{k}" / "centres.npz"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the run has no centres for {kind} at k = {k} (a run from "
            "before centres were saved, or a k outside kmeans.k). Fix: rerun the workflow on "
            "this run's config; only the K-means jobs rerun"
        )
    return read_npz(path)["centres"]


def assign_vectors(x, centres, level_table: pd.DataFrame) -> pd.DataFrame:
    """One row per vector: cluster id, its level (rank, name, grade), the cluster's positive
    share and mean rating, the distance to its centre and the margin to the second nearest."""
    cluster, distance, margin = nearest_centres(x, centres)
    missing = sorted(set(range(len(centres))) - set(level_table.index))
    if missing:
        raise ValueError(f"the level table has no row for cluster(s) {missing}")
    info = level_table.loc[cluster].reset_index(drop=True)
    out = pd.DataFrame({"cluster": cluster})
    for column in ("rank", "name", "grade", "positive_share", "mean_rating"):
        out[column] = info[column].to_numpy()
    out["distance"] = distance
    out["margin"] = margin
    return out
