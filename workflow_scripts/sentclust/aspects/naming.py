"""Naming the aspects: each aspect's distinctive terms by the levels' weighted log-odds
(:func:`sentclust.finegrained.weights.distinctive_terms` on the segments' prepared tokens), its
most typical segments (nearest its centre) and its polar share (the segments labelled + or -;
an aspect of mostly neutral segments is kept, marked by a low share)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sentclust.finegrained.weights import distinctive_terms


def aspect_terms(
    tokens: Sequence[str],
    aspects,
    *,
    top_n: int,
    stop_words: Sequence[str],
    min_df: int,
    weighting: str = "log_odds",
) -> dict[int, list[str]]:
    """Each aspect's ``top_n`` most distinctive terms of the segments' space-joined ``tokens``."""
    return distinctive_terms(
        tokens, aspects, top_n=top_n, stop_words=stop_words, min_df=min_df, weighting=weighting
    )


def typical_segments(x, aspects, centres, *, n: int) -> dict[int, list[int]]:
    """Each aspect's ``n`` rows of ``x`` nearest its centre (row numbers, nearest first; ties
    by row)."""
    x = np.asarray(x, dtype=np.float64)
    aspects = np.asarray(aspects)
    out = {}
    for a in range(len(centres)):
        rows = np.flatnonzero(aspects == a)
        d = ((x[rows] - np.asarray(centres[a], dtype=np.float64)) ** 2).sum(axis=1)
        out[a] = [int(r) for r in rows[np.lexsort((rows, d))][:n]]
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
