"""The positive / neutral / negative thresholds of a segment score, fitted on the train split.

Scores are not probabilities that a *segment* is positive (IMDB labels whole reviews). The
thresholds say how sure one may be: an isotonic regression of the review label on the segment
score over train-split segments gives the share of positive reviews among segments of that
score; a segment is positive where that share reaches ``confidence``, negative where it is at
most ``1 - confidence``, neutral between. Test rows never enter the fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sentclust.polarity.contract import NEGATIVE, NEUTRAL, POSITIVE

#: a step of the isotonic fit places a threshold only when it holds at least this many
#: train segments, and this share of them
MIN_STEP_SEGMENTS, MIN_STEP_SHARE = 10, 0.001


@dataclass
class Thresholds:
    """Segment labels from a score: positive at or above ``positive``, negative at or below
    ``negative``, neutral between."""

    negative: float
    positive: float
    confidence: float

    def label(self, scores) -> np.ndarray:
        s = np.asarray(scores, dtype=np.float64)
        out = np.zeros(len(s), dtype=np.int8)
        out[s >= self.positive] = POSITIVE
        out[s <= self.negative] = NEGATIVE
        return out  # NaN compares False: neutral, and excluded by the caller

    def to_dict(self) -> dict:
        """JSON-safe: an infinite threshold (that label never given) is None."""
        return {
            "negative": self.negative if np.isfinite(self.negative) else None,
            "positive": self.positive if np.isfinite(self.positive) else None,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Thresholds:
        neg, posi = d["negative"], d["positive"]
        return cls(
            negative=float("-inf") if neg is None else float(neg),
            positive=float("inf") if posi is None else float(posi),
            confidence=float(d["confidence"]),
        )


def fit_thresholds(scores, review_labels, *, confidence: float) -> tuple[Thresholds, dict]:
    """Thresholds from train-split segments only: ``scores`` and the labels of the reviews the
    segments come from (pass train rows only; NaN scores are left out).

    An isotonic regression of the review label on the score estimates, for each score, the
    share of positive reviews among segments that score so; ``positive`` is the lowest score
    where it reaches ``confidence``, ``negative`` the highest where it is at most
    ``1 - confidence``; a step of the fitted curve that rests on fewer than
    ``MIN_STEP_SEGMENTS`` segments (or ``MIN_STEP_SHARE`` of them) places no threshold. When the
    scores never get that sure on one side, that side's threshold is infinite (no segment gets
    that label).
    """
    from sklearn.isotonic import IsotonicRegression

    if not 0.5 < confidence < 1:
        raise ValueError(f"polarity.confidence must be in (0.5, 1), got {confidence}")
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(review_labels, dtype=np.float64)
    keep = np.isfinite(s)
    s, y = s[keep], y[keep]
    if len(s) == 0 or len(np.unique(y)) < 2:
        raise ValueError(
            "fitting segment thresholds needs scored train-split segments from positive and "
            "negative reviews; keep both classes in the train split"
        )
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(s, y)
    xs, n_at = np.unique(s, return_counts=True)
    share = iso.predict(xs)
    # a step of the fitted curve resting on a handful of segments (the extremes of a small run)
    # places no threshold
    step = np.concatenate([[0], np.cumsum(np.diff(share) != 0)])
    support = np.bincount(step, weights=n_at)[step]
    solid = support >= max(MIN_STEP_SEGMENTS, MIN_STEP_SHARE * len(s))
    pos = xs[solid & (share >= confidence)]
    neg = xs[solid & (share <= 1 - confidence)]
    t = Thresholds(
        negative=float(neg.max()) if len(neg) else float("-inf"),
        positive=float(pos.min()) if len(pos) else float("inf"),
        confidence=confidence,
    )
    labels = t.label(s)
    info = {
        "n_train_segments": int(len(s)),
        "train_positive_review_share": float(y.mean()),
        "train_label_shares": {
            "positive": float((labels == POSITIVE).mean()),
            "neutral": float((labels == NEUTRAL).mean()),
            "negative": float((labels == NEGATIVE).mean()),
        },
        "midpoint": float(xs[np.argmin(np.abs(share - 0.5))]),
    }
    return t, info
