"""Policies on the reviews: duplicate texts (keep/drop), split filter, subsample, and the
seeded train/test split of an input that has none."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .contract import SPLITS, row_key, splits_present
from .errors import IngestError

__all__ = [
    "DUPLICATE_POLICIES",
    "apply_duplicate_policy",
    "check_duplicate_policy",
    "filter_splits",
    "find_duplicate_texts",
    "seeded_split",
    "stratified_subsample",
]

#: Policies for reviews whose exact text occurs more than once.
DUPLICATE_POLICIES: tuple[str, ...] = ("keep", "drop")


def check_duplicate_policy(policy: str) -> None:
    """:class:`IngestError` unless ``policy`` is one of :data:`DUPLICATE_POLICIES`."""
    if policy not in DUPLICATE_POLICIES:
        raise IngestError(
            f"unknown duplicate_texts policy {policy!r}. Fix: set `ingest.duplicate_texts` in "
            f"the config to one of {', '.join(DUPLICATE_POLICIES)}."
        )


def find_duplicate_texts(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose exact text already appeared earlier in row order, with that first occurrence.

    Columns: ``row`` (0-based position), ``review_id``, ``split``, ``label``, then ``first_row``,
    ``first_review_id``, ``first_split``, ``first_label`` of the text's first occurrence. Its
    length is the number of rows minus the number of distinct texts.
    """
    n = len(df)
    codes, _ = pd.factorize(df["text"], use_na_sentinel=False)
    _, first_index = np.unique(codes, return_index=True)
    first = first_index[codes] if n else np.zeros(0, dtype=np.int64)
    rows = np.flatnonzero(first != np.arange(n))
    firsts = first[rows]
    ids = df["review_id"].to_numpy()
    splits = df["split"].to_numpy()
    labels = df["label"].to_numpy()
    return pd.DataFrame(
        {
            "row": rows.astype(np.int64),
            "review_id": pd.Series(ids[rows], dtype="str"),
            "split": pd.Series(splits[rows], dtype="str"),
            "label": labels[rows],
            "first_row": firsts.astype(np.int64),
            "first_review_id": pd.Series(ids[firsts], dtype="str"),
            "first_split": pd.Series(splits[firsts], dtype="str"),
            "first_label": labels[firsts],
        }
    )


def apply_duplicate_policy(df: pd.DataFrame, policy: str) -> tuple[pd.DataFrame, dict]:
    """Apply the duplicate-text policy ``keep`` (report only) or ``drop``.

    ``drop`` removes every row whose exact text already appeared earlier in row order, so on a
    frame in the contract order it removes within-split repeats and test rows that repeat a
    train text. The info dict holds ``policy``, ``duplicate_text_rows`` (rows minus distinct
    texts), ``cross_split_duplicate_rows`` (repeats whose first occurrence is in another split)
    and ``dropped``.
    """
    check_duplicate_policy(policy)
    dups = find_duplicate_texts(df)
    info = {
        "policy": policy,
        "duplicate_text_rows": int(len(dups)),
        "cross_split_duplicate_rows": int((dups["split"] != dups["first_split"]).sum()),
        "dropped": 0,
    }
    if policy == "drop" and len(dups):
        keep = np.ones(len(df), dtype=bool)
        keep[dups["row"].to_numpy()] = False
        df = df.iloc[np.flatnonzero(keep)].reset_index(drop=True)
        info["dropped"] = int(len(dups))
    return df, info


def filter_splits(df: pd.DataFrame, splits: Sequence[str]) -> pd.DataFrame:
    """Keep the rows of the listed splits (a subset of train/test, each present in ``df``)."""
    wanted = [splits] if isinstance(splits, str) else list(splits)
    if not wanted:
        raise IngestError(
            f"no split requested. Fix: set `ingest.splits` to a non-empty subset of {list(SPLITS)}."
        )
    unknown = [s for s in wanted if s not in SPLITS]
    if unknown:
        raise IngestError(
            f"unknown split name(s) {', '.join(map(repr, unknown))}. Fix: set `ingest.splits` "
            f"to a subset of {list(SPLITS)}."
        )
    present = splits_present(df)
    absent = [s for s in wanted if s not in present]
    if absent:
        raise IngestError(
            f"split(s) {', '.join(absent)} requested in `ingest.splits` but the input holds "
            f"only: {', '.join(present) or 'no rows'}. Fix: set `ingest.splits` to "
            f"{present} or use an input with those splits."
        )
    if set(wanted) >= set(present):
        return df.reset_index(drop=True)
    return df[df["split"].isin(wanted).to_numpy()].reset_index(drop=True)


def seeded_split(n: int, label: np.ndarray | None, test_fraction: float, seed: int) -> np.ndarray:
    """``train``/``test`` for each of ``n`` rows of an input without a split (config
    ``ingest.csv_test_fraction`` and ``seed``): per label (0, then 1),
    ``round(test_fraction * n_label)`` rows drawn with ``numpy.random.default_rng(seed)``
    become ``test``, i.e. label-stratified; ``label`` None (no labels): one stratum of all
    rows, a seeded random split."""
    if (
        isinstance(test_fraction, bool)
        or not isinstance(test_fraction, int | float)
        or not (0 < float(test_fraction) < 1)
    ):
        raise IngestError(
            f"csv_test_fraction {test_fraction!r} must be a number strictly between 0 and 1. "
            f"Fix: set `ingest.csv_test_fraction` in the config (0.5 splits the input in halves)."
        )
    rng = np.random.default_rng(seed)
    strata = [np.arange(n)] if label is None else [np.flatnonzero(label == v) for v in (0, 1)]
    split = np.full(n, "train", dtype=object)
    for members in strata:
        k = int(np.floor(float(test_fraction) * len(members) + 0.5))
        if k:
            split[rng.choice(members, size=k, replace=False)] = "test"
    return split


def _quotas(counts: np.ndarray, n: int, total: int) -> np.ndarray:
    """Rows per stratum: proportional, largest remainders first (ties: the earlier stratum)."""
    quota = (n * counts) // total
    remainder = (n * counts) % total
    short = n - int(quota.sum())
    if short:
        by_remainder = np.lexsort((np.arange(len(counts)), -remainder))
        quota[by_remainder[:short]] += 1
    return quota


def stratified_subsample(df: pd.DataFrame, n: int | None, seed: int) -> pd.DataFrame:
    """A seeded sample of exactly ``n`` rows, stratified by (split, label, rating).

    A missing rating is a stratum of its own (a corpus without labels: strata by split and
    rating). Stratum sizes are allocated in proportion to the
    strata by the largest-remainder method (ties go to the earlier stratum in (split, label,
    rating) order); rows of each stratum are drawn without replacement with one
    ``numpy.random.default_rng(seed)`` visiting the strata in that order. The result keeps the
    original row order. ``n=None`` returns ``df`` unchanged.
    """
    if n is None:
        return df
    total = len(df)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= total:
        raise IngestError(
            f"subsample size {n!r} must be a whole number from 1 to the number of reviews "
            f"({total}). Fix: set `ingest.subsample` to such a number, or null to keep all."
        )
    # ratings 0-100 as 1-101, 0 = null
    rating = (df["rating"].astype("Int64") + 1).fillna(0).to_numpy(dtype=np.int64)
    key = row_key(df["split"], df["label"]) * 102 + rating
    strata, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    quota = _quotas(counts, int(n), total)
    rng = np.random.default_rng(seed)
    members_by_stratum = np.argsort(inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    chosen = []
    for s in range(len(strata)):
        if quota[s]:
            members = members_by_stratum[bounds[s] : bounds[s + 1]]
            chosen.append(rng.choice(members, size=int(quota[s]), replace=False))
    picked = np.sort(np.concatenate(chosen))
    return df.iloc[picked].reset_index(drop=True)
