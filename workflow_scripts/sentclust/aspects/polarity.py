"""Segment polarity per aspect: the segment labels (+1 / 0 / -1 of ``polarity/segment_scores``)
joined to the aspect of each segment; per aspect its counts, positive and negative shares,
net polarity and the Spearman rho of a review's net polarity on that aspect with its star
rating; per fine-grained level x aspect the net polarity with its counts (drawn by
:mod:`sentclust.aspects.figure`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["review_id", "segment_no"]


def join_labels(aspects: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """``aspects`` (review_id, segment_no, aspect) with each segment's polarity ``label`` and
    ``score`` from ``scores``; ValueError naming the count when some segments have no score."""
    out = aspects.merge(scores[[*KEYS, "label", "score"]], on=KEYS, how="left", validate="1:1")
    missing = int(out["label"].isna().sum())
    if missing:
        raise ValueError(
            f"{missing} of {len(out)} segments have an aspect but no polarity score: the "
            "aspects and polarity/segment_scores.parquet come from other segments; rerun both"
        )
    out["label"] = out["label"].astype(np.int8)
    return out


def _counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts of +, 0 and - segments grouped ``by``, with the shares and the net polarity."""
    g = frame.assign(
        positive=(frame["label"] > 0).astype(int),
        neutral=(frame["label"] == 0).astype(int),
        negative=(frame["label"] < 0).astype(int),
    ).groupby(by, sort=True)
    t = g[["positive", "neutral", "negative"]].sum()
    t.insert(0, "n", t.sum(axis=1))
    t["positive_share"] = t["positive"] / t["n"]
    t["negative_share"] = t["negative"] / t["n"]
    t["polar_share"] = t["positive_share"] + t["negative_share"]
    t["net"] = (t["positive"] - t["negative"]) / t["n"]
    return t.reset_index()


def review_net(frame: pd.DataFrame) -> pd.DataFrame:
    """Per (review, aspect): the net polarity (positives - negatives) / segments."""
    return _counts(frame, ["review_id", "aspect"])[["review_id", "aspect", "n", "net"]]


def rating_rho(frame: pd.DataFrame, ratings: pd.Series, k: int) -> list[float | None]:
    """Per aspect, Spearman's rho of its reviews' net polarity on it with their star rating
    (``ratings``: indexed by review_id; None where fewer than 3 rated reviews or no spread)."""
    from scipy.stats import spearmanr

    net = review_net(frame)
    net["rating"] = net["review_id"].map(ratings).astype(float)
    out: list[float | None] = []
    for a in range(k):
        s = net[(net["aspect"] == a) & net["rating"].notna()]
        if len(s) < 3 or s["net"].nunique() < 2 or s["rating"].nunique() < 2:
            out.append(None)
            continue
        out.append(float(spearmanr(s["net"], s["rating"]).statistic))
    return out


def aspect_table(frame: pd.DataFrame, k: int, ratings: pd.Series | None = None) -> pd.DataFrame:
    """One row per aspect 0..k-1: n, positive, neutral, negative, the shares, net and
    ``rating_rho`` (None without ratings)."""
    t = _counts(frame, ["aspect"]).set_index("aspect").reindex(range(k))
    t["n"] = t["n"].fillna(0).astype(int)
    has = ratings is not None and pd.Series(ratings).notna().any()
    t["rating_rho"] = rating_rho(frame, ratings, k) if has else [None] * k
    return t.rename_axis("aspect").reset_index()


def level_table(frame: pd.DataFrame, levels: pd.Series) -> pd.DataFrame:
    """Per fine-grained level x aspect (``levels``: each review's level, indexed by
    review_id): n, the counts, shares and net polarity."""
    lv = frame.assign(level=frame["review_id"].map(levels))
    if lv["level"].isna().any():
        raise ValueError(
            f"{int(lv['level'].isna().sum())} segments belong to reviews without a level in "
            "the fine-grained assignments: they come from another run; rerun the aspects"
        )
    lv["level"] = lv["level"].astype(int)
    return _counts(lv, ["level", "aspect"])
