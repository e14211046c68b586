"""Fine-grained sentiment from clusters: order, name from the data, describe, check against ratings.

Clusters are ordered along the sentiment axis by their positive share (ties by mean rating), named
from their shares (never hard-coded: a cluster whose majority is positive never gets a negative
name, and the other way round), described by their most distinctive terms (class-based TF-IDF)
and the reviews nearest their centres, and checked: the ordered clusters must order the star
ratings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sentclust.cluster_metrics import nullable_float, positive_share, rating_profile
from sentclust.terms import distinctive_terms, terms_from_counts


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


# --------------------------------------------------------------------------- naming

#: Graded qualifiers per side, most extreme first, by the number of clusters on that side.
_GRADES = {
    1: [""],
    2: ["very", ""],
    3: ["very", "", "somewhat"],
    4: ["extremely", "very", "", "somewhat"],
    5: ["extremely", "very", "", "somewhat", "slightly"],
}


def _side_names(word: str, m: int) -> list[str]:
    """``m`` distinct names for one side, most extreme first."""
    if m in _GRADES:
        return [f"{g} {word}".strip() for g in _GRADES[m]]
    return [f"{word} (degree {m - i} of {m})" for i in range(m)]


def _leaning_names(word: str, m: int) -> list[str]:
    """``m`` distinct mixed names that lean to one side, the most extreme first."""
    if m == 1:
        return [f"mixed, leaning {word}"]
    if m == 2:
        return [f"mixed, leaning {word}", f"mixed, slightly {word}"]
    return [f"mixed, leaning {word} ({m - j} of {m})" for j in range(m)]


def _mixed_names(sides: list[str]) -> list[str]:
    """Names for the clusters within the mixed band, in order; ``sides`` holds each one's
    majority: 'negative', 'balanced' or 'positive'."""
    if len(sides) == 1:
        return ["mixed"]
    groups = {
        s: [i for i, v in enumerate(sides) if v == s] for s in ("negative", "balanced", "positive")
    }
    out = [""] * len(sides)
    neg, bal, pos = groups["negative"], groups["balanced"], groups["positive"]
    # in sentiment order: the negative ones most negative first, the positive ones least first
    for i, name in zip(neg, _leaning_names("negative", len(neg)), strict=True):
        out[i] = name
    for j, i in enumerate(bal):
        out[i] = "mixed, balanced" if len(bal) == 1 else f"mixed, balanced ({j + 1} of {len(bal)})"
    for i, name in zip(pos, reversed(_leaning_names("positive", len(pos))), strict=True):
        out[i] = name
    return out


def name_clusters(pos_shares_in_order: Sequence[float], *, mixed_band: float) -> list[str]:
    """Names for clusters given their positive shares in sentiment order (ascending).

    A cluster is "mixed" only when its share is within ``mixed_band`` of 0.5; the others are
    named by their own majority (share < 0.5: negative names, > 0.5: positive names), graded
    from the most extreme outward on each side (k=5 on typical data: very negative, negative,
    mixed, positive, very positive). Several near-0.5 clusters get distinct mixed names that
    lean the way of their own majority. Names are unique.
    """
    shares = np.asarray(pos_shares_in_order, dtype=np.float64)
    if shares.ndim != 1 or len(shares) == 0:
        raise ValueError("name_clusters needs a non-empty list of positive shares")
    if not np.isfinite(shares).all() or (shares < 0).any() or (shares > 1).any():
        raise ValueError(f"positive shares must be within [0, 1], got {shares.tolist()}")
    if (np.diff(shares) < 0).any():
        raise ValueError("positive shares must be in sentiment order (ascending)")
    if not 0 <= mixed_band < 0.5:
        raise ValueError(f"mixed_band={mixed_band}: must be in [0, 0.5)")
    mixed = np.abs(shares - 0.5) <= mixed_band
    neg = np.flatnonzero(~mixed & (shares < 0.5))
    pos = np.flatnonzero(~mixed & (shares > 0.5))
    mid = np.flatnonzero(mixed)
    names = [""] * len(shares)
    for i, name in zip(neg, _side_names("negative", len(neg)), strict=True):
        names[i] = name
    for i, name in zip(pos, reversed(_side_names("positive", len(pos))), strict=True):
        names[i] = name
    sides = [
        "negative" if shares[i] < 0.5 else "positive" if shares[i] > 0.5 else "balanced"
        for i in mid
    ]
    for i, name in zip(mid, _mixed_names(sides), strict=True):
        names[i] = name
    return names


# --------------------------------------------------------------------------- examples, check


def nearest_reviews(distances, clusters, n: int = 3) -> dict[int, list[int]]:
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


def finegrained_table(
    clusters,
    labels,
    ratings,
    distances,
    texts,
    *,
    mixed_band: float,
    top_n: int = 10,
    stop_words: Sequence[str] | None = None,
    min_df: int = 5,
    max_df: float = 1.0,
    n_nearest: int = 3,
    review_ids=None,
    counts=None,
    vocab=None,
) -> pd.DataFrame:
    """One row per cluster in sentiment order: rank, cluster, name, size, positive share,
    n_rated, mean rating, rating counts, distinctive terms, nearest review rows (and ids).

    The terms come from ``counts`` and ``vocab`` when given (:func:`term_counts`, rows aligned
    with ``clusters``: see :func:`align_counts`; ``texts``, ``stop_words``, ``min_df`` and
    ``max_df`` are then unused), else from counting ``texts``.
    """
    profile = cluster_profile(clusters, labels, ratings)
    order = order_clusters(profile)
    t = profile.loc[order].reset_index()
    t.insert(0, "rank", np.arange(len(t), dtype=np.int32))
    t.insert(2, "name", name_clusters(t["positive_share"].to_numpy(), mixed_band=mixed_band))
    if counts is not None:
        if vocab is None:
            raise ValueError("counts given without their vocabulary")
        terms = terms_from_counts(counts, vocab, clusters, top_n=top_n)
    else:
        terms = distinctive_terms(
            texts, clusters, top_n=top_n, stop_words=stop_words, min_df=min_df, max_df=max_df
        )
    near = nearest_reviews(distances, clusters, n=n_nearest)
    t["terms"] = [terms.get(int(c), []) for c in t["cluster"]]
    t["nearest_rows"] = [near[int(c)] for c in t["cluster"]]
    if review_ids is not None:
        ids = np.asarray(review_ids)
        t["nearest_review_ids"] = [[str(ids[i]) for i in rows] for rows in t["nearest_rows"]]
    t["cluster"] = t["cluster"].astype(np.int32)
    t["size"] = t["size"].astype(np.int64)
    return t
