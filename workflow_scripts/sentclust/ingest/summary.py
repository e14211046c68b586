"""The JSON summary of the ingested reviews (``data/ingest_summary.json``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sentclust.files import package_versions

from .contract import ROW_ORDER, has_labels, splits_present
from .ratings import IMDB_POLICY, LabelPolicy

__all__ = ["length_stats", "summarize"]


def length_stats(values: np.ndarray) -> dict:
    """min/median/max of text lengths (None each when there are none)."""
    if not len(values):
        return {"min": None, "median": None, "max": None}
    median = float(np.median(values))
    return {
        "min": int(values.min()),
        "median": int(median) if median.is_integer() else median,
        "max": int(values.max()),
    }


def _counts_by_split(
    splits: np.ndarray,
    label: np.ndarray | None,
    rating: np.ndarray,
    known: np.ndarray,
    present: list,
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """(label counts, rating counts) per split; rating keys as strings, "null" for missing;
    ``label`` None (no labels): empty label counts."""
    per_label: dict[str, dict[str, int]] = {}
    per_rating: dict[str, dict[str, int]] = {}
    for s in present:
        in_split = splits == s
        per_label[s] = (
            {} if label is None else {str(v): int((in_split & (label == v)).sum()) for v in (0, 1)}
        )
        values, counts = np.unique(rating[in_split & known], return_counts=True)
        per_rating[s] = {str(int(v)): int(c) for v, c in zip(values, counts, strict=True)}
        n_null = int((in_split & ~known).sum())
        if n_null:
            per_rating[s]["null"] = n_null
    return per_label, per_rating


def summarize(
    df: pd.DataFrame,
    *,
    source: str,
    fmt: str,
    duplicates: dict,
    extra: dict | None = None,
    labels: str | None = None,
    label_policy: LabelPolicy = IMDB_POLICY,
) -> dict:
    """A JSON-able summary of the ingested reviews (``extra`` keys are added at the top level).

    Keys: ``source``, ``format``, ``n_reviews``, ``labels`` (where the labels come from:
    ``given``, ``from_ratings`` or ``none``; the ``labels`` argument, by default ``given`` when
    the label column has values and ``none`` when it is all null), ``counts_per_split``,
    ``counts_per_split_label`` (label keys "0"/"1"; empty per split without labels),
    ``counts_per_split_rating`` (rating keys as strings, "null" for
    missing), ``n_missing_rating``, ``rating_label_conflicts`` (known ratings that disagree with
    the label by ``label_policy``, by default label 1 with rating <= 4, or label 0 with rating
    >= 7; None without labels),
    ``ratings_consistent_with_labels`` (no conflicts; None without labels),
    ``text_length_chars`` (min/median/max characters overall and per split), ``duplicates``
    (the duplicate-policy info), ``row_order`` and ``package_versions``.
    """
    present = splits_present(df)
    labelled = has_labels(df)
    label = df["label"].to_numpy(dtype=np.int64) if labelled else None
    known = df["rating"].notna().to_numpy()
    r = df["rating"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    conflicts = int(label_policy.conflicts(label, df["rating"]).sum()) if labelled else None
    lengths = df["text"].str.len().to_numpy(dtype=np.int64)
    splits = df["split"].to_numpy()
    per_label, per_rating = _counts_by_split(splits, label, r, known, present)
    summary: dict[str, Any] = {
        "source": str(source),
        "format": fmt,
        "n_reviews": int(len(df)),
        "labels": labels or ("given" if labelled else "none"),
        "counts_per_split": {s: int((splits == s).sum()) for s in present},
        "counts_per_split_label": per_label,
        "counts_per_split_rating": per_rating,
        "n_missing_rating": int((~known).sum()),
        "rating_label_conflicts": conflicts,
        "ratings_consistent_with_labels": None if conflicts is None else conflicts == 0,
        "text_length_chars": {
            **length_stats(lengths),
            "by_split": {s: length_stats(lengths[splits == s]) for s in present},
        },
        "duplicates": dict(duplicates),
        "row_order": ROW_ORDER,
        "package_versions": package_versions(["pandas", "pyarrow", "numpy"]),
    }
    if extra:
        summary.update(extra)
    return summary
