"""The whole ingest stage: read any accepted input, check it, apply the policies, summarize."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from .aclimdb import read_aclimdb_dir, read_aclimdb_tar
from .checks import (
    check_archive_sha256,
    check_markup_only,
    check_rating_conflicts,
    check_rating_policy,
    check_review_sizes,
    check_train_classes,
    check_url_only,
    review_place,
)
from .columns import check_mapping, check_mapping_applies
from .contract import MAX_REVIEW_BYTES, SPLITS, sort_reviews, validate_reviews
from .csvfile import read_csv_input
from .detect import FORMATS, detect_format, require_exists
from .errors import IngestError
from .jsonl import read_jsonl_input
from .limits import MAX_ARCHIVE_MEMBERS, MAX_TOTAL_BYTES, check_cap_setting
from .parquet import read_parquet_input
from .policies import (
    apply_duplicate_policy,
    check_duplicate_policy,
    filter_splits,
    stratified_subsample,
)
from .ratings import LabelSource, resolve_labels
from .summary import summarize

__all__ = ["ingest", "read_input"]

#: the library's defaults of the caps (the config schema's)
_CAP_DEFAULTS = {
    "max_review_bytes": MAX_REVIEW_BYTES,
    "max_total_bytes": MAX_TOTAL_BYTES,
    "max_archive_members": MAX_ARCHIVE_MEMBERS,
}


def read_input(
    path: str,
    fmt: str,
    *,
    seed: int,
    csv_test_fraction: float,
    max_review_bytes: int = MAX_REVIEW_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_archive_members: int = MAX_ARCHIVE_MEMBERS,
    columns: dict[str, str] | None = None,
    csv_separator: str | None = None,
) -> pd.DataFrame:
    """Read ``path`` with the reader of ``fmt`` (one of :data:`FORMATS`, not ``auto``), within
    the caps of :mod:`.limits`; ``columns`` (``ingest.columns``) renames the fields of a
    Parquet, CSV or JSON Lines input, ``csv_separator`` (``ingest.csv_separator``) splits a
    CSV (None: sniffed)."""
    columns = check_mapping(columns)
    check_mapping_applies(columns, fmt)
    sizes = {"max_review_bytes": max_review_bytes, "max_total_bytes": max_total_bytes}
    split = {"test_fraction": csv_test_fraction, "seed": seed}
    if fmt == "parquet":
        return read_parquet_input(path, **sizes, **split, columns=columns)
    if fmt == "aclimdb":
        return read_aclimdb_dir(path, **sizes)
    if fmt == "aclimdb_tar":
        return read_aclimdb_tar(path, **sizes, max_archive_members=max_archive_members)
    if fmt == "jsonl":
        return read_jsonl_input(path, **split, **sizes, columns=columns)
    return read_csv_input(
        path, **split, max_total_bytes=max_total_bytes, columns=columns, separator=csv_separator
    )


def _caps(max_review_bytes: int, max_total_bytes: int, max_archive_members: int) -> dict:
    """The caps of :mod:`.limits` by their config keys."""
    return dict(
        zip(_CAP_DEFAULTS, (max_review_bytes, max_total_bytes, max_archive_members), strict=True)
    )


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


def _check_settings(duplicate_texts: str, rating_conflicts: str, caps: dict[str, int]) -> None:
    """The policies and the caps, checked before the (slow) read."""
    check_duplicate_policy(duplicate_texts)
    check_rating_policy(rating_conflicts)
    for key, value in caps.items():
        check_cap_setting(key, value, _CAP_DEFAULTS[key])


def _check_reviews(
    df: pd.DataFrame,
    at: Callable[[int], str],
    caps: dict[str, int],
    rating_conflicts: str,
    source: LabelSource,
) -> int:
    """The checks of :mod:`.checks` on the sorted reviews; the number of rating conflicts
    (by the label policy; none when the labels come from the ratings)."""
    check_review_sizes(df, at, caps["max_review_bytes"])
    check_markup_only(df, at)
    check_url_only(df, at)
    if source.policy is None or source.labels != "given":
        return 0
    return check_rating_conflicts(df, at, rating_conflicts, source.policy)


def ingest(
    path: str,
    *,
    fmt: str,
    splits: Sequence[str],
    subsample: int | None,
    seed: int,
    duplicate_texts: str,
    csv_test_fraction: float,
    rating_conflicts: str,
    max_review_bytes: int,
    max_total_bytes: int,
    max_archive_members: int,
    rating_scale: list[int] | None,
    labels_from_ratings: dict | None,
    sha256: str | None = None,
    columns: dict[str, str] | None = None,
    csv_separator: str | None = None,
    expect_labels: str | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The whole ingest stage (rule ingest): (reviews in contract order, summary dict). Every
    setting is the config's (``input_format``, ``ingest.*``, ``seed``; defaults in the schema);
    ``sha256``: a local archive's checksum; ``expect_labels``: what the DAG was planned for
    (:func:`~.peek.input_labels`), checked against what was read.

    Steps: format; archive checksum; read; :func:`validate_reviews`; the rating scale and the
    labels (:func:`~.ratings.resolve_labels`); contract order; the checks of :mod:`.checks`
    (rating conflicts by the label policy); duplicates; splits; subsample; :func:`summarize`.
    """
    splits = [splits] if isinstance(splits, str) else list(splits)
    fmt = _resolve_format(path, fmt)
    caps = _caps(max_review_bytes, max_total_bytes, max_archive_members)
    _check_settings(duplicate_texts, rating_conflicts, caps)
    if fmt == "aclimdb_tar":
        check_archive_sha256(path, sha256)
    fields = {"columns": columns, "csv_separator": csv_separator}
    df = read_input(path, fmt, seed=seed, csv_test_fraction=csv_test_fraction, **caps, **fields)
    n_read = len(df)
    labelling = (rating_scale, labels_from_ratings, expect_labels)
    df, source = _validated_and_labelled(df, str(path), fmt, labelling)
    at = review_place(df, str(path), fmt)
    n_conflicts = _check_reviews(df, at, caps, rating_conflicts, source)
    df, duplicates = _apply_policies(df, duplicate_texts, splits, subsample, seed)
    extra: dict[str, Any] = {
        **source.summary(),
        "n_read": int(n_read),
        "splits_kept": [s for s in SPLITS if s in splits],
        "subsample": subsample,
        "seed": seed,
        "rating_conflicts": {"policy": rating_conflicts, "read": n_conflicts},
    }
    if fmt in ("csv", "jsonl"):
        extra["csv_test_fraction"] = csv_test_fraction
    return df, _summarize(df, str(path), fmt, duplicates, extra, source)


def _apply_policies(
    df: pd.DataFrame, duplicate_texts: str, splits: list[str], subsample: int | None, seed: int
) -> tuple[pd.DataFrame, dict]:
    """Duplicates, split filter, subsample (sorted again), both classes in the train split;
    (the reviews, the duplicate-policy info)."""
    df, duplicates = apply_duplicate_policy(df, duplicate_texts)
    df = filter_splits(df, splits)
    df = sort_reviews(stratified_subsample(df, subsample, seed))
    check_train_classes(df, subsample)
    return df, duplicates


def _validated_and_labelled(
    df: pd.DataFrame, path: str, fmt: str, labelling: tuple
) -> tuple[pd.DataFrame, LabelSource]:
    """:func:`validate_reviews`, then :func:`~.ratings.resolve_labels` (``labelling``: the
    rating scale, the label policy, the labels expected), sorted into the contract order."""
    validate_reviews(df, source=path)
    df, source = resolve_labels(df, review_place(df, path, fmt), *labelling)
    return sort_reviews(df), source


def _summarize(
    df: pd.DataFrame, path: str, fmt: str, duplicates: dict, extra: dict, source: LabelSource
) -> dict:
    """:func:`summarize` with the labels' source and policy."""
    policy = {"label_policy": source.policy} if source.policy else {}
    return summarize(
        df, source=path, fmt=fmt, duplicates=duplicates, extra=extra, labels=source.labels, **policy
    )
