"""The reviews contract: columns, types, labels, ratings, ids, splits, and the checks of each.

Every reader calls these converters and checks, so that each rule of the contract is written once:

======== ============================= =================================================
column   dtype                         meaning
======== ============================= =================================================
review_id str (unique)                 e.g. ``train_pos_0_9`` for aclImdb ``train/pos/0_9.txt``
split    str                           ``train`` or ``test``
text     str                           the review, unchanged (strict UTF-8)
label    int8, or Int8 all null        1 positive, 0 negative; all ``<NA>`` without labels
rating   Int8 (pandas nullable)        star rating 1-10, ``<NA>`` where unknown (CSV)
======== ============================= =================================================

A corpus without labels keeps the label column, all null (pyarrow int8 with nulls): a label
column is either complete (0/1 in every row) or all null, never partly null
(:func:`has_labels` tells which).

Row order: split (train, then test), label (0, then 1; none when there are no labels), then
the source's own order.
Problems raise :class:`~.errors.IngestError` through :func:`~.errors.fail_first`, whose message
names the place (``at(row)``: file and row, line or archive member), the problem and a fix.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import IngestError, fail_first, first_true, how_many, show
from .ratings import (
    NOT_A_RATING,
    RATING_FIX,
    RATINGS,
    bad_ratings,
    rating_conflicts,
    ratings_from_values,
)

__all__ = [
    "CLASS_NAMES",
    "COLUMNS",
    "Duplicate",
    "LABEL_NAMES",
    "LABEL_WORDS",
    "MAX_REVIEW_BYTES",
    "NOT_A_RATING",
    "RATINGS",
    "RATING_FIX",
    "REENCODE",
    "REVIEWS_SCHEMA",
    "ROW_ORDER",
    "SPLITS",
    "as_plain_series",
    "bad_ids",
    "bad_labels",
    "bad_ratings",
    "bad_splits",
    "check_texts",
    "contract_frame",
    "decode_utf8",
    "first_duplicate",
    "has_labels",
    "is_text_dtype",
    "labels_from_values",
    "make_review_ids",
    "rating_conflicts",
    "ratings_from_values",
    "require_columns",
    "row_key",
    "sort_reviews",
    "split_problem",
    "splits_from_values",
    "splits_present",
    "to_table",
    "validate_reviews",
]

#: The reviews contract of DESIGN.md (column order and Parquet types).
REVIEWS_SCHEMA = pa.schema(
    [
        ("review_id", pa.string()),
        ("split", pa.string()),
        ("text", pa.string()),
        ("label", pa.int8()),
        ("rating", pa.int8()),
    ]
)
#: Column names of the reviews contract, in order.
COLUMNS: tuple[str, ...] = tuple(REVIEWS_SCHEMA.names)
#: The splits, in row order.
SPLITS = ("train", "test")
#: Label names by label (0 negative, 1 positive): the aclImdb folder names and id parts.
LABEL_NAMES: tuple[str, ...] = ("neg", "pos")
#: What each label means, in words (0 negative, 1 positive): figures, reports, explanations.
CLASS_NAMES: tuple[str, ...] = ("negative", "positive")
#: Strings accepted as labels (after stripping and lower-casing): the words, and the digits
#: 1/0 as a CSV or a string column holds the integer labels.
LABEL_WORDS = {"neg": 0, "negative": 0, "pos": 1, "positive": 1, "0": 0, "1": 1}
#: Default cap on one review's size in bytes (config ``ingest.max_review_bytes``; real reviews
#: are under 14 KB).
MAX_REVIEW_BYTES = 1 << 20
#: Row order of the contract: text of the row order, for the summary.
ROW_ORDER = "split (train, test), label (0, 1), then source order (numeric id for aclImdb)"
#: The usual fix for bytes that are not UTF-8.
REENCODE = "re-save {} as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"

_SPLIT_RANK = {s: i for i, s in enumerate(SPLITS)}


# --------------------------------------------------------------------------------------------
# messages


def split_problem(values: pd.Series) -> Callable[[int], str]:
    """The problem text of a bad split value, by row of ``values``."""
    return lambda row: f"split {show(values.iloc[row])} is not one of {', '.join(SPLITS)}"


def require_columns(
    missing_in: str,
    required: Sequence[str],
    found: Sequence[Any],
    explain: str,
    *,
    names: Container[str] | None = None,
) -> None:
    """Raise ``{missing_in} column(s) <missing>; found columns <found>. {explain}``.

    A column is missing when it is not in ``names`` (default: ``found``).
    """
    names = found if names is None else names
    missing = [c for c in required if c not in names]
    if missing:
        raise IngestError(
            f"{missing_in} column(s) {', '.join(missing)}; found columns "
            f"{', '.join(str(c) for c in found) or '(none)'}. {explain}"
        )


# --------------------------------------------------------------------------------------------
# column checks (on contract values) and converters (from a source's values)


def as_plain_series(s: pd.Series) -> pd.Series:
    """Categorical (dictionary-encoded) columns become plain object columns."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return pd.Series(np.asarray(s, dtype=object), index=s.index)
    return s


def is_text_dtype(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.StringDtype)


def bad_ids(ids: pd.Series) -> np.ndarray:
    """Missing or blank review ids."""
    return (ids.isna() | (ids.astype("str").str.strip().str.len() == 0)).to_numpy()


class Duplicate(NamedTuple):
    """The first value that occurs more than once, and all its rows (0-based positions)."""

    value: Any
    rows: np.ndarray


def first_duplicate(values: pd.Series) -> Duplicate | None:
    """The first repeated value of ``values`` (unique ids), or None when all are unique."""
    dup = values.duplicated(keep=False).to_numpy()
    if not dup.any():
        return None
    value = values.iloc[first_true(dup)]
    return Duplicate(value, np.flatnonzero((values == value).to_numpy()))


def bad_splits(split: pd.Series) -> np.ndarray:
    """Split values other than train and test (null included)."""
    return (~split.isin(SPLITS)).to_numpy()


def splits_from_values(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(split names stripped and lower-cased, invalid mask); only strings can be splits."""
    raw = as_plain_series(raw)
    if is_text_dtype(raw) or raw.dtype == object:
        split = raw.astype("str").str.strip().str.lower()
        return split, bad_splits(split)
    return pd.Series(np.full(len(raw), "", dtype=object)), np.ones(len(raw), dtype=bool)


def splits_present(df: pd.DataFrame) -> list[str]:
    """The splits that have rows in ``df``, in row order."""
    return [s for s in SPLITS if (df["split"] == s).any()]


def has_labels(df: pd.DataFrame) -> bool:
    """Whether the reviews have labels: False when the label column is all null (or empty of
    labels), True otherwise (a partly null column is refused by :func:`validate_reviews`)."""
    return bool(df["label"].notna().any())


def bad_labels(label: pd.Series) -> np.ndarray:
    """Labels other than 0 and 1 (null included)."""
    return (label.isna() | ~label.isin([0, 1])).to_numpy()


def labels_from_values(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(labels as int8 with -1 for invalid, invalid mask) for 0/1 ints (also as integral floats
    0.0/1.0, or the strings "0"/"1"), bools or pos/neg words."""
    s = as_plain_series(s)
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return s.fillna(False).astype("int8").to_numpy(), s.isna().to_numpy()
    if pd.api.types.is_integer_dtype(dtype):
        bad = bad_labels(s)
        return s.where(~bad, -1).astype("int8").to_numpy(), bad
    if pd.api.types.is_float_dtype(dtype):  # 0.0/1.0, as pandas writes an int column with a NaN
        values = s.astype("float64").to_numpy(na_value=np.nan)
        bad = ~np.isin(values, (0.0, 1.0))
        return np.where(bad, -1, values).astype("int8"), bad
    if is_text_dtype(s):
        mapped = s.str.strip().str.lower().map(LABEL_WORDS)
        return mapped.fillna(-1).astype("int8").to_numpy(), mapped.isna().to_numpy()
    if dtype is np.dtype(object):  # mixed Python values: one look per value is unavoidable
        out = np.fromiter((_label_of(v) for v in s), dtype="int8", count=len(s))
        return out, out < 0
    # floats, dates, ...: not an accepted label type
    return np.full(len(s), -1, dtype="int8"), np.ones(len(s), dtype=bool)


def _label_of(v: Any) -> int:
    """One Python value as a label, -1 when it is none."""
    if isinstance(v, bool | np.bool_):
        return int(v)
    if isinstance(v, int | np.integer | float | np.floating) and v in (0, 1):
        return int(v)
    if isinstance(v, str):
        return LABEL_WORDS.get(v.strip().lower(), -1)
    return -1


def check_texts(
    text: pd.Series,
    at: Callable[[int], str],
    fix: str,
    *,
    empty: str | None = "empty review text",
    blank: str = "review text is only whitespace",
) -> None:
    """Raise on the first null, then empty, then whitespace-only review text.

    ``empty=None`` leaves empty texts to the whitespace check (one message for both).
    """
    fail_first(text.isna().to_numpy(), at, "review text is missing (null)", fix)
    text = text.astype("str")
    if empty is not None:
        fail_first((text.str.len() == 0).to_numpy(), at, empty, fix)
    fail_first((text.str.strip().str.len() == 0).to_numpy(), at, blank, fix)


def decode_utf8(data: bytes, at: Callable[[int], str], fix: str, *, skip: int = 0) -> str:
    """``data[skip:]`` as strict UTF-8; ``at(byte offset)`` names the place of a bad byte."""
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + skip
        raise IngestError(
            f"{at(offset)}: byte offset {offset} (0x{data[offset]:02x}) is not valid "
            f"UTF-8 ({err.reason}). Fix: {fix}"
        ) from None


def make_review_ids(split: Any, label: Any, number: Any, rating: pd.Series) -> pd.Series:
    """Review ids ``<split>_<pos|neg>_<number>``, plus ``_<rating>`` where the rating is known;
    ``<split>_<number>[_<rating>]`` when ``label`` is None (a corpus without labels)."""
    rating = pd.Series(rating).reset_index(drop=True)
    rating_part = pd.Series(
        np.where(rating.isna(), "", "_" + rating.astype("Int64").astype(str).fillna("")),
        dtype="str",
    )
    head = pd.Series(split).astype("str").reset_index(drop=True) + "_"
    if label is not None:
        names = np.where(np.asarray(label) == 1, LABEL_NAMES[1], LABEL_NAMES[0])
        head = head + pd.Series(names, dtype="str") + "_"
    return head + pd.Series(np.asarray(number).astype(str), dtype="str") + rating_part


# --------------------------------------------------------------------------------------------
# the frame


def contract_frame(review_id: Any, split: Any, text: Any, label: Any, rating: Any) -> pd.DataFrame:
    """Assemble the five contract columns with the contract dtypes (fresh RangeIndex);
    ``label=None``: a corpus without labels (an all-null nullable Int8 label column)."""

    def plain(values: Any) -> Any:
        return values.to_numpy() if isinstance(values, pd.Series) else values

    if label is None:
        labels = pd.Series(pd.array([pd.NA] * len(text), dtype="Int8"))
    else:
        labels = pd.Series(plain(label), dtype="int8")

    return pd.DataFrame(
        {
            "review_id": pd.Series(plain(review_id), dtype="str"),
            "split": pd.Series(plain(split), dtype="str"),
            "text": pd.Series(plain(text), dtype="str"),
            "label": labels,
            "rating": pd.Series(pd.array(plain(rating), dtype="Int8")),
        }
    )


def row_key(split: Any, label: Any) -> np.ndarray:
    """The contract's order key of each row: split rank (train, test) * 2 + label (a null
    label, as in a corpus without labels, counts as 0)."""
    rank = pd.Series(np.asarray(split, dtype=object)).map(_SPLIT_RANK).to_numpy(dtype=np.int64)
    codes = pd.Series(label).astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    return rank * 2 + codes


def sort_reviews(df: pd.DataFrame) -> pd.DataFrame:
    """Stable sort into the contract order: split (train, test), label (0, 1), source order."""
    order = np.argsort(row_key(df["split"], df["label"]), kind="stable")
    if np.array_equal(order, np.arange(len(df))):
        return df.reset_index(drop=True)
    return df.iloc[order].reset_index(drop=True)


def _require_contract_columns(df: pd.DataFrame, message: Callable[[list[str]], str]) -> None:
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise IngestError(message(missing))


def validate_reviews(df: pd.DataFrame, source: str) -> None:
    """Last guard on a combined frame: columns, splits, labels (complete, or all null),
    ratings, texts, unique ids.

    Rows in messages are 0-based positions in ``df``. Raises :class:`IngestError`.
    """
    _require_contract_columns(
        df,
        lambda missing: (
            f"{source}: the reviews table lacks column(s) {', '.join(missing)}; "
            f"found {', '.join(map(str, df.columns))}. Fix: provide {', '.join(COLUMNS)}."
        ),
    )
    ids, split, label, rating = df["review_id"], df["split"], df["label"], df["rating"]

    def at(row: int) -> str:
        return f"{source} row {row} (review_id {show(ids.iloc[row])})"

    fail_first(bad_ids(ids), at, "missing or empty review_id", "give every review a unique id.")
    fail_first(bad_splits(split), at, split_problem(split), "set split to train or test.")
    fail_first(
        bad_labels(label) if has_labels(df) else np.zeros(len(df), dtype=bool),
        at,
        lambda r: f"label {show(label.iloc[r])} is not 0 or 1",
        "use 1 for positive and 0 for negative in every row (a corpus has labels in every "
        "row or no labels at all).",
    )
    fail_first(
        bad_ratings(rating),
        at,
        lambda r: f"rating {show(rating.iloc[r])} {NOT_A_RATING}",
        "correct the rating or set it to null.",
    )
    fix = "remove that review or fill in its text."
    check_texts(df["text"], at, fix, empty=None, blank="empty or whitespace-only review text")
    dup = first_duplicate(ids)
    if dup is not None:
        raise IngestError(
            f"{source}: review_id {dup.value!r} is used by rows {dup.rows[0]} and {dup.rows[1]}"
            f"{how_many(ids.duplicated(keep='first'))}; review ids must be unique. Fix: make "
            f"the ids unique (or let the reader generate them)."
        )


def to_table(df: pd.DataFrame) -> pa.Table:
    """The reviews frame as a pyarrow Table with exactly :data:`REVIEWS_SCHEMA`."""
    _require_contract_columns(
        df,
        lambda missing: (
            f"cannot build the reviews table: missing column(s) "
            f"{', '.join(missing)}. Fix: pass a frame from ingest()."
        ),
    )
    return pa.Table.from_pandas(df[list(COLUMNS)], schema=REVIEWS_SCHEMA, preserve_index=False)
