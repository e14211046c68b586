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


def _train_scores(scores, review_labels, confidence: float, *, drop_zero: bool = False):
    """(scores, review labels) of the scored train segments; ValueError on bad input."""
    if not 0.5 < confidence < 1:
        raise ValueError(f"polarity.confidence must be in (0.5, 1), got {confidence}")
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(review_labels, dtype=np.float64)
    keep = np.isfinite(s) & ((s != 0) if drop_zero else True)
    s, y = s[keep], y[keep]
    if len(s) == 0 or len(np.unique(y)) < 2:
        raise ValueError(
            "fitting segment thresholds needs scored train-split segments from positive and "
            "negative reviews; keep both classes in the train split"
        )
    return s, y


def _isotonic_steps(x: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the distinct values of ``x``, the isotonic fit of ``target`` on ``x`` there, whether
    each value is on a solid step): a step of the fitted curve resting on fewer than
    MIN_STEP_SEGMENTS segments (or MIN_STEP_SHARE of them: the extremes of a small run) places
    no threshold."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(x, target)
    xs, n_at = np.unique(x, return_counts=True)
    share = iso.predict(xs)
    step = np.concatenate([[0], np.cumsum(np.diff(share) != 0)])
    support = np.bincount(step, weights=n_at)[step]
    return xs, share, support >= max(MIN_STEP_SEGMENTS, MIN_STEP_SHARE * len(x))


def _fit_info(t: Thresholds, s: np.ndarray, y: np.ndarray) -> dict:
    labels = t.label(s)
    return {
        "n_train_segments": int(len(s)),
        "train_positive_review_share": float(y.mean()),
        "train_label_shares": {
            "positive": float((labels == POSITIVE).mean()),
            "neutral": float((labels == NEUTRAL).mean()),
            "negative": float((labels == NEGATIVE).mean()),
        },
    }


def fit_thresholds(scores, review_labels, *, confidence: float) -> tuple[Thresholds, dict]:
    """Thresholds from train-split segments only: ``scores`` and the labels of the reviews the
    segments come from (pass train rows only; NaN scores are left out).

    An isotonic regression of the review label on the score estimates, for each score, the
    share of positive reviews among segments that score so; ``positive`` is the lowest score
    where it reaches ``confidence``, ``negative`` the highest where it is at most
    ``1 - confidence``, each on a solid step of the fitted curve (:func:`_isotonic_steps`).
    When the scores never get that sure on one side, that side's threshold is infinite (no
    segment gets that label).
    """
    s, y = _train_scores(scores, review_labels, confidence)
    xs, share, solid = _isotonic_steps(s, y)
    pos = xs[solid & (share >= confidence)]
    neg = xs[solid & (share <= 1 - confidence)]
    t = Thresholds(
        negative=float(neg.max()) if len(neg) else float("-inf"),
        positive=float(pos.min()) if len(pos) else float("inf"),
        confidence=confidence,
    )
    info = _fit_info(t, s, y) | {"midpoint": float(xs[np.argmin(np.abs(share - 0.5))])}
    return t, info


def fit_symmetric_thresholds(
    scores, review_labels, *, confidence: float
) -> tuple[Thresholds, dict]:
    """Thresholds ``-t`` and ``+t`` for a signed score whose sign is the segment's polarity
    (the polarity model's): from train-split segments only (``scores`` and their reviews'
    labels; NaN and 0 left out), an isotonic regression, on ``|score|``, of whether the score's
    sign agrees with the review's label; ``t`` is the lowest ``|score|`` where that agreement
    reaches ``confidence``, on a solid step (:func:`_isotonic_steps`); infinite where it never
    does (every segment neutral).

    A segment that carries no opinion agrees with its review about as often as not, whatever
    its score: it stays neutral even where its score (through the attention its context gives
    it) predicts the review's label."""
    s, y = _train_scores(scores, review_labels, confidence, drop_zero=True)
    xs, share, solid = _isotonic_steps(np.abs(s), ((s > 0) == (y > 0.5)).astype(np.float64))
    at = xs[solid & (share >= confidence)]
    t = float(at.min()) if len(at) else float("inf")
    th = Thresholds(negative=-t, positive=t, confidence=confidence)
    return th, _fit_info(th, s, y) | {"rule": "sign agrees with the review label (|score|)"}
