"""The whole ingest stage: read any accepted input, check it, apply the policies, summarize."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .aclimdb import read_aclimdb_dir, read_aclimdb_tar
from .contract import SPLITS, sort_reviews, validate_reviews
from .csvfile import read_csv_input
from .detect import FORMATS, detect_format, require_exists
from .errors import IngestError
from .parquet import read_parquet_input
from .policies import (
    apply_duplicate_policy,
    check_duplicate_policy,
    filter_splits,
    stratified_subsample,
)
from .summary import summarize

__all__ = ["ingest", "read_input"]


def read_input(path: str, fmt: str, *, seed: int, csv_test_fraction: float) -> pd.DataFrame:
    """Read ``path`` with the reader of ``fmt`` (one of :data:`FORMATS`, not ``auto``)."""
    if fmt == "parquet":
        return read_parquet_input(path)
    if fmt == "aclimdb":
        return read_aclimdb_dir(path)
    if fmt == "aclimdb_tar":
        return read_aclimdb_tar(path)
    return read_csv_input(path, test_fraction=csv_test_fraction, seed=seed)


def _resolve_format(path: str, fmt: str) -> str:
    """``fmt``, or the detected form of ``path`` for ``auto``; checks that ``path`` exists."""
    if fmt == "auto":
        return detect_format(path)
    if fmt not in FORMATS:
        raise IngestError(
            f"unknown input_format {fmt!r}. Fix: set `input_format` to auto or one of "
            f"{', '.join(FORMATS)}."
        )
    require_exists(path)
    return fmt


def ingest(
    path: str,
    *,
    fmt: str = "auto",
    splits: Sequence[str] = ("train", "test"),
    subsample: int | None = None,
    seed: int = 42,
    duplicate_texts: str = "keep",
    csv_test_fraction: float = 0.5,
) -> tuple[pd.DataFrame, dict]:
    """The whole ingest stage; returns (reviews frame in contract order, summary dict).

    Steps: detect the format (``fmt="auto"``) and read; :func:`validate_reviews`; sort into the
    contract order; :func:`apply_duplicate_policy`; :func:`filter_splits`;
    :func:`stratified_subsample` (``subsample`` rows, ``seed``); :func:`summarize`.
    """
    splits = [splits] if isinstance(splits, str) else list(splits)
    fmt = _resolve_format(path, fmt)
    check_duplicate_policy(duplicate_texts)  # fail before the (slow) read
    df = read_input(path, fmt, seed=seed, csv_test_fraction=csv_test_fraction)
    n_read = len(df)
    validate_reviews(df, source=str(path))
    df = sort_reviews(df)
    df, duplicates = apply_duplicate_policy(df, duplicate_texts)
    df = filter_splits(df, splits)
    df = stratified_subsample(df, subsample, seed)
    df = sort_reviews(df)
    extra: dict[str, Any] = {
        "n_read": int(n_read),
        "splits_kept": [s for s in SPLITS if s in splits],
        "subsample": subsample,
        "seed": seed,
    }
    if fmt == "csv":
        extra["csv_test_fraction"] = csv_test_fraction
    summary = summarize(df, source=str(path), fmt=fmt, duplicates=duplicates, extra=extra)
    return df, summary
