"""The contract frame of a text form's records (CSV rows, JSON Lines objects).

The CSV and JSON Lines readers collect, per contract column the source has
(:func:`~.columns.source_fields`), the raw values of every record (strings from a CSV, Python
values from JSON) and the place of each record (``at(row)``: file and line); :func:`records_frame`
converts and checks them with the contract's converters, so both forms accept and refuse the
same values with the same messages:

- ``text`` (required): a string, not empty or blank;
- ``label`` (optional): positive/negative, pos/neg, 1/0 (JSON: also true/false, 0/1 numbers);
  absent -> no labels (an all-null label column);
- ``rating`` (optional): a whole number (a CSV cell, or a JSON number or numeric string),
  empty/null = unknown;
- ``split`` (optional): train/test; absent -> :func:`~.policies.seeded_split`;
- ``review_id`` (optional): unique non-empty strings (JSON integers too); absent ->
  ``<prefix>_<record number>`` (0-based, the header and blank lines not counted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .contract import (
    NOT_A_RATING,
    RATING_FIX,
    bad_ids,
    check_texts,
    contract_frame,
    first_duplicate,
    labels_from_values,
    ratings_from_values,
    split_problem,
    splits_from_values,
)
from .errors import IngestError, fail_first, show
from .policies import seeded_split

__all__ = ["numbers_from_values", "records_frame"]

_FILL_IN = "remove that line or fill in the review."


def numbers_from_values(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(Float64 numbers with <NA> for unknown, invalid mask) of CSV cells or JSON values:
    empty strings and null are unknown; numbers and numeric strings are read; booleans and
    other strings are invalid."""
    values = raw.to_numpy(dtype=object)
    blank = np.fromiter(
        (v is None or (isinstance(v, str) and not v.strip()) for v in values), bool, len(values)
    )
    is_bool = np.fromiter((isinstance(v, bool) for v in values), bool, len(values))
    cleaned = pd.Series(np.where(blank | is_bool, None, values), dtype=object)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("Float64")
    bad = is_bool | (~blank & numbers.isna().to_numpy())
    return numbers.where(~bad & ~blank), bad


def _labels(raw: pd.Series, name: str, at: Callable[[int], str]) -> np.ndarray:
    label, bad = labels_from_values(raw)
    fail_first(
        bad,
        at,
        lambda row: f"{name} {show(raw.iloc[row])} is not positive or negative",
        f"correct it to positive or negative (pos/neg and 1/0 also work), or remove that line "
        f"(or drop the `{name}` field: then the reviews have no labels).",
    )
    return label


def _ratings(raw: pd.Series, name: str, at: Callable[[int], str]) -> pd.Series:
    numbers, bad_number = numbers_from_values(raw)
    rating, bad_rating = ratings_from_values(numbers)
    fail_first(
        bad_number | bad_rating,
        at,
        lambda row: f"{name} {show(raw.iloc[row])} {NOT_A_RATING}",
        f"{RATING_FIX}, leave unknown ratings empty, or drop the `{name}` field.",
    )
    return rating


def _given_ids(raw: pd.Series, name: str, at: Callable[[int], str]) -> pd.Series:
    values = raw.to_numpy(dtype=object)
    ok = np.fromiter(
        (isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)) for v in values),
        bool,
        len(values),
    )
    ids = pd.Series([str(v) if good else "" for v, good in zip(values, ok, strict=True)])
    ids = ids.astype("str")
    fail_first(
        ~ok | bad_ids(ids),
        at,
        lambda row: f"{name} {show(raw.iloc[row])} is not a review id (a non-empty string)",
        f"give every review a unique id, or drop the `{name}` field to have ids generated.",
    )
    dup = first_duplicate(ids)
    if dup is not None:
        first, second = (at(int(r)) for r in dup.rows[:2])
        raise IngestError(
            f"{first} and {second}: {name} {dup.value!r} is used twice; review ids must be "
            f"unique. Fix: make the ids unique, or drop the `{name}` field to have ids generated."
        )
    return ids


def records_frame(
    fields: Mapping[str, Sequence[Any]],
    names: Mapping[str, str],
    at: Callable[[int], str],
    *,
    prefix: str,
    test_fraction: float,
    seed: int,
) -> pd.DataFrame:
    """The contract frame of the records whose raw values ``fields`` holds per contract column
    (``text`` required); ``names``: each column's source field (for messages); ``at(row)``:
    the place of a record. Raises :class:`IngestError` on the first bad value."""
    n = len(fields["text"])

    def raw(column: str) -> pd.Series:
        return pd.Series(list(fields[column]), dtype=object)

    text = pd.Series(list(fields["text"]), dtype="str")
    check_texts(text, at, _FILL_IN)
    label = _labels(raw("label"), names["label"], at) if "label" in fields else None
    if "rating" in fields:
        rating = _ratings(raw("rating"), names["rating"], at)
    else:
        rating = pd.Series(pd.array([pd.NA] * n, dtype="Int8"))
    if "split" in fields:
        given = raw("split")
        split, bad = splits_from_values(given.astype("str"))
        fail_first(bad, at, split_problem(given), "set the split of every review to train or test.")
    else:
        split = seeded_split(n, label, test_fraction, seed)
    if "review_id" in fields:
        review_id = _given_ids(raw("review_id"), names["review_id"], at)
    else:
        review_id = prefix + "_" + pd.Series(np.arange(n).astype(str), dtype="str")
    return contract_frame(review_id, split, text, label, rating)
