"""Placing new reviews on a finished run's fine-grained scale: the level of the nearest centre.

A run saves, per (embedding kind, k), the K-means model
(:class:`~sentclust.cluster.model.KMeansModel`, :data:`sentclust.layout.CENTRES`) and, in the
kind's ``finegrained.json``, each cluster's place on the sentiment scale (rank, name, grade,
positive share, mean rating). A new review's vector (encoded as the corpus was, and projected
with the saved PLS projection for a ``*_pls`` kind) goes to its nearest centre; the margin to the
second nearest says how clearly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sentclust.cluster.model import KMeansModel

#: the columns of :func:`levels` (one row per cluster id)
LEVEL_COLUMNS = ("rank", "name", "grade", "positive_share", "mean_rating", "size")


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


def assign_vectors(x, model: KMeansModel, level_table: pd.DataFrame, *, ids=None) -> pd.DataFrame:
    """One row per vector: cluster id (its nearest centre of ``model``), its level (rank,
    name, grade), the cluster's positive share and mean rating, the distance to its centre and
    the margin to the second nearest. A vector with a NaN or an infinity has no nearest centre:
    ValueError naming its row (and its text id of ``ids``)."""
    x = np.asarray(x, dtype=np.float64)
    check_finite(x, ids)
    cluster, distance, margin = model.assign(x)
    missing = sorted(set(range(model.k)) - set(level_table.index))
    if missing:
        raise ValueError(f"the level table has no row for cluster(s) {missing}")
    info = level_table.loc[cluster].reset_index(drop=True)
    out = pd.DataFrame({"cluster": cluster})
    for column in ("rank", "name", "grade", "positive_share", "mean_rating"):
        out[column] = info[column].to_numpy()
    out["distance"] = distance
    out["margin"] = margin
    return out


def check_finite(x: np.ndarray, ids=None, *, shown: int = 5) -> None:
    """ValueError unless every row of ``x`` is finite: names the first ``shown`` bad rows."""
    bad = np.flatnonzero(~np.isfinite(x).all(axis=1)) if x.ndim == 2 else []
    if len(bad) == 0:
        return
    rows = [f"text {ids[i]} (row {i})" if ids is not None else f"row {i}" for i in bad[:shown]]
    more = f" and {len(bad) - shown} more" if len(bad) > shown else ""
    raise ValueError(
        f"{len(bad)} vector(s) are not finite (NaN or infinite): {', '.join(rows)}{more}; such "
        "a vector has no nearest centre, so no level. Fix: drop those texts; if the run's "
        "encoder gave them, encode in float32 (bert.precision: float32) and rerun"
    )
