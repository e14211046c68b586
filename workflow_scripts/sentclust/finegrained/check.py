"""Do the ordered levels order the star ratings? The check of a clustering against what it did
not see: the reviews' star ratings (1-4 negative, 7-10 positive on IMDB's scale)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sentclust.cluster.metrics import nullable_float
from sentclust.finegrained.levels import cluster_profile, cluster_ranks, order_clusters


def rating_check(clusters_rank, ratings) -> dict:
    """Do the ordered clusters order the star ratings?

    ``clusters_rank`` is each review's cluster rank (0 = most negative). Reports Spearman's rho
    between rating and rank, the share of 1-star reviews that land in the lowest-ranked cluster
    and of 10-star reviews in the highest-ranked one (beside each extreme cluster's share of all
    rated reviews, what chance would give), and the mean rating per rank. Null ratings skipped.
    """
    from scipy.stats import spearmanr

    rank = np.asarray(clusters_rank)
    r = nullable_float(ratings)
    keep = ~np.isnan(r)
    rank, r = rank[keep], r[keep]
    n = int(len(r))
    out: dict = {"n_rated": n}
    if n == 0:
        return {
            **out,
            "spearman_rho": None,
            "one_star_in_lowest": None,
            "ten_star_in_highest": None,
        }
    lo, hi = int(rank.min()), int(rank.max())
    rho = spearmanr(r, rank)[0] if np.unique(r).size > 1 and np.unique(rank).size > 1 else None
    ones, tens = r == 1, r == 10
    out.update(
        {
            "spearman_rho": None if rho is None or np.isnan(rho) else float(rho),
            "lowest_rank": lo,
            "highest_rank": hi,
            "n_one_star": int(ones.sum()),
            "one_star_in_lowest": float((rank[ones] == lo).mean()) if ones.any() else None,
            "lowest_share_of_rated": float((rank == lo).mean()),
            "n_ten_star": int(tens.sum()),
            "ten_star_in_highest": float((rank[tens] == hi).mean()) if tens.any() else None,
            "highest_share_of_rated": float((rank == hi).mean()),
        }
    )
    means = pd.Series(r).groupby(rank).mean()
    out["mean_rating_by_rank"] = {int(k): float(v) for k, v in means.items()}
    out["mean_rating_increasing"] = bool(np.all(np.diff(means.to_numpy()) > 0))
    return out


def train_test_rating_check(clusters, labels, ratings, split) -> dict | None:
    """:func:`rating_check` measured without test labels: the clusters ordered on the train
    split, checked on the test split's ratings (None unless both splits are there)."""
    train = (split == "train").to_numpy()
    test = ~train
    if not (train.any() and test.any()):
        return None
    prof = cluster_profile(clusters[train], labels[train], ratings[train])
    order_train = order_clusters(prof)
    keep = np.isin(clusters[test], order_train)
    return rating_check(
        cluster_ranks(clusters[test][keep], order_train),
        ratings[test][keep],
    )
