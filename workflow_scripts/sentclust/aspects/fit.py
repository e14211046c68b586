"""Aspects by K-means on the BERT segment vectors: which segments the fit sees (the train split's,
or a seeded sample of them: ``aspects.max_fit_segments``), one fit per aspect count through the
sweep's backends (:func:`sentclust.cluster.job.run_kmeans`; every segment is then assigned to
its nearest centre shard by shard: :mod:`sentclust.aspects.vectors`), and the aspect count
chosen from the sweep (:func:`choose_count`): by default by the coherence of the aspects' top
terms (``npmi``, as topic counts are chosen), or as k is (:mod:`sentclust.cluster.choice`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sentclust.cluster import choice as k_choice
from sentclust.cluster.job import run_kmeans
from sentclust.cluster.metrics import internal_metrics


def fit_rows(segment_reviews: Sequence, meta: pd.DataFrame, *, max_fit: int, seed: int):
    """The rows the fit sees, as a boolean mask over the segments (``segment_reviews``: each
    segment's review_id): the train split's segments (all segments if the corpus has no train
    split), then at most ``max_fit`` of them drawn with ``seed`` (0: no cap)."""
    rid = pd.Series(np.asarray(segment_reviews, dtype=object))
    train = meta.loc[meta["split"] == "train", "review_id"].astype(str)
    mask = rid.astype(str).isin(set(train)).to_numpy()
    if not mask.any():
        mask = np.ones(len(rid), dtype=bool)
    if max_fit and mask.sum() > max_fit:
        rows = np.flatnonzero(mask)
        keep = np.random.default_rng(seed).choice(rows, size=max_fit, replace=False)
        mask = np.zeros(len(rid), dtype=bool)
        mask[keep] = True
    return mask


def fit_aspects(x_fit, k: int, *, params: dict, seed: int, threads: int | None = None):
    """(model, aspect id of every row of ``x_fit``, the sweep record) of K-means with ``k``
    aspects fitted on ``x_fit`` (``params``: the kmeans settings with ``backend``). The record
    has the columns :func:`sentclust.cluster.choice.choose_k` reads, the internal metrics
    measured on the fit rows (silhouette on ``params["silhouette_sample"]`` of them, default
    2000); the caller adds the sizes once every segment is assigned."""
    x_fit = np.asarray(x_fit, dtype=np.float32)
    model, res = run_kmeans(
        x_fit, k, params=params, seed=seed, threads=threads, name="segment vectors"
    )
    scores = internal_metrics(
        x_fit, res.labels, sample_size=params.get("silhouette_sample", 2000), seed=seed
    )
    record = {
        "k": int(k),
        "inertia": float(res.inertia),
        **scores,
        "n_fit": len(x_fit),
        "backend": res.backend,
        "device": res.device,
        "seconds": round(res.seconds, 3),
    }
    return model, np.asarray(res.labels, dtype=np.int32), record


#: the coherence criterion: the count whose aspects' top terms are most coherent
COHERENCE = "npmi"
COHERENCE_RULE = (
    "the smallest count whose aspects' top terms have a mean NPMI over the reviews within "
    "aspects.npmi_tolerance of the highest (topic coherence)"
)


def choose_count(records: Sequence[dict], criterion: str, tolerance: float = 0.0) -> dict:
    """The aspect count chosen from the sweep's records: with ``criterion`` ``npmi`` the smallest
    count whose ``npmi_mean`` is within ``tolerance`` of the highest (k's elbow and its
    fallbacks where no count has one), otherwise as k is chosen (same criteria, rules and
    fallbacks: :func:`sentclust.cluster.choice.choose_k`). k's picks are kept beside it."""
    table = pd.DataFrame(list(records))
    if criterion != COHERENCE:
        return k_choice.choose_k(table, criterion)
    by_k = k_choice.choose_k(table, "elbow")
    score = pd.to_numeric(table.get("npmi_mean", pd.Series(np.nan, index=table.index)))
    scored = table.assign(_s=score.astype(float)).dropna(subset=["_s"])
    near = scored[scored["_s"] >= scored["_s"].max() - tolerance]
    k = int(near["k"].min()) if len(near) else None
    common = {
        **by_k,
        "criterion": COHERENCE,
        "tolerance": float(tolerance),
        "picks": {**by_k["picks"], COHERENCE: k},
        "rules": {**by_k["rules"], COHERENCE: COHERENCE_RULE},
    }
    if k is None:
        fallback = f"{COHERENCE} is undefined for every count; fell back to {by_k['chosen_by']}"
        return {**common, "fallback": fallback}
    return {**common, "k": k, "rule": COHERENCE_RULE, "chosen_by": COHERENCE, "fallback": None}
