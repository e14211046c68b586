"""The segment polarity inside each fine-grained level: how polar and how mixed its reviews are
inside (the means of polarity/reviews.parquet over the cluster's reviews), and its typical
polar segments (the most polar segment of each of the reviews nearest the cluster's centre).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def _segment_entry(r) -> dict:
    """A scored segment (a row with review_id, segment_no, text, score, label) as JSON."""
    return {
        "review_id": str(r.review_id),
        "segment_no": int(r.segment_no),
        "text": str(r.text),
        "score": float(r.score),
        "label": int(r.label),
    }


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
        out[int(r.cluster)].append(_segment_entry(r))
    return out


def opinion_segments(
    clusters,
    review_ids,
    segment_scores: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    n: int,
    min_words: int,
) -> dict[int, dict[str, list[dict]]]:
    """Per cluster its opinion summary: ``praised``, the ``n`` most positive segments of its
    reviews, and ``panned``, the ``n`` most negative (labelled so, at most one per review,
    ties by review and segment order), as {review_id, segment_no, text, score, label}: what
    the level's reviewers praise and pan. Segments of fewer than ``min_words`` words ("Why?",
    "Wow.") are left out: they carry a sign but say nothing of what is praised."""
    frame = pd.DataFrame(
        {"review_id": np.asarray(review_ids, dtype=object), "cluster": np.asarray(clusters)}
    )
    out: dict[int, dict[str, list[dict]]] = {
        int(c): {"praised": [], "panned": []} for c in np.unique(frame["cluster"])
    }
    if n <= 0:
        return out
    seg = segment_scores[["review_id", "segment_no", "score", "label"]]
    seg = seg[np.isfinite(seg["score"].astype(float)) & (seg["label"] != 0)]
    seg = seg.merge(frame, on="review_id").merge(
        segments[["review_id", "segment_no", "text"]], on=["review_id", "segment_no"]
    )
    seg = seg[seg["text"].str.count(r"\w+") >= min_words]  # words, not punctuation
    for side, label, ascending in (("praised", 1, False), ("panned", -1, True)):
        part = seg[seg["label"] == label].sort_values(
            ["score", "review_id", "segment_no"], ascending=[ascending, True, True], kind="stable"
        )
        part = part.drop_duplicates("review_id").groupby("cluster").head(n)
        part = part.sort_values("score", ascending=ascending, kind="stable")
        for r in part.itertuples(index=False):
            out[int(r.cluster)][side].append(_segment_entry(r))
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
    n_typical: int,
    opinion_min_words: int,
    snippet_chars: int | None = None,
) -> pd.DataFrame:
    """``table`` (:func:`sentclust.finegrained.levels.finegrained_table`) with the clusters'
    polarity inside their reviews: the columns of :func:`cluster_polarity` when ``polarity`` is
    given, and ``typical_segments`` (:func:`typical_segments`, ``n_typical`` per cluster, texts
    cut to ``snippet_chars``) when the segment scores and the segments are given too. Without
    them, ``table`` unchanged."""
    if polarity is None:
        return table
    t = table.join(cluster_polarity(clusters, review_ids, polarity), on="cluster")
    if segment_scores is None or segments is None:
        return t
    typical = typical_segments(
        clusters, review_ids, distances, segment_scores, segments, n=n_typical
    )
    opinions = opinion_segments(
        clusters, review_ids, segment_scores, segments, n=n_typical, min_words=opinion_min_words
    )
    for entries in [*typical.values(), *(e for o in opinions.values() for e in o.values())]:
        for e in entries:
            e["text"] = e["text"][:snippet_chars]
    t["typical_segments"] = [typical.get(int(c), []) for c in t["cluster"]]
    for side in ("praised", "panned"):
        t[f"{side}_segments"] = [opinions.get(int(c), {}).get(side, []) for c in t["cluster"]]
    return t
