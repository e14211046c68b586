"""Parquet input: a ``.parquet`` file or a folder of ``*.parquet`` files, as one contract frame."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .columns import source_fields
from .contract import (
    MAX_REVIEW_BYTES,
    NOT_A_RATING,
    RATING_FIX,
    as_plain_series,
    bad_ids,
    check_texts,
    contract_frame,
    first_duplicate,
    is_text_dtype,
    labels_from_values,
    make_review_ids,
    ratings_from_values,
    require_columns,
    split_problem,
    splits_from_values,
)
from .detect import PATH_FIX, parquet_files, require_exists
from .errors import IngestError, fail_first, show
from .limits import MAX_TOTAL_BYTES, TotalCap, read_text_table
from .policies import seeded_split

__all__ = ["read_parquet_input", "read_text_table"]

_NULLABLE_TYPES = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
_SPLIT_STEM = re.compile(r"(train|test)(?:[-_.].*)?", re.IGNORECASE)
_FILL_IN = "remove that row or fill in the review."


def _row_at(f: Path | str) -> Callable[[int], str]:
    return lambda row: f"{f} row {row} (0-based row within this file)"


def _read_table(
    f: Path, max_review_bytes: int, cap: TotalCap, columns: dict[str, str] | None = None
) -> pa.Table:
    """The contract columns of one Parquet file (dictionary-encoded strings decoded), sizes
    checked before the texts are decoded (:func:`read_text_table`); the fields ``columns``
    (``ingest.columns``) maps are read and renamed to their contract names."""
    try:
        names = pq.ParquetFile(f).schema_arrow.names
    except (pa.ArrowException, OSError) as err:
        raise IngestError(
            f"{f}: could not read it as Parquet ({err}). Fix: check that the file is a "
            f"complete Parquet file (re-copy or re-export it), or remove it from the folder."
        ) from err
    found = source_fields(names, columns, str(f))
    require_columns(
        f"{f}: missing required",
        ("text",),
        names,
        "A Parquet input needs `text` (the review); `label` (0/1, true/false or pos/neg), "
        "`split`, `rating` and `review_id` are optional. Fix: rename or add the columns (or "
        "name them in ingest.columns, e.g. {text: body}).",
        names=found,
    )
    sizes = {"max_review_bytes": max_review_bytes, "cap": cap, "id_column": found.get("review_id")}
    table = read_text_table(f, found["text"], list(found.values()), **sizes)
    contract = {field: column for column, field in found.items()}
    return table.rename_columns([contract[name] for name in table.column_names])


class _File:
    """One Parquet file being read: its table, frame, and how its rows are named in messages."""

    def __init__(
        self, f: Path, max_review_bytes: int, cap: TotalCap, columns: dict[str, str] | None
    ) -> None:
        self.path = f
        self.table = _read_table(f, max_review_bytes, cap, columns)
        self.frame = self.table.to_pandas(types_mapper=_NULLABLE_TYPES.get)
        self.n = len(self.frame)

    def at(self, row: int) -> str:
        return _row_at(self.path)(row)

    def type_of(self, column: str) -> str:
        return str(self.table.schema.field(column).type)

    def has(self, column: str) -> bool:
        return column in self.frame.columns


def _texts(src: _File) -> pd.Series:
    text = as_plain_series(src.frame["text"])
    if not is_text_dtype(text):
        if text.dtype == object and text.map(lambda v: isinstance(v, str) or v is None).all():
            text = text.astype("str")
        else:
            raise IngestError(
                f"{src.path}: column `text` has type {src.type_of('text')}, not string. "
                f"Fix: store the reviews as UTF-8 strings."
            )
    check_texts(text, src.at, _FILL_IN)
    return text


def _converted(src: _File, column: str, convert: Callable, problem: str, fix: str) -> Any:
    """``convert(column)``; its first invalid value fails: ``<column> <value> <problem>``.

    ``problem`` may name the column's Parquet type as ``{type}``.
    """
    raw = src.frame[column]
    values, bad = convert(raw)
    what = problem.format(type=src.type_of(column))
    fail_first(bad, src.at, lambda row: f"{column} {show(raw.iloc[row])} {what}", fix)
    return values


def _missing_labels(src: _File) -> None:
    """Every row with a null (NaN) label, named by row and, when given, review_id."""
    missing = np.flatnonzero(src.frame["label"].isna().to_numpy())
    if not len(missing):
        return
    shown = missing[:10]
    rows = ", ".join(str(r) for r in shown) + (", ..." if len(missing) > len(shown) else "")
    ids = ""
    if src.has("review_id"):
        names = ", ".join(show(v) for v in src.frame["review_id"].iloc[shown])
        ids = f" (review_id {names})"
    raise IngestError(
        f"{src.path}: the label is missing (null/NaN) in {len(missing)} row(s): rows {rows}"
        f"{ids} (0-based rows within this file). Fix: fill in those labels (1 or pos = "
        f"positive, 0 or neg = negative) or drop those rows."
    )


def _labels(src: _File) -> np.ndarray | None:
    """The labels, or None when the file has no label column (a corpus without labels)."""
    if not src.has("label"):
        return None
    _missing_labels(src)
    return _converted(
        src,
        "label",
        labels_from_values,
        "is not a valid label (column type {type}); accepted: integers 0/1 (also as 0.0/1.0 "
        "or the strings 0/1), "
        "booleans, or the strings pos/neg/positive/negative",
        "correct the label (1 or pos = positive, 0 or neg = negative) or drop the row.",
    )


#: The seeded split of a file without one (``ingest.csv_test_fraction``, ``seed``), or None
_Split = tuple[float, int] | None


def _splits(src: _File, label: np.ndarray | None, seeded: _Split) -> pd.Series:
    """The ``split`` column; else the split its name says; else ``seeded`` (test fraction,
    seed) drawn by :func:`~.policies.seeded_split` (label-stratified when there are labels)."""
    if src.has("split"):
        raw = as_plain_series(src.frame["split"])
        split, bad = splits_from_values(raw)
        fail_first(
            bad, src.at, split_problem(raw), "set the `split` column to train or test in every row."
        )
        return split
    m = _SPLIT_STEM.fullmatch(src.path.stem)
    if m is None and seeded is not None:
        return pd.Series(seeded_split(src.n, label, *seeded))
    if m is None:
        raise IngestError(
            f"{src.path}: no `split` column, and the file name '{src.path.name}' does not say "
            f"the split. Fix: add a `split` column (train/test), or name the files "
            f"train.parquet and test.parquet."
        )
    return pd.Series(np.full(src.n, m.group(1).lower(), dtype=object))


def _ratings(src: _File) -> pd.Series:
    if not src.has("rating"):
        return pd.Series(pd.array([pd.NA] * src.n, dtype="Int8"))
    return _converted(
        src,
        "rating",
        ratings_from_values,
        NOT_A_RATING + " (column type {type})",
        f"{RATING_FIX}, set unknown ratings to null, or drop the column.",
    )


def _given_ids(src: _File) -> pd.Series:
    raw = as_plain_series(src.frame["review_id"])
    if pd.api.types.is_integer_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        review_id = raw.astype("Int64").astype("str")
    elif is_text_dtype(raw) or raw.dtype == object:
        review_id = raw.astype("str")
    else:
        raise IngestError(
            f"{src.path}: column `review_id` has type {src.type_of('review_id')}; it must be "
            f"strings (or integers). Fix: convert it, or drop the column to have ids generated."
        )
    fail_first(
        bad_ids(review_id),
        src.at,
        "review_id is missing or empty",
        "give every row a unique review_id, or drop the column.",
    )
    dup = first_duplicate(review_id)
    if dup is not None:
        raise IngestError(
            f"{src.path}: review_id {dup.value!r} appears in rows "
            f"{', '.join(str(r) for r in dup.rows[:5])} (0-based rows within this file); "
            f"review ids must be unique. Fix: make the ids unique, or drop the column to "
            f"have ids generated."
        )
    return review_id


def _read_one_parquet(
    f: Path,
    max_review_bytes: int,
    cap: TotalCap,
    seeded: _Split = None,
    columns: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, bool]:
    """One Parquet file as a contract frame; the flag says whether review ids were generated."""
    src = _File(f, max_review_bytes, cap, columns)
    text = _texts(src)
    label = _labels(src)
    split = _splits(src, label, seeded)
    rating = _ratings(src)
    generated = not src.has("review_id")
    if generated:
        review_id = make_review_ids(split, label, np.arange(src.n), rating)
    else:
        review_id = _given_ids(src)
    return contract_frame(review_id, split, text, label, rating), generated


def _combine(files: Sequence[Path], parts: list[tuple[pd.DataFrame, bool]]) -> pd.DataFrame:
    """The frames of several files as one, with review ids unique across the files.

    Generated ids of different files that collide are prefixed with the file stem.
    """
    frames = [frame for frame, _ in parts]
    df = pd.concat(frames, ignore_index=True)
    if first_duplicate(df["review_id"]) is not None and any(gen for _, gen in parts):
        for path, (frame, generated) in zip(files, parts, strict=True):
            if generated:
                frame["review_id"] = path.stem + "_" + frame["review_id"]
        df = pd.concat(frames, ignore_index=True)
    dup = first_duplicate(df["review_id"])
    if dup is not None:
        owner = np.repeat(np.arange(len(files)), [len(f) for f in frames])
        row_in_file = np.concatenate([np.arange(len(f)) for f in frames])
        places = " and ".join(f"{files[owner[r]]} row {row_in_file[r]}" for r in dup.rows[:2])
        raise IngestError(
            f"review_id {dup.value!r} appears twice: {places} (0-based rows within each file); "
            f"review ids must be unique across all input files. Fix: make the ids unique, "
            f"or drop the review_id columns to have ids generated."
        )
    return df


def read_parquet_input(
    path: str,
    *,
    max_review_bytes: int = MAX_REVIEW_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    test_fraction: float | None = None,
    seed: int | None = None,
    columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read a Parquet file, or every ``*.parquet`` file of a folder (by sorted name), as one frame.

    The texts' sizes are checked before they are decoded (:func:`read_text_table`): all files'
    texts together up to ``max_total_bytes``, each one up to ``max_review_bytes``.

    In a folder, hidden files and temporaries are ignored and symlinks or FIFOs are refused
    (:func:`~.detect.parquet_files`).

    Needs the column ``text``; other columns are ignored except:

    - ``label`` (integers 0/1 of any int type, the floats 0.0/1.0, booleans, or the strings
      pos/neg/positive/negative in any case; a null label fails, naming every such row); when
      absent the corpus has no labels (an all-null label column);
    - ``split`` (train/test); when absent, it comes from the file name (``train.parquet``,
      ``test.parquet``, also ``train-00000-of-00001.parquet``), else, when ``test_fraction``
      and ``seed`` are given (``ingest.csv_test_fraction``, ``seed``), a seeded split of each
      file, label-stratified when there are labels, random otherwise;
    - ``rating`` (integers 1-10 or null; absent means unknown);
    - ``review_id`` (unique strings or integers); when absent it is generated as
      ``<split>_<pos|neg>_<row-within-file>`` (``<split>_<row-within-file>`` without labels)
      plus ``_<rating>`` when the rating is known, and
      prefixed with ``<file stem>_`` when that is needed to keep ids unique across files.

    ``columns`` (``ingest.columns``): the fields of these columns, e.g. ``{text: body}``.

    Rows keep file order, then row order within each file.
    """
    p = require_exists(path)
    if p.is_dir():
        files = parquet_files(p)
        if not files:
            raise IngestError(
                f"folder '{path}' holds no *.parquet files. {PATH_FIX} (a .parquet file or a "
                f"folder of them), or set `input_format` to the input's real form."
            )
    else:
        files = [p]
    cap = TotalCap(max_total_bytes)
    seeded = None if test_fraction is None or seed is None else (test_fraction, seed)
    parts = [_read_one_parquet(f, max_review_bytes, cap, seeded, columns) for f in files]
    if len(parts) == 1:
        return parts[0][0]
    return _combine(files, parts)
