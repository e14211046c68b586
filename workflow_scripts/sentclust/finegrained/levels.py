"""The fine-grained levels of one clustering: clusters ordered along the sentiment axis by their
positive share (ties by mean rating; by mean rating alone without labels), graded or named as
topics by the rule of :mod:`.grading`, named from the data (:mod:`.naming`), described by their
most distinctive terms (weighted log-odds or class-based TF-IDF, :mod:`.weights`, of the shared
count matrix, :mod:`.counts`) and the reviews nearest their centres: one table row per level.
The check against the star ratings is :mod:`.check`, the polarity inside :mod:`.polarity`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sentclust.cluster.metrics import nullable_float, rating_profile
from sentclust.finegrained.grading import grade_sides, mean_interval
from sentclust.finegrained.naming import level_grades, level_names
from sentclust.finegrained.weights import terms_from_counts


def cluster_profile(clusters, labels, ratings, scale=None) -> pd.DataFrame:
    """Per cluster (index ``cluster``): size, n_labelled, n_positive, positive share (NaN
    without labels; null labels skipped), n_rated, mean rating, sd_rating (nulls skipped) and
    the counts ``rating_<v>`` for each rating ``v`` of ``scale`` (the run's scale's values;
    :func:`sentclust.cluster.metrics.rating_values` when None)."""
    clusters = np.asarray(clusters)
    lab = nullable_float(labels)
    by = pd.Series(lab).groupby(clusters)
    out = pd.DataFrame({"size": pd.Series(clusters).value_counts().sort_index()})
    out["n_labelled"] = by.count().reindex(out.index).astype(np.int64)
    out["n_positive"] = by.sum(min_count=1).reindex(out.index).fillna(0).astype(np.int64)
    out["positive_share"] = by.mean().reindex(out.index)
    out.index.name = "cluster"
    rated = rating_profile(clusters, ratings, scale)
    sd = pd.Series(nullable_float(ratings)).groupby(clusters).std(ddof=1)
    rated.insert(rated.columns.get_loc("mean_rating") + 1, "sd_rating", sd.reindex(rated.index))
    return out.join(rated)


def order_clusters(profile: pd.DataFrame) -> list[int]:
    """Cluster ids along the sentiment axis: positive share ascending, ties by mean rating
    ascending (unrated last), then by id."""
    t = profile.reset_index()
    t = t.assign(_unrated=t["mean_rating"].isna(), _id=t["cluster"])
    t = t.sort_values(
        ["positive_share", "_unrated", "mean_rating", "_id"], kind="stable", na_position="last"
    )
    return [int(c) for c in t["cluster"]]


def corpus_share(profile: pd.DataFrame) -> float:
    """The positive share of all the labelled reviews of a :func:`cluster_profile` (NaN
    without labels)."""
    n = int(profile["n_labelled"].sum())
    return float(profile["n_positive"].sum() / n) if n else float("nan")


def _graded_profile(profile: pd.DataFrame, grade_share: float) -> pd.DataFrame:
    """The profile in sentiment order with ``rank``, the intervals and ``_side`` (the
    grading rule's side, None for a topic)."""
    t = profile.loc[order_clusters(profile)].reset_index()
    t.insert(0, "rank", np.arange(len(t), dtype=np.int32))
    sides, lo, hi = grade_sides(
        t["n_positive"], t["n_labelled"], corpus_share=corpus_share(t), grade_share=grade_share
    )
    at = t.columns.get_loc("positive_share") + 1
    t.insert(at, "positive_share_low", lo)
    t.insert(at + 1, "positive_share_high", hi)
    m_lo, m_hi = mean_interval(t["mean_rating"], t["sd_rating"], t["n_rated"])
    at = t.columns.get_loc("sd_rating") + 1
    t.insert(at, "mean_rating_low", m_lo)
    t.insert(at + 1, "mean_rating_high", m_hi)
    t["_side"] = pd.Series(sides, dtype=object)
    return t


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
    grade_share: float,
    top_n: int,
    n_nearest: int,
    weighting: str,
    review_ids=None,
    name_terms: int = 2,
    scale=None,
) -> pd.DataFrame:
    """One row per cluster in sentiment order: rank, cluster, name, grade, graded, size,
    n_labelled, n_positive, positive share and its Wilson 95% interval
    (``positive_share_low``, ``positive_share_high``), n_rated, mean rating, sd_rating and
    the mean's 95% interval (``mean_rating_low``, ``mean_rating_high``), rating counts on
    ``scale`` (the run's ratings, :func:`cluster_profile`), distinctive terms, nearest review
    rows (and ids). ``graded`` by :func:`sentclust.finegrained.grading.grade_sides` at
    ``grade_share`` against the clustering's own positive share; ``grade`` the sentiment-only
    name (:func:`sentclust.finegrained.naming.level_grades`, "topic" for the others), ``name``
    adds the ``name_terms`` most distinctive terms (:func:`~.naming.level_names`).

    The ``top_n`` terms, weighted by ``weighting`` ("log_odds" or "ctfidf"), come from
    ``counts`` and ``vocab`` (:func:`sentclust.finegrained.counts.term_counts`, rows aligned
    with ``clusters``: see :func:`sentclust.finegrained.counts.align_counts`); the
    ``n_nearest`` reviews nearest each centre by ``distances``.
    """
    t = _graded_profile(cluster_profile(clusters, labels, ratings, scale), grade_share)
    terms = terms_from_counts(counts, vocab, clusters, top_n=top_n, weighting=weighting)
    grades = level_grades(t["positive_share"].to_numpy(), t["_side"], mixed_band=mixed_band)
    cluster_terms = [terms.get(int(c), []) for c in t["cluster"]]
    t.insert(2, "name", level_names(grades, cluster_terms, n_terms=name_terms))
    t.insert(3, "grade", grades)
    t.insert(4, "graded", t.pop("_side").notna().to_numpy())
    near = nearest_reviews(distances, clusters, n=n_nearest)
    t["terms"] = cluster_terms
    t["nearest_rows"] = [near[int(c)] for c in t["cluster"]]
    if review_ids is not None:
        ids = np.asarray(review_ids)
        t["nearest_review_ids"] = [[str(ids[i]) for i in rows] for rows in t["nearest_rows"]]
    t["cluster"] = t["cluster"].astype(np.int32)
    t["size"] = t["size"].astype(np.int64)
    return t
