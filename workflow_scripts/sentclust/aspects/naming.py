"""Naming the aspects: each aspect's distinctive terms by the levels' weighted log-odds
(:func:`sentclust.finegrained.weights.terms_from_counts` of the segments' term counts), its
most typical segments (nearest its centre) and its polar share (the segments labelled + or -;
an aspect of mostly neutral segments is kept, marked by a low share)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sentclust.finegrained.weights import terms_from_counts


def aspect_terms(counts, vocab, aspects, *, top_n: int, weighting: str = "log_odds"):
    """Each aspect's ``top_n`` most distinctive terms of the segments' count matrix
    (:func:`sentclust.finegrained.counts.term_counts` of their prepared tokens)."""
    return terms_from_counts(counts, vocab, np.asarray(aspects), top_n=top_n, weighting=weighting)


def typical_segments(distance, aspects, k: int, *, n: int) -> dict[int, list[int]]:
    """Each aspect's ``n`` rows nearest its centre (``distance``: each row's distance to its
    own aspect's centre), as row numbers, nearest first, ties by row."""
    distance = np.asarray(distance, dtype=np.float64)
    aspects = np.asarray(aspects)
    out = {}
    for a in range(k):
        rows = np.flatnonzero(aspects == a)
        out[a] = [int(r) for r in rows[np.lexsort((rows, distance[rows]))][:n]]
    return out


def aspect_name(terms: Sequence[str], n: int = 2) -> str:
    """An aspect's name: its first ``n`` terms joined by " / " ("aspect" when it has none)."""
    return " / ".join(terms[:n]) if terms else "aspect"


def polar_share(aspects, labels, k: int) -> np.ndarray:
    """Per aspect, the share of its segments labelled positive or negative (NaN if empty;
    ``labels``: the segments' +1 / 0 / -1)."""
    aspects = np.asarray(aspects)
    polar = np.asarray(labels) != 0
    size = np.bincount(aspects, minlength=k).astype(float)
    hits = np.bincount(aspects, weights=polar.astype(float), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size > 0, hits / size, np.nan)
