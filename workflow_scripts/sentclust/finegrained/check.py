"""Do the ordered levels order the star ratings? The check of a clustering, and of the grades it
was given (:mod:`.grading`), against what neither used: the reviews' star ratings, on the run's
scale (:mod:`.scale`: the lowest and the highest rating of the scale are its ends)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sentclust.cluster.metrics import nullable_float
from sentclust.finegrained.levels import cluster_profile, cluster_ranks, order_clusters
from sentclust.finegrained.scale import DEFAULT_SCALE


def rating_check(clusters_rank, ratings, scale=DEFAULT_SCALE, graded_ranks=None) -> dict:
    """Do the ordered clusters order the star ratings?

    ``clusters_rank`` is each review's cluster rank (0 = most negative); ``scale`` the run's
    (lo, hi). Reports Spearman's rho between rating and rank, the share of reviews rated ``lo``
    that land in the lowest-ranked cluster and of those rated ``hi`` in the highest-ranked one
    (beside each extreme cluster's share of all rated reviews, what chance would give), the
    mean rating per rank and whether it increases, and the same for the ranks of
    ``graded_ranks`` only (the graded levels: ``graded_mean_rating_increasing``, None when
    fewer than two are graded). Null ratings skipped; ``n_rated`` 0 and nothing else without.
    """
    from scipy.stats import spearmanr

    rank = np.asarray(clusters_rank)
    r = nullable_float(ratings)
    keep = ~np.isnan(r)
    rank, r = rank[keep], r[keep]
    n = int(len(r))
    out: dict = {"n_rated": n}
    if n == 0:
        return out
    lo, hi = int(rank.min()), int(rank.max())
    rho = spearmanr(r, rank)[0] if np.unique(r).size > 1 and np.unique(rank).size > 1 else None
    bottom, top = r == scale[0], r == scale[1]
    out.update(
        {
            "scale": [int(scale[0]), int(scale[1])],
            "spearman_rho": None if rho is None or np.isnan(rho) else float(rho),
            "lowest_rank": lo,
            "highest_rank": hi,
            "n_bottom_rating": int(bottom.sum()),
            "bottom_rating_in_lowest": float((rank[bottom] == lo).mean()) if bottom.any() else None,
            "lowest_share_of_rated": float((rank == lo).mean()),
            "n_top_rating": int(top.sum()),
            "top_rating_in_highest": float((rank[top] == hi).mean()) if top.any() else None,
            "highest_share_of_rated": float((rank == hi).mean()),
        }
    )
    means = pd.Series(r).groupby(rank).mean()
    out["mean_rating_by_rank"] = {int(k): float(v) for k, v in means.items()}
    out["mean_rating_increasing"] = bool(np.all(np.diff(means.to_numpy()) > 0))
    graded = means[means.index.isin(list(graded_ranks or []))]
    out["graded_mean_rating_increasing"] = (
        bool(np.all(np.diff(graded.to_numpy()) > 0)) if len(graded) >= 2 else None
    )
    return out


def grading_check(table: pd.DataFrame, ratings) -> dict:
    """The grades checked against the star ratings they did not use: how far each level's mean
    rating lies from the corpus mean (``table``: the levels with ``graded`` and ``mean_rating``;
    ``ratings``: every review's). ``graded_min_distance``: the nearest a graded level comes to
    the corpus mean; ``topic_max_distance``: the farthest a topic goes; ``separated``: every
    graded level lies farther than every topic (None when either group is empty)."""
    r = nullable_float(ratings)
    centre = float(np.nanmean(r)) if np.isfinite(r).any() else None
    out: dict = {"corpus_mean_rating": centre}
    dist = (table["mean_rating"].astype(float) - (centre or 0.0)).abs()
    graded, topic = dist[table["graded"].to_numpy()].dropna(), dist[~table["graded"].to_numpy()]
    topic = topic.dropna()
    out["graded_min_distance"] = float(graded.min()) if len(graded) and centre is not None else None
    out["topic_max_distance"] = float(topic.max()) if len(topic) and centre is not None else None
    both = out["graded_min_distance"] is not None and out["topic_max_distance"] is not None
    out["separated"] = (
        bool(out["graded_min_distance"] > out["topic_max_distance"]) if both else None
    )
    return out


def train_test_rating_check(clusters, labels, ratings, split, scale=DEFAULT_SCALE) -> dict | None:
    """:func:`rating_check` measured without test labels: the clusters ordered on the train
    split, checked on the test split's ratings on ``scale`` (None unless both splits are
    there)."""
    train = (split == "train").to_numpy()
    test = ~train
    if not (train.any() and test.any()):
        return None
    prof = cluster_profile(clusters[train], labels[train], ratings[train], ())
    order_train = order_clusters(prof)
    keep = np.isin(clusters[test], order_train)
    return rating_check(
        cluster_ranks(clusters[test][keep], order_train),
        ratings[test][keep],
        scale,
    )
