"""Fine-grained sentiment from clusters: order, name from the data, describe, check against ratings.

Clusters are ordered along the sentiment axis by their positive share (ties by mean rating),
graded from their shares (never hard-coded: a cluster whose majority is positive never gets a
negative grade, and the other way round) and named by that grade and their two most
distinctive terms ("mixed, leaning positive: episode, series"), described by their terms
(weighted log-odds or class-based TF-IDF), the reviews nearest their centres and, when the
segment polarity is there, how polar and how mixed their reviews are inside; and checked: the
ordered clusters must order the star ratings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sentclust.cluster.metrics import nullable_float, positive_share, rating_profile
from sentclust.finegrained.terms import distinctive_terms, terms_from_counts


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


#: words of the grades: a term holding one would blur the grade ("positive: negative reviews")
_GRADE_WORDS = frozenset({"negative", "positive", "mixed", "balanced"})


def _name_terms(terms: Sequence[str], n: int) -> list[str]:
    """The first ``n`` terms, skipping one that holds a grade word (:data:`_GRADE_WORDS`) or
    shares a word with a term already taken, a plural "s" aside ("waste", "waste time",
    "awful" -> "waste", "awful"; "episode", "episodes", "tv" -> "episode", "tv")."""

    def keys(term: str) -> set[str]:
        return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in term.split()}

    taken: list[str] = []
    seen: set[str] = set(_GRADE_WORDS)  # as if taken already
    for term in terms:
        if len(taken) == n:
            break
        if seen.isdisjoint(keys(term)):
            taken.append(term)
            seen.update(keys(term))
    return taken


def names_with_terms(
    grades: Sequence[str], terms: Sequence[Sequence[str]], *, n_terms: int = 2
) -> list[str]:
    """Cluster names: each grade (:func:`name_clusters`) followed by the cluster's ``n_terms``
    most distinctive terms that do not repeat a word ("mixed, slightly positive: episode,
    series"); the grade alone when a cluster has no terms.

    The grades are unique, so the names are too, whatever terms clusters share; they serve as
    keys of tables and figures. ValueError if ``grades`` repeat.
    """
    if len(set(grades)) != len(grades):
        raise ValueError(f"cluster grades must be unique to name clusters, got {list(grades)}")
    if len(grades) != len(terms):
        raise ValueError(f"{len(grades)} grades but terms for {len(terms)} clusters")
    out = []
    for grade, ts in zip(grades, terms, strict=True):
        picked = _name_terms(list(ts), n_terms)
        out.append(f"{grade}: {', '.join(picked)}" if picked else grade)
    return out


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


# --------------------------------------------------------------------------- polarity inside


#: the columns of polarity/reviews.parquet the clusters are described by
POLARITY_COLUMNS = ["review_id", "dual_polarity", "spread_std", "share_positive", "share_negative"]
#: per cluster: the mean of each polarity column (the share of dual-polarity reviews, ...)
POLARITY_MEANS = {
    "dual_polarity_share": "dual_polarity",
    "spread_mean": "spread_std",
    "positive_segment_share": "share_positive",
    "negative_segment_share": "share_negative",
}


def cluster_polarity(clusters, review_ids, polarity: pd.DataFrame) -> pd.DataFrame:
    """Per cluster (index ``cluster``): the means over its reviews of the segment polarity
    (``polarity``: polarity/reviews.parquet, one row per review) named in
    :data:`POLARITY_MEANS`: the share of reviews with both polarities, the mean spread of
    their segment scores, the mean shares of positive and negative segments. Nulls skipped.

    ValueError when ``polarity`` lacks some of ``review_ids`` (another run's file).
    """
    frame = pd.DataFrame({"review_id": np.asarray(review_ids, dtype=object), "cluster": clusters})
    pol = polarity[POLARITY_COLUMNS].drop_duplicates("review_id")
    df = frame.merge(pol, on="review_id", how="left", indicator=True)
    missing = int((df["_merge"] == "left_only").sum())
    if missing:
        first = df.loc[df["_merge"] == "left_only", "review_id"].iat[0]
        raise ValueError(
            f"the review polarity lacks {missing} of the {len(frame)} clustered reviews "
            f"(first: {first}); it comes from another run: rerun the workflow"
        )
    means = df.astype({c: "float64" for c in POLARITY_MEANS.values()}).groupby("cluster")
    out = means[list(POLARITY_MEANS.values())].mean()
    return out.rename(columns={v: k for k, v in POLARITY_MEANS.items()})


def typical_segments(
    clusters, review_ids, distances, segment_scores: pd.DataFrame, segments: pd.DataFrame, *, n: int
) -> dict[int, list[dict]]:
    """Per cluster, up to ``n`` typical polar segments: the reviews nearest the cluster's
    centre (smallest ``distances``, ties by row) that have a polar segment (label != 0, a
    finite score), one segment each, the one of largest |score|, as {review_id,
    segment_no, text, score, label}. One per review, so a single long review does not fill
    the list. ``segment_scores`` and ``segments`` as polarity/segment_scores.parquet and
    segments/segments.parquet (joined on review_id, segment_no).
    """
    uniq = np.unique(np.asarray(clusters))
    if n <= 0:
        return {int(c): [] for c in uniq}
    seg = segment_scores.loc[
        (segment_scores["label"] != 0) & np.isfinite(segment_scores["score"].astype(float)),
        ["review_id", "segment_no", "score", "label"],
    ]
    seg = seg.merge(segments[["review_id", "segment_no", "text"]], on=["review_id", "segment_no"])
    seg = seg.assign(_abs=seg["score"].abs()).sort_values(
        ["review_id", "_abs", "segment_no"], ascending=[True, False, True], kind="stable"
    )
    seg = seg.drop_duplicates("review_id")  # each review's most polar segment
    frame = pd.DataFrame(
        {
            "review_id": np.asarray(review_ids, dtype=object),
            "cluster": np.asarray(clusters),
            "distance": np.asarray(distances),
            "_row": np.arange(len(clusters)),
        }
    )
    top = frame.merge(seg, on="review_id").sort_values(["cluster", "distance", "_row"])
    top = top.groupby("cluster").head(n)
    out: dict[int, list[dict]] = {int(c): [] for c in uniq}
    for r in top.itertuples(index=False):
        out[int(r.cluster)].append(
            {
                "review_id": str(r.review_id),
                "segment_no": int(r.segment_no),
                "text": str(r.text),
                "score": float(r.score),
                "label": int(r.label),
            }
        )
    return out


def with_polarity(
    table: pd.DataFrame,
    clusters,
    review_ids,
    distances,
    *,
    polarity: pd.DataFrame | None,
    segment_scores: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    n_typical: int = 3,
    snippet_chars: int | None = None,
) -> pd.DataFrame:
    """``table`` (:func:`finegrained_table`) with the clusters' polarity inside their reviews:
    the columns of :func:`cluster_polarity` when ``polarity`` is given, and
    ``typical_segments`` (:func:`typical_segments`, texts cut to ``snippet_chars``) when the
    segment scores and the segments are given too. Without them, ``table`` unchanged."""
    if polarity is None:
        return table
    t = table.join(cluster_polarity(clusters, review_ids, polarity), on="cluster")
    if segment_scores is None or segments is None:
        return t
    typical = typical_segments(
        clusters, review_ids, distances, segment_scores, segments, n=n_typical
    )
    for entries in typical.values():
        for e in entries:
            e["text"] = e["text"][:snippet_chars]
    t["typical_segments"] = [typical.get(int(c), []) for c in t["cluster"]]
    return t


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
    weighting: str = "log_odds",
    name_terms: int = 2,
) -> pd.DataFrame:
    """One row per cluster in sentiment order: rank, cluster, name, grade, size, positive
    share, n_rated, mean rating, rating counts, distinctive terms, nearest review rows (and
    ids). ``grade`` is the sentiment-only name (:func:`name_clusters`), ``name`` adds the
    ``name_terms`` most distinctive terms (:func:`names_with_terms`).

    The terms, weighted by ``weighting`` ("log_odds" or "ctfidf"), come from ``counts`` and
    ``vocab`` when given (:func:`term_counts`, rows aligned with ``clusters``: see
    :func:`align_counts`; ``texts``, ``stop_words``, ``min_df`` and ``max_df`` are then
    unused), else from counting ``texts`` (space-joined tokens).
    """
    profile = cluster_profile(clusters, labels, ratings)
    order = order_clusters(profile)
    t = profile.loc[order].reset_index()
    t.insert(0, "rank", np.arange(len(t), dtype=np.int32))
    if counts is not None:
        if vocab is None:
            raise ValueError("counts given without their vocabulary")
        terms = terms_from_counts(counts, vocab, clusters, top_n=top_n, weighting=weighting)
    else:
        terms = distinctive_terms(
            texts,
            clusters,
            top_n=top_n,
            stop_words=stop_words,
            min_df=min_df,
            max_df=max_df,
            weighting=weighting,
        )
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
