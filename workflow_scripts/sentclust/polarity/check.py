"""Polarity inside reviews checked against what we did not make: the star ratings and the review
labels of the test split (the thresholds were fitted on the train split).

Expectations: a review rated near the middle of the run's scale (4 or 7 stars on IMDB's 1-10,
3 on 1-5) holds both polarities more often, and its segment scores spread wider, than one rated
at an end (1 or 10); and a segment's polarity mostly agrees with its review's label. The scale
is the run's (:func:`sentclust.finegrained.scale.run_scale`); without ratings the by-rating
parts are empty and their correlations null.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sentclust.finegrained.scale import RunScale
from sentclust.polarity.contract import NEGATIVE, NEUTRAL, POSITIVE


def _spearman(a, b) -> float | None:
    from scipy.stats import spearmanr

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    keep = np.isfinite(a) & np.isfinite(b)
    if keep.sum() < 3 or np.unique(a[keep]).size < 2 or np.unique(b[keep]).size < 2:
        return None
    return float(spearmanr(a[keep], b[keep]).statistic)


def by_rating(reviews: pd.DataFrame) -> pd.DataFrame:
    """Per star rating (rows of ``reviews`` with a rating): reviews, dual-polarity share, mean
    spread (standard deviation and range of segment scores), mean positive and negative
    segment shares. ``reviews`` holds :func:`sentclust.polarity.reviews.review_polarity`'s columns
    and ``rating``."""
    df = reviews[reviews["rating"].notna() & (reviews["n_scored"] > 0)]
    g = df.groupby(df["rating"].astype(int))
    out = pd.DataFrame(
        {
            "n": g.size(),
            "dual_polarity_share": g["dual_polarity"].mean(),
            "spread_std_mean": g["spread_std"].mean(),
            "spread_range_mean": g["spread_range"].mean(),
            "share_positive_mean": g["share_positive"].mean(),
            "share_negative_mean": g["share_negative"].mean(),
        }
    )
    out.index.name = "rating"
    return out.reset_index()


def rank_correlations(reviews: pd.DataFrame, curve: pd.DataFrame, middle: float | None) -> dict:
    """Spearman's rho of each review's distance from ``middle``, the middle of the run's
    scale (:attr:`RunScale.middle`), with its dual polarity and its spread (negative: more of
    both near the middle), and the same over the per-rating curve's points; None each
    without ratings (``middle`` None)."""
    df = reviews[reviews["rating"].notna() & (reviews["n_scored"] > 0)]
    if middle is None:
        df, curve, middle = df.iloc[:0], curve.iloc[:0], 0.0
    dist = (df["rating"].astype(float) - middle).abs()
    cdist = (curve["rating"].astype(float) - middle).abs()
    return {
        "reviews": {
            "dual_polarity": _spearman(dist, df["dual_polarity"].astype(float)),
            "spread_std": _spearman(dist, df["spread_std"]),
            "n": int(len(df)),
        },
        "ratings": {
            "dual_polarity_share": _spearman(cdist, curve["dual_polarity_share"]),
            "spread_std_mean": _spearman(cdist, curve["spread_std_mean"]),
            "n": int(len(curve)),
        },
    }


def segment_agreement(scores, labels, review_labels) -> dict:
    """How segment polarity agrees with the review's label (1 positive, 0 negative):
    among polar segments (label +1 or -1) the share on the review's side, and the shares of
    positive, neutral, negative and unscored (NaN score) segments."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    want = np.where(np.asarray(review_labels) == 1, POSITIVE, NEGATIVE)
    scored = np.isfinite(scores)
    polar = scored & (labels != NEUTRAL)
    n = max(len(scores), 1)
    return {
        "polar_agreement": float((labels[polar] == want[polar]).mean()) if polar.any() else None,
        "n_segments": int(len(scores)),
        "share_positive": float((scored & (labels == POSITIVE)).sum() / n),
        "share_neutral": float((scored & (labels == NEUTRAL)).sum() / n),
        "share_negative": float((scored & (labels == NEGATIVE)).sum() / n),
        "share_unscored": float((~scored).sum() / n),
    }


def cluster_free_headline(reviews: pd.DataFrame) -> dict:
    """Dual-polarity share, mean spread and segments per review over ``reviews``."""
    scored = reviews[reviews["n_scored"] > 0]
    return {
        "n_reviews": int(len(reviews)),
        "segments_per_review_mean": float(reviews["n_segments"].mean()) if len(reviews) else None,
        "segments_per_review_median": float(reviews["n_segments"].median())
        if len(reviews)
        else None,
        "dual_polarity_share": float(scored["dual_polarity"].mean()) if len(scored) else None,
        "spread_std_mean": float(scored["spread_std"].mean()) if len(scored) else None,
    }


def dual_examples(
    reviews: pd.DataFrame, segments: pd.DataFrame, *, n: int, max_segments: int = 8
) -> list[dict]:
    """Up to ``n`` dual-polarity reviews to show, each with its segments (text, score, label):
    the widest spread first among reviews of at most ``max_segments`` segments (they read
    well in a report), ties by review_id. No randomness."""
    if n <= 0:
        return []
    cand = reviews[reviews["dual_polarity"] & (reviews["n_segments"] <= max_segments)]
    cand = cand.sort_values(["spread_range", "review_id"], ascending=[False, True]).head(n)
    segs = segments[segments["review_id"].isin(cand["review_id"])]
    out = []
    for _, r in cand.iterrows():
        s = segs[segs["review_id"] == r["review_id"]].sort_values("segment_no")
        out.append(
            {
                "review_id": r["review_id"],
                "rating": None if pd.isna(r.get("rating")) else int(r["rating"]),
                "label": None if pd.isna(r.get("label")) else int(r["label"]),
                "segments": [
                    {
                        "text": t,
                        "score": None if not np.isfinite(sc) else float(sc),
                        "label": int(lab),
                    }
                    for t, sc, lab in zip(s["text"], s["score"], s["label"], strict=True)
                ],
            }
        )
    return out


def polarity_summary(
    reviews: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    scorer: str,
    thresholds: dict,
    agreement: dict,
    examples: int,
    scale: RunScale | None = None,
) -> dict:
    """The document of polarity/summary.json, on the run's rating ``scale`` (IMDB's 1-10 when
    None: a run from before scales).

    ``reviews``: per review polarity with ``split``, ``label``, ``rating``; ``segments``: the
    scored segments with their text; ``agreement``: per scorer, :func:`segment_agreement` on
    the test split. The by-rating curve and correlations are measured on the test split (the
    thresholds came from the train split), or on every review when there is no test split.
    """
    scale = scale or RunScale()
    test = reviews[reviews["split"] == "test"]
    checked = test if len(test) else reviews
    curve = by_rating(checked)
    return {
        **scale.as_dict(),
        "scorer": scorer,
        "thresholds": thresholds,
        "checked_on": "test" if len(test) else "all",
        "all": cluster_free_headline(reviews),
        "test": cluster_free_headline(test) if len(test) else None,
        "by_label": {
            str(lab): cluster_free_headline(checked[checked["label"] == lab]) for lab in (0, 1)
        },
        "by_rating": curve.to_dict(orient="records"),
        "rank_correlation": rank_correlations(checked, curve, scale.middle),
        "segment_agreement": agreement,
        "examples": dual_examples(checked, segments, n=examples),
    }
