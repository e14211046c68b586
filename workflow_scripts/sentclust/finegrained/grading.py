"""Which levels get a sentiment grade: only those whose labels set them apart from the corpus.

A clustering of general sentence embeddings groups reviews by what they are about (war films,
TV series, horror) more than by how they judge it, and a topic's reviews lean one way or the
other: on the full IMDB run the unsupervised BERT kind's cluster of war and foreign films is
0.65 positive, and naming it "positive: japanese, war" placed "One of the best films I have
ever seen." there for its topic, not its praise. So a level is graded only by this rule:

    its positive share's Wilson 95% interval lies wholly above the *positive threshold* or
    wholly below the *negative threshold*;

the thresholds are the shares whose odds are ``R`` times (or ``1/R`` times) the corpus's own
odds of a positive review, ``R = grade_share / (1 - grade_share)`` (config
``finegrained.grade_share``, 0.7 by default: in a balanced corpus the thresholds are 0.7 and
0.3, a level must hold reliably more than 7 positive reviews in 10, or fewer than 3; in a
corpus 80% positive they are 0.90 and 0.63). Every other level is a *topic*: named by its
distinctive terms, its lean shown as numbers (the positive share and its interval, the mean
rating and its interval).

Why 0.7. A topic's lean comes from what it is about, and the star ratings (which the rule does
not use) tell a topic from a judgement: measured on the demo sample (2,000 IMDB reviews, corpus
mean rating 5.5; every kind at its chosen k and at k = 2, 3, 5: 52 levels), at 0.7 the 28
graded levels' mean ratings all lie at least 1.72 stars from the corpus mean and the 24 topics'
at most 1.43 (topic shares 0.30-0.74); no level of the unsupervised BERT kind is graded (its
levels lean 0.33-0.65, the "very positive: episode, tv" of before is 0.65). At 0.6 the gap
closes (graded 1.07, topics 1.03) and a BERT topic is graded; at 0.75-0.8 levels that lean as
clearly as the graded ones become topics. The full run's 0.65 war-and-foreign-films cluster
(its size is not recorded here; at 2,000 reviews its interval would be about 0.63-0.67) stays
a topic with room to spare. With
the interval a small level needs more than a high share: 8 positive of 10 (0.49-0.94) is not
graded. Each run checks the rule again against its own ratings
(:func:`sentclust.finegrained.check.grading_check`: graded levels farther from the corpus mean
rating than every topic; ``graded_mean_rating_increasing``), and the report shows it.
"""

from __future__ import annotations

import numpy as np

#: the normal quantile of the two-sided 95% intervals
Z95 = 1.959963984540054


def wilson_interval(positive, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``positive`` successes in ``n`` trials (arrays); NaN for
    ``n`` = 0."""
    k = np.asarray(positive, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = centre - half, centre + half
    empty = n <= 0
    lo[empty], hi[empty] = np.nan, np.nan
    return np.clip(lo, 0, 1), np.clip(hi, 0, 1)


def mean_interval(mean, sd, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """A normal 95% interval of a mean (``mean`` +- z sd / sqrt(n)); NaN where ``n`` < 2."""
    mean = np.asarray(mean, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = z * np.asarray(sd, dtype=np.float64) / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def thresholds(corpus_share: float, grade_share: float) -> tuple[float, float] | None:
    """(negative threshold, positive threshold): the shares whose odds are ``1/R`` and ``R``
    times the corpus odds, ``R = grade_share / (1 - grade_share)``; None when the corpus holds
    one label only (or none: ``corpus_share`` NaN), so no level can stand apart."""
    if not 0.5 < grade_share < 1:
        raise ValueError(f"finegrained.grade_share={grade_share}: must be in (0.5, 1)")
    if not np.isfinite(corpus_share) or not 0 < corpus_share < 1:
        return None
    ratio = grade_share / (1 - grade_share)
    odds = corpus_share / (1 - corpus_share)
    return odds / ratio / (1 + odds / ratio), odds * ratio / (1 + odds * ratio)


def grade_sides(
    positive, n_labelled, *, corpus_share: float, grade_share: float
) -> tuple[list[str | None], np.ndarray, np.ndarray]:
    """(each level's side: "positive", "negative" or None for a topic; the Wilson interval's
    low and high ends). ``positive`` and ``n_labelled``: per level, its positive reviews and
    its labelled reviews; the rule is this module's."""
    lo, hi = wilson_interval(positive, n_labelled)
    cut = thresholds(corpus_share, grade_share)
    if cut is None:
        return [None] * len(lo), lo, hi
    neg_cut, pos_cut = cut
    sides = [
        "positive" if a > pos_cut else "negative" if b < neg_cut else None
        for a, b in zip(lo, hi, strict=True)
    ]
    return sides, lo, hi


def rule_record(corpus_share: float, grade_share: float, n_labelled: int) -> dict:
    """The rule's numbers as finegrained.json records them."""
    cut = thresholds(corpus_share, grade_share)
    finite = bool(np.isfinite(corpus_share))
    return {
        "rule": "graded when the Wilson 95% interval of the level's positive share lies wholly "
        "above the positive threshold or below the negative one (shares whose odds are "
        "grade_share/(1-grade_share) times, or that many times less than, the corpus odds); "
        "otherwise a topic named by its terms",
        "confidence": 0.95,
        "grade_share": grade_share,
        "corpus_positive_share": float(corpus_share) if finite else None,
        "n_labelled": int(n_labelled),
        "negative_threshold": None if cut is None else float(cut[0]),
        "positive_threshold": None if cut is None else float(cut[1]),
    }
