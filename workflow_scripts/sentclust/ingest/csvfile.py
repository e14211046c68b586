"""CSV input: the common single CSV with the columns ``review,sentiment`` (no ratings, no split)."""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pandas as pd

from .contract import (
    REENCODE,
    check_texts,
    contract_frame,
    decode_utf8,
    labels_from_values,
    require_columns,
)
from .detect import require_exists
from .errors import IngestError, fail_first, show
from .limits import MAX_TOTAL_BYTES, TotalCap

__all__ = ["assign_test_split", "read_csv_input"]


def _csv_record_lines(text: str) -> list[int]:
    """1-based line number where each data record starts (header excluded, blank lines skipped).

    csv's field limit (131,072 characters by default, process-wide) is raised to the text's
    length while reading, so that a long review (ingest caps reviews by size later) cannot turn
    the message about another row into ``_csv.Error: field larger than field limit``."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        starts: list[int] = []
        previous = 0
        for row in reader:
            if row:
                starts.append(previous + 1)
            previous = reader.line_num
    finally:
        csv.field_size_limit(limit)
    return starts[1:]


def _decode(data: bytes, where: str) -> str:
    """The file's bytes as strict UTF-8 text (a leading BOM is dropped)."""

    def at(offset: int) -> str:
        line = data.count(b"\n", 0, offset) + 1
        return f"{where} line {line}"

    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    fix = REENCODE.format("the file") + " or correct that line."
    return decode_utf8(data, at, fix, skip=bom)


def _parse(text: str, where: str) -> tuple[pd.Series, pd.Series]:
    """(review column, sentiment column) of the CSV text, as strings; header names any case."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.EmptyDataError:
        raise IngestError(
            f"{where}: the file is empty. Fix: point `input_path` at the reviews CSV (a header "
            f"line review,sentiment, then one review per row)."
        ) from None
    except pd.errors.ParserError as err:
        raise IngestError(
            f"{where}: not a well-formed CSV ({err}). Fix: quote reviews that contain commas, "
            f"quotes or line breaks (as pandas.DataFrame.to_csv does)."
        ) from None
    by_name = {str(c).strip().lower(): c for c in frame.columns}
    require_columns(
        f"{where}: missing",
        ("review", "sentiment"),
        frame.columns,
        "The CSV form needs the columns review (the text) and sentiment (positive/negative). "
        "Fix: rename the header line to review,sentiment (or use a Parquet input).",
        names=by_name,
    )
    if len(frame) == 0:
        raise IngestError(f"{where}: no reviews after the header line. Fix: add the reviews.")
    return frame[by_name["review"]].astype("str"), frame[by_name["sentiment"]].astype("str")


def assign_test_split(label: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """``train``/``test`` per row: per label (0, then 1), ``round(test_fraction * n_label)`` rows
    drawn with ``numpy.random.default_rng(seed)`` become ``test``."""
    rng = np.random.default_rng(seed)
    split = np.full(len(label), "train", dtype=object)
    for lab in (0, 1):
        members = np.flatnonzero(label == lab)
        k = int(np.floor(float(test_fraction) * len(members) + 0.5))
        if k:
            split[rng.choice(members, size=k, replace=False)] = "test"
    return split


def read_csv_input(
    path: str, *, test_fraction: float, seed: int, max_total_bytes: int = MAX_TOTAL_BYTES
) -> pd.DataFrame:
    """Read the common single CSV (columns ``review,sentiment``; sentiment positive/negative).

    The file is decoded as strict UTF-8 first (a leading BOM is allowed); column names are
    matched case-insensitively and other columns are ignored. All ratings are ``<NA>`` (the CSV
    has none). ``review_id`` is ``csv_<row>``, ``row`` being the 0-based data row (the header is
    not counted; it is line ``row + 2`` of the file when no review spans several lines).

    The CSV has no train/test split, so one is assigned: per label (negative, then positive),
    ``round(test_fraction * n_label)`` rows drawn with ``numpy.random.default_rng(seed)``
    become ``test`` and the rest ``train``, i.e. a seeded split stratified by label
    (config ``ingest.csv_test_fraction``, default 0.5, and ``seed``).

    A file larger than ``max_total_bytes`` fails before it is read.
    """
    p = require_exists(path)
    where = str(path)
    if not isinstance(test_fraction, int | float) or not 0 < float(test_fraction) < 1:
        raise IngestError(
            f"csv_test_fraction {test_fraction!r} must be a number strictly between 0 and 1. "
            f"Fix: set `ingest.csv_test_fraction` in the config (0.5 splits the CSV in halves)."
        )
    TotalCap(max_total_bytes).spend(p.stat().st_size, where, "the file's reviews")
    text = _decode(p.read_bytes(), where)
    reviews, sentiment = _parse(text, where)

    def at(row: int) -> str:
        return f"{where} line {_csv_record_lines(text)[row]}"

    check_texts(reviews, at, "remove that line or fill in the review.")
    label, bad = labels_from_values(sentiment)
    fail_first(
        bad,
        at,
        lambda row: f"sentiment {show(sentiment.iloc[row])} is not positive or negative",
        "correct it to positive or negative (pos/neg and 1/0 also work), or remove that line.",
    )
    n = len(reviews)
    split = assign_test_split(label, test_fraction, seed)
    review_id = "csv_" + pd.Series(np.arange(n).astype(str), dtype="str")
    return contract_frame(review_id, split, reviews, label, [pd.NA] * n)
