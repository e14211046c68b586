"""The fine-grained levels of one clustering: clusters ordered along the sentiment axis by their
positive share (ties by mean rating), named from the data (:mod:`.naming`), described by their
most distinctive terms (weighted log-odds or class-based TF-IDF, :mod:`.weights`, of the shared
count matrix, :mod:`.counts`) and the reviews nearest their centres: one table row per level.
The check against the star ratings is :mod:`.check`, the polarity inside :mod:`.polarity`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sentclust.cluster.metrics import positive_share, rating_profile
from sentclust.finegrained.naming import name_clusters, names_with_terms
from sentclust.finegrained.weights import terms_from_counts


def cluster_profile(clusters, labels, ratings) -> pd.DataFrame:
    """Per cluster (index ``cluster``): size, positive share, n_rated, mean rating (nulls
    skipped) and the counts ``rating_1..rating_10``."""
    clusters = np.asarray(clusters)
    size = pd.Series(clusters).value_counts().sort_index()
    out = pd.DataFrame({"size": size, "positive_share": positive_share(clusters, labels)})
    out.index.name = "cluster"
    return out.join(rating_profile(clusters, ratings))


def order_clusters(profile: pd.DataFrame) -> list[int]:
    """Cluster ids along the sentiment axis: positive share ascending, ties by mean rating
    ascending (unrated last), then by id."""
    t = profile.reset_index()
    t = t.assign(_unrated=t["mean_rating"].isna(), _id=t["cluster"])
    t = t.sort_values(
        ["positive_share", "_unrated", "mean_rating", "_id"], kind="stable", na_position="last"
    )
    return [int(c) for c in t["cluster"]]


def cluster_ranks(clusters, order: Sequence[int]) -> np.ndarray:
    """Each review's cluster rank (0 = the most negative cluster in ``order``)."""
    rank_of = {int(c): r for r, c in enumerate(order)}
    clusters = np.asarray(clusters)
    missing = set(np.unique(clusters).tolist()) - set(rank_of)
    if missing:
        raise ValueError(f"clusters {sorted(missing)} are not in the order")
    lookup = np.full(int(clusters.max()) + 1, -1, dtype=np.int32)
    for c, r in rank_of.items():
        if 0 <= c < len(lookup):
            lookup[c] = r
    return lookup[clusters]


def nearest_reviews(distances, clusters, n: int) -> dict[int, list[int]]:
    """Row indices of the ``n`` reviews nearest each cluster's centre (ties by row index)."""
    distances = np.asarray(distances)
    clusters = np.asarray(clusters)
    idx = np.arange(len(clusters))
    order = np.lexsort((idx, distances, clusters))
    sorted_clusters = clusters[order]
    uniq, starts = np.unique(sorted_clusters, return_index=True)
    ends = np.append(starts[1:], len(order))
    return {
        int(c): order[s : min(s + n, e)].tolist()
        for c, s, e in zip(uniq, starts, ends, strict=True)
    }


def finegrained_table(
    clusters,
    labels,
    ratings,
    distances,
    *,
    counts,
    vocab,
    mixed_band: float,
    top_n: int,
    n_nearest: int,
    weighting: str,
    review_ids=None,
    name_terms: int = 2,
) -> pd.DataFrame:
    """One row per cluster in sentiment order: rank, cluster, name, grade, size, positive
    share, n_rated, mean rating, rating counts, distinctive terms, nearest review rows (and
    ids). ``grade`` is the sentiment-only name (:func:`name_clusters`), ``name`` adds the
    ``name_terms`` most distinctive terms (:func:`names_with_terms`).

    The ``top_n`` terms, weighted by ``weighting`` ("log_odds" or "ctfidf"), come from
    ``counts`` and ``vocab`` (:func:`sentclust.finegrained.counts.term_counts`, rows aligned
    with ``clusters``: see :func:`sentclust.finegrained.counts.align_counts`); the
    ``n_nearest`` reviews nearest each centre by ``distances``.
    """
    profile = cluster_profile(clusters, labels, ratings)
    order = order_clusters(profile)
    t = profile.loc[order].reset_index()
    t.insert(0, "rank", np.arange(len(t), dtype=np.int32))
    terms = terms_from_counts(counts, vocab, clusters, top_n=top_n, weighting=weighting)
    grades = name_clusters(t["positive_share"].to_numpy(), mixed_band=mixed_band)
    cluster_terms = [terms.get(int(c), []) for c in t["cluster"]]
    t.insert(2, "name", names_with_terms(grades, cluster_terms, n_terms=name_terms))
    t.insert(3, "grade", grades)
    near = nearest_reviews(distances, clusters, n=n_nearest)
    t["terms"] = cluster_terms
    t["nearest_rows"] = [near[int(c)] for c in t["cluster"]]
    if review_ids is not None:
        ids = np.asarray(review_ids)
        t["nearest_review_ids"] = [[str(ids[i]) for i in rows] for rows in t["nearest_rows"]]
    t["cluster"] = t["cluster"].astype(np.int32)
    t["size"] = t["size"].astype(np.int64)
    return t
