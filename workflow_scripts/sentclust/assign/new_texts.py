"""New reviews to place on a finished run's scale, as the command-line tool and rule assign read
them: texts given on the command line, or a file (``.txt`` one review per line, ``.csv`` or
``.parquet`` with a text column), an aclImdb folder or archive (:func:`from_path`), or standard
input (one review per line).

Every reader returns a frame with ``text_id`` and ``text`` (and ``label``/``rating`` where the
file has them) and refuses, naming the place and the fix, what ingest refuses (the reviews
contract's checks, :mod:`sentclust.ingest.checks`): a text above the size cap (``max_bytes``,
default ingest's :data:`~sentclust.ingest.contract.MAX_REVIEW_BYTES`), a text column that does
not hold strings (a Parquet list, struct, binary or number column), bytes or characters that
are not UTF-8, an empty or whitespace-only text, a text that is only markup (``<br /><br />``,
nothing left once cleaned); and a table without a text column, an empty input. A ``.txt`` file
and standard input are split at ``\n`` and ``\r\n`` only (not at U+2028, a form feed or a lone
``\r``, which :meth:`str.splitlines` would split at). A rating is a whole number on the run's
rating scale (``rating_scale``: :func:`run_rating_scale` reads it from the run's ingest summary).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sentclust import layout as L
from sentclust.finegrained.scale import run_scale
from sentclust.ingest.aclimdb import read_aclimdb_dir, read_aclimdb_tar
from sentclust.ingest.checks import check_markup_only, check_review_sizes, check_url_only
from sentclust.ingest.contract import (
    MAX_REVIEW_BYTES,
    NOT_A_RATING,
    RATING_FIX,
    REENCODE,
    as_plain_series,
    decode_utf8,
    is_text_dtype,
    labels_from_values,
    ratings_from_values,
)
from sentclust.ingest.detect import TAR_SUFFIXES
from sentclust.ingest.errors import IngestError, fail_first, show
from sentclust.ingest.limits import MAX_TOTAL_BYTES, TotalCap
from sentclust.ingest.parquet import read_text_table
from sentclust.ingest.ratings import RatingScale

#: accepted names of the text column (any case), in order of preference
TEXT_COLUMNS = ("text", "review")
#: optional columns carried along (any case)
EXTRA_COLUMNS = ("label", "rating")
#: a table's own ids (any case), used as text_id when given and unique
ID_COLUMNS = ("review_id", "text_id", "id")


class NewTextError(ValueError):
    """New texts that cannot be placed as given."""


@contextlib.contextmanager
def _as_new_text_error() -> Iterator[None]:
    """The ingest checks' :class:`IngestError` as a :class:`NewTextError` (same message)."""
    try:
        yield
    except IngestError as err:
        raise NewTextError(str(err)) from None


def _check_utf8(texts: Sequence[str], where: Sequence[str]) -> None:
    """A text with a character that is not UTF-8 (a lone surrogate: how Python decodes a
    command-line argument or a file name that is not UTF-8) fails, naming its place."""
    for text, place in zip(texts, where, strict=True):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise NewTextError(
                f"{place}: character {err.start} ({text[err.start]!r}) is not valid UTF-8 (the "
                f"text was not encoded as UTF-8). Fix: give the text in UTF-8 (a UTF-8 terminal "
                f"locale, or {REENCODE.format('the file')})"
            ) from None


def _check_contract(texts: Sequence[str], where: Sequence[str], max_bytes: int) -> None:
    """The reviews contract's checks of ingest, in its order: UTF-8, the size cap, no empty or
    whitespace-only text (all of them listed), something left once the markup is cleaned."""
    _check_utf8(texts, where)
    frame = pd.DataFrame({"text": pd.Series(list(texts), dtype="str")})
    fix = "remove that text if it is not a review, or shorten it."
    with _as_new_text_error():
        check_review_sizes(frame, where.__getitem__, max_bytes, fix=fix)
    empty = [w for t, w in zip(texts, where, strict=True) if not t.strip()]
    if empty:
        shown = ", ".join(empty[:5]) + (f" and {len(empty) - 5} more" if len(empty) > 5 else "")
        raise NewTextError(
            f"{len(empty)} empty or whitespace-only text(s): {shown}. Fix: remove them (a review "
            "needs words to be placed)"
        )
    with _as_new_text_error():
        check_markup_only(frame, where.__getitem__)
        check_url_only(frame, where.__getitem__)


def _frame(
    texts: Sequence[str],
    where: Sequence[str],
    extra: dict | None = None,
    *,
    max_bytes: int = MAX_REVIEW_BYTES,
) -> pd.DataFrame:
    if not len(texts):
        raise NewTextError("no texts were given. Fix: give texts, --file FILE, or - for stdin")
    _check_contract(texts, where, max_bytes)
    frame = pd.DataFrame({"text_id": [f"new_{i}" for i in range(len(texts))], "text": list(texts)})
    for name, values in (extra or {}).items():
        frame[name] = values.array if isinstance(values, pd.Series) else list(values)
    return frame


def from_arguments(texts: Sequence[str], *, max_bytes: int = MAX_REVIEW_BYTES) -> pd.DataFrame:
    """Texts given on the command line, one per argument."""
    where = [f"argument {i + 1}" for i in range(len(texts))]
    return _frame(list(texts), where, max_bytes=max_bytes)


def _decode(data: bytes, where: str) -> str:
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0

    def at(offset: int) -> str:
        line = data.count(b"\n", 0, offset) + 1
        return f"{where} line {line}"

    try:
        return decode_utf8(data, at, REENCODE.format("the file"), skip=bom)
    except ValueError as err:
        raise NewTextError(str(err)) from None


def from_lines(data: bytes, where: str, *, max_bytes: int = MAX_REVIEW_BYTES) -> pd.DataFrame:
    """One review per line (a ``.txt`` file or standard input); a final newline is not a line.
    Lines end at ``\n`` or ``\r\n`` only: U+2028, a form feed or a lone ``\r`` stay inside
    the review (as the line numbers of a UTF-8 error count them)."""
    lines = [line.removesuffix("\r") for line in _decode(data, where).split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    return _frame(lines, [f"{where} line {i + 1}" for i in range(len(lines))], max_bytes=max_bytes)


#: how a value that is not a text is named in messages
_KINDS = {np.ndarray: "a list", list: "a list", dict: "a struct", bytes: "bytes (a binary column)"}


def _is_text_or_null(value: Any) -> bool:
    if isinstance(value, str) or value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text_column(table: pd.DataFrame, column: Any, where: str) -> list[str]:
    """The text column's values (null as empty); a value that is not a string (a Parquet
    list, struct, binary or number column) fails, naming its row: it is not stringified."""
    values = as_plain_series(table[column])
    if not is_text_dtype(values):
        bad = ~values.map(_is_text_or_null).to_numpy(dtype=bool)

        def problem(row: int) -> str:
            value = values.iloc[row]
            kind = _KINDS.get(type(value), f"a {type(value).__name__}")
            return f"the text column {column!r} holds {kind} ({show(value)}), not a string"

        with _as_new_text_error():
            fail_first(
                bad,
                lambda row: f"{where} row {row + 1}",
                problem,
                "store the reviews as UTF-8 strings, one review per row.",
            )
    return values.astype("string").fillna("").tolist()


def _ratings_of(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """:func:`ratings_from_values`, and strings of whole numbers (as a CSV holds them) read as
    numbers first: "9" is 9, "8/10" or "8.5" is not a rating."""
    if is_text_dtype(values) or values.dtype == object:
        text = values.astype("string").str.strip()
        whole = text.str.fullmatch(r"[0-9]{1,3}").fillna(False).to_numpy(dtype=bool)
        numbers = pd.to_numeric(text.where(whole), errors="coerce").astype("Float64")
        ratings, bad = ratings_from_values(numbers)
        return ratings, bad | ~whole
    return ratings_from_values(values)


#: the optional columns' converters (the reviews contract's), what they accept, the fix
_EXTRAS = {
    "label": (
        labels_from_values,
        "is not a label",
        "use 1 or pos for positive, 0 or neg for negative, or leave it empty (unknown).",
    ),
    "rating": (_ratings_of, NOT_A_RATING, f"{RATING_FIX}, or leave it empty (unknown)."),
}


def _extra_column(values: pd.Series, name: str, where: str) -> pd.Series:
    """A new text's label or rating as the reviews contract has it (Int8, <NA> where unknown:
    a null or empty cell); a value that is not one fails, naming its row."""
    values = as_plain_series(values).reset_index(drop=True)
    shown = values.astype("string").str.strip()
    unknown = (values.isna() | (shown == "")).fillna(True).to_numpy(dtype=bool)
    convert, problem, fix = _EXTRAS[name]
    known = values[~unknown].reset_index(drop=True)
    converted, bad = convert(known) if len(known) else (pd.Series([], dtype="Int8"), [])
    mask = np.zeros(len(values), dtype=bool)
    mask[np.flatnonzero(~unknown)] = np.asarray(bad, dtype=bool)
    with _as_new_text_error():
        fail_first(
            mask,
            lambda row: f"{where} row {row + 1}",
            lambda row: f"{name} {show(values.iloc[row])} {problem}",
            fix,
        )
    out = pd.Series(pd.array([pd.NA] * len(values), dtype="Int8"))
    out[np.flatnonzero(~unknown)] = pd.array(np.asarray(converted), dtype="Int8")
    return out


def run_rating_scale(run: str | Path) -> RatingScale | None:
    """The rating scale of the finished run ``run``, as the stages after ingest read it
    (:func:`sentclust.finegrained.scale.run_scale` on its ``data/ingest_summary.json``): None
    when the run's corpus had no ratings or the run has no summary; IMDB's 1-10 for a summary
    written before scales were recorded."""
    path = Path(run) / L.INGEST_SUMMARY
    if not path.is_file():
        return None
    scale = run_scale(path)
    return RatingScale(scale.lo, scale.hi) if scale.rated else None


def check_rating_scale(frame: pd.DataFrame, scale: RatingScale | None, where: str) -> None:
    """:class:`NewTextError` for the first new text whose rating is off the run's ``scale``."""
    if scale is None or "rating" not in frame:
        return
    rating = frame["rating"]
    with _as_new_text_error():
        fail_first(
            scale.outside(rating),
            lambda row: f"{where} row {row + 1}",
            lambda row: f"rating {rating.iloc[row]} is outside the run's rating scale {scale}",
            f"give ratings on the run's scale {scale} (rating_scale in the run's "
            f"data/ingest_summary.json), or leave the rating empty (unknown).",
        )


def from_table(
    table: pd.DataFrame,
    where: str,
    *,
    max_bytes: int = MAX_REVIEW_BYTES,
    rating_scale: RatingScale | None = None,
) -> pd.DataFrame:
    """A CSV or Parquet table: its text column (:data:`TEXT_COLUMNS`, any case) and the
    optional :data:`EXTRA_COLUMNS` (ratings checked on ``rating_scale``, the run's, when
    given)."""
    lower = {str(c).lower(): c for c in table.columns}
    column = next((lower[n] for n in TEXT_COLUMNS if n in lower), None)
    if column is None:
        raise NewTextError(
            f"{where} has no text column (columns: {', '.join(map(str, table.columns)) or 'none'})."
            f" Fix: name the column of the reviews {' or '.join(TEXT_COLUMNS)}"
        )
    texts = _text_column(table, column, where)
    extra = {n: _extra_column(table[lower[n]], n, where) for n in EXTRA_COLUMNS if n in lower}
    check_rating_scale(pd.DataFrame(extra), rating_scale, where)
    rows = [f"{where} row {i + 1}" for i in range(len(texts))]
    frame = _frame(texts, rows, extra, max_bytes=max_bytes)
    ids = next((lower[n] for n in ID_COLUMNS if n in lower), None)
    if ids is not None:
        values = table[ids].astype("string")
        if values.isna().any() or values.duplicated().any():
            raise NewTextError(
                f"{where}: the id column {ids!r} has empty or repeated values. Fix: give every "
                f"row its own id, or drop the column (rows are then numbered)"
            )
        frame["text_id"] = values.astype(str).to_numpy()
    return frame


#: what to do about new texts above the total cap
_SPLIT_FIX = "split the file into smaller ones (new texts are read whole)."


def _read_parquet(path: Path, max_bytes: int, cap: TotalCap) -> pd.DataFrame:
    """A Parquet file of new texts, its text column (:data:`TEXT_COLUMNS`, any case) sized
    before it is decoded, as ingest sizes a Parquet input (:func:`read_text_table`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except (pa.ArrowException, OSError):
        names = []  # not Parquet: read_text_table says so, with the fix
    lower = {str(c).lower(): c for c in names}
    column = next((lower[n] for n in TEXT_COLUMNS if n in lower), TEXT_COLUMNS[0])
    with _as_new_text_error():
        table = read_text_table(path, column, None, max_review_bytes=max_bytes, cap=cap)
    return table.to_pandas()


def from_file(
    path: str | Path,
    *,
    max_bytes: int = MAX_REVIEW_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    rating_scale: RatingScale | None = None,
) -> pd.DataFrame:
    """A ``.txt``, ``.csv`` or ``.parquet`` file of new reviews: a ``.txt`` or ``.csv`` file
    of at most ``max_total_bytes``, a Parquet file whose text column holds at most that (sized
    before it is decoded); ratings checked on ``rating_scale`` (the run's) when given."""
    import io

    path = Path(path)
    if not path.is_file():
        raise NewTextError(
            f"{path} is not a file. Fix: give the path of a .txt, .csv or .parquet file"
        )
    suffix = path.suffix.lower()
    cap = TotalCap(max_total_bytes, fix=_SPLIT_FIX)
    if suffix == ".parquet":
        table = _read_parquet(path, max_bytes, cap)
        return from_table(table, str(path), max_bytes=max_bytes, rating_scale=rating_scale)
    with _as_new_text_error():
        cap.spend(path.stat().st_size, str(path), "the file's texts")
    data = path.read_bytes()
    if suffix == ".csv":
        text = _decode(data, str(path))
        try:
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            raise NewTextError(
                f"{path} is empty. Fix: a header line, then one review per row"
            ) from None
        return from_table(table, str(path), max_bytes=max_bytes, rating_scale=rating_scale)
    if suffix in (".txt", ""):
        return from_lines(data, str(path), max_bytes=max_bytes)
    raise NewTextError(
        f"{path}: files ending {suffix!r} are not read. Fix: use .txt (one review per line), "
        ".csv or .parquet (a column named text or review)"
    )


def from_path(
    path: str | Path,
    *,
    max_bytes: int = MAX_REVIEW_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    rating_scale: RatingScale | None = None,
) -> pd.DataFrame:
    """:func:`from_file`, or an aclImdb folder or ``.tar.gz`` archive (read by ingest, with
    its labels and ratings, within ingest's caps) for rule assign's inputs; ratings checked on
    ``rating_scale`` (the run's: :func:`run_rating_scale`) when given."""

    path = Path(path)
    reader = None
    if path.is_dir():
        reader = read_aclimdb_dir
    elif path.name.lower().endswith(TAR_SUFFIXES):
        reader = read_aclimdb_tar
    if reader is None:
        sizes = {"max_bytes": max_bytes, "max_total_bytes": max_total_bytes}
        return from_file(path, **sizes, rating_scale=rating_scale)
    try:
        reviews = reader(str(path), max_review_bytes=max_bytes, max_total_bytes=max_total_bytes)
    except IngestError as err:
        raise NewTextError(str(err)) from None
    columns = reviews[["review_id", "text", "label", "rating"]]
    return from_table(columns, str(path), max_bytes=max_bytes, rating_scale=rating_scale)
