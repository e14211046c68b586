"""CSV input: a ``.csv`` or ``.tsv`` file, plain or compressed (``.gz``, ``.bz2``, ``.xz``).

Two shapes (the header's names are matched stripped and in any case, after ``ingest.columns``):

- the contract's columns: ``text`` (required), ``label``, ``rating``, ``split``, ``review_id``
  (optional; see :mod:`.records` for the values each accepts);
- the common single CSV ``review,sentiment`` (IMDB's Kaggle copy): ``review`` is the text when
  the file has no ``text`` column, ``sentiment`` the label when it has no ``label`` column.

The separator is ``ingest.csv_separator``, or, when that is null, sniffed among ``,`` ``;`` tab
and ``|`` from the header and the first records (:func:`sniff_separator`). Records that do not
split into the header's number of fields, or a header of one column that another separator
splits, fail naming the line, the separator used and the one that would work.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import lzma
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from .columns import fields_read, source_fields
from .contract import REENCODE, decode_utf8
from .detect import open_decompressed, plain_name, require_exists
from .errors import IngestError
from .limits import MAX_TOTAL_BYTES, TotalCap, read_capped
from .records import records_frame

__all__ = ["SEPARATORS", "csv_columns", "read_csv_input", "sniff_separator"]

_log = logging.getLogger(__name__)
#: The separators sniffed (in this order of preference on a tie).
SEPARATORS = (",", ";", "\t", "|")
#: How much of the file's start the sniffing (and :func:`csv_columns`) reads.
SNIFF_BYTES = 1 << 16
#: Records of the file's start whose field counts the sniffing compares.
SNIFF_RECORDS = 50
_QUOTE_FIX = (
    "quote reviews that contain the separator, quotes or line breaks (as "
    "pandas.DataFrame.to_csv does)"
)
_DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)


def shown(sep: str) -> str:
    """A separator as the config writes it (YAML): ``','``, ``';'``, ``"\\t"``."""
    return '"\\t"' if sep == "\t" else f"'{sep}'"


def _records(text: str, sep: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based line where the record starts, fields) of each record; blank lines skipped.

    csv's field limit (131,072 characters by default, process-wide) is raised to the text's
    length while reading, so that a long review (ingest caps reviews by size later) cannot turn
    the message about another row into ``_csv.Error: field larger than field limit``."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        previous = 0
        for row in reader:
            if row:
                yield previous + 1, row
            previous = reader.line_num
    finally:
        csv.field_size_limit(limit)


def _csv_record_lines(text: str, sep: str = ",") -> list[int]:
    """1-based line number where each data record starts (header excluded, blank lines skipped)."""
    return [line for line, _ in _records(text, sep)][1:]


def _sample(text: str) -> str:
    """The file's start for sniffing: :data:`SNIFF_BYTES` characters cut after a line end."""
    if len(text) <= SNIFF_BYTES:
        return text
    head = text[:SNIFF_BYTES]
    return head[: head.rfind("\n") + 1] or head


def _consistent_width(sample: str, sep: str, whole: bool) -> int:
    """The header's number of fields with ``sep`` when the first records of ``sample`` all have
    it (the last one dropped unless ``whole``: it may be cut), else 0."""
    records = []
    try:
        for _, row in _records(sample, sep):
            records.append(row)
            if len(records) > SNIFF_RECORDS:
                break
    except csv.Error:
        return 0
    if not whole and len(records) > 1:
        records = records[:-1]
    if not records:
        return 0
    width = len(records[0])
    return width if all(len(r) == width for r in records) else 0


def _header_width(sample: str, sep: str) -> int:
    try:
        return len(next((row for _, row in _records(sample, sep)), []))
    except csv.Error:
        return 0


def sniff_separator(text: str, default: str = ",", *, complete: bool = True) -> str:
    """The separator among :data:`SEPARATORS` that splits the header into the most fields (more
    than one) while the first records have as many; when none does, the one that splits the
    header alone into the most (the rows' message then names the line that differs);
    ``default`` when none splits it (one column). ``complete``: ``text`` is the whole file
    (else its last record may be cut, and is not compared)."""
    sample = _sample(text)
    whole = complete and len(sample) == len(text)
    for width in (
        lambda sep: _consistent_width(sample, sep, whole),
        lambda sep: _header_width(sample, sep),
    ):
        widths = {sep: width(sep) for sep in SEPARATORS}
        best = max(SEPARATORS, key=lambda sep: (widths[sep], -SEPARATORS.index(sep)))
        if widths[best] > 1:
            return best
    return default


def _better_separator(text: str, sep: str) -> tuple[str, int] | None:
    """(another separator, the header's width with it) when it splits the file's start
    consistently into more columns than ``sep`` does, else None."""
    sample = _sample(text)
    whole = len(sample) == len(text)
    header = next((row for _, row in _records(sample, sep)), [])
    widths = {c: _consistent_width(sample, c, whole) for c in SEPARATORS if c != sep}
    best = max(widths, key=lambda c: (widths[c], -SEPARATORS.index(c)))
    return (best, widths[best]) if widths[best] > max(len(header), 1) else None


def _hint(text: str, sep: str) -> tuple[str, str]:
    """(what another separator would do, the fix) for a file that does not parse with ``sep``."""
    better = _better_separator(text, sep)
    if better is None:
        return "", _QUOTE_FIX
    other, width = better
    return (
        f"; the header splits into {width} columns with {shown(other)}",
        f"set ingest.csv_separator: {shown(other)}",
    )


def _default_separator(path: str | Path) -> str:
    return "\t" if plain_name(path).endswith(".tsv") else ","


def _read_text(path: Path, where: str, cap: TotalCap) -> str:
    """The file's decompressed bytes, spent on ``cap`` as they come, as strict UTF-8 text (a
    leading BOM dropped)."""
    what = "the file's reviews" + (
        " (decompressed)" if plain_name(path) != path.name.lower() else ""
    )
    try:
        with open_decompressed(path) as stream:
            data = read_capped(stream, cap, where, what)
    except _DECOMPRESS_ERRORS as err:
        raise IngestError(
            f"{where}: could not decompress it ({err}). Fix: check that the file is complete "
            f"and compressed as its name says (.gz gzip, .bz2 bzip2, .xz xz), or re-export it."
        ) from None

    def at(offset: int) -> str:
        line = data.count(b"\n", 0, offset) + 1
        return f"{where} line {line}"

    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    fix = REENCODE.format("the file") + " or correct that line."
    return decode_utf8(data, at, fix, skip=bom)


def _table(text: str, sep: str, where: str) -> tuple[list[str], list[int], list[list[str]]]:
    """(header, start line of each record, records) with ``sep``; every record as wide as the
    header, else :class:`IngestError` naming the line and, when one works, another separator."""
    lines: list[int] = []
    rows: list[list[str]] = []
    records = _records(text, sep)
    try:
        _, header = next(records)
    except StopIteration:
        raise IngestError(
            f"{where}: the file is empty. Fix: point `input_path` at the reviews CSV (a header "
            f"line such as text,label or review,sentiment, then one review per row)."
        ) from None
    try:
        for line, row in records:
            if len(row) != len(header):
                hint, fix = _hint(text, sep)
                raise IngestError(
                    f"{where} line {line}: expected {len(header)} field(s) separated by "
                    f"{shown(sep)} but found {len(row)}{hint}. Fix: {fix}."
                )
            lines.append(line)
            rows.append(row)
    except csv.Error as err:
        raise IngestError(f"{where}: not a well-formed CSV ({err}). Fix: {_QUOTE_FIX}.") from None
    return header, lines, rows


#: Legacy names of contract columns (the common ``review,sentiment`` CSV), read when the file has
#: no column of the contract's name and ``ingest.columns`` does not map one.
ALIASES = {"text": "review", "label": "sentiment"}


def _legacy(header: list[str], columns: Mapping[str, str]) -> dict[str, str]:
    """``columns`` plus the legacy names (:data:`ALIASES`) the header has for the columns it
    lacks under their own names (and that no mapping names)."""
    names = {h.strip().lower() for h in header}
    mapped = {str(f).strip().lower() for f in columns.values()}
    out = dict(columns)
    for column, alias in ALIASES.items():
        if column not in out and column not in names and alias in names and alias not in mapped:
            out[column] = alias
    return out


def _fields(text: str, header: list[str], sep: str, columns, where: str) -> dict[str, str]:
    """``{contract column: header name}``; the text column required (the message names the
    header found and, when the header is one column another separator splits, that one)."""
    found = source_fields(header, _legacy(header, columns or {}), where, fold_case=True)
    if "text" not in found:
        hint, fix = _hint(text, sep) if len(header) == 1 else ("", "")
        raise IngestError(
            f"{where}: missing column text; found columns "
            f"{', '.join(repr(h) for h in header)} (separated by {shown(sep)}){hint}. The CSV "
            f"form needs a `text` column (or the pair review,sentiment); label, rating, split "
            f"and review_id are optional. Fix: "
            + (f"{fix}." if fix else "name the review column text, or set ingest.columns.text.")
        )
    return found


def read_csv_input(
    path: str,
    *,
    test_fraction: float,
    seed: int,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    columns: Mapping[str, str] | None = None,
    separator: str | None = None,
) -> pd.DataFrame:
    """Read a CSV file (plain, ``.gz``, ``.bz2`` or ``.xz``) as a contract frame.

    The decompressed bytes are counted against ``max_total_bytes`` as they are read (a file
    that holds more stops within a chunk of the cap), then decoded as strict UTF-8 (a leading
    BOM is allowed). ``separator`` (``ingest.csv_separator``) or the sniffed one splits the
    records; ``columns`` (``ingest.columns``) names the source fields. Other columns are ignored.

    ``review_id``, when the file has none, is ``csv_<row>`` (``row`` the 0-based data record).
    Without a ``split`` column, per label (negative, then positive; all rows when there are
    no labels) ``round(test_fraction * n)`` rows drawn with ``numpy.random.default_rng(seed)``
    become ``test`` and the rest ``train`` (config ``ingest.csv_test_fraction``, ``seed``).
    """
    p = require_exists(path)
    where = str(path)
    text = _read_text(p, where, TotalCap(max_total_bytes))
    sep = separator or sniff_separator(text, _default_separator(p))
    header, lines, rows = _table(text, sep, where)
    found = _fields(text, header, sep, columns, where)
    if not rows:
        raise IngestError(f"{where}: no reviews after the header line. Fix: add the reviews.")
    how = "ingest.csv_separator" if separator else "sniffed"
    _log.info("%s: separator %s (%s); %s", where, shown(sep), how, fields_read(found, header))
    index = {h: i for i, h in reversed(list(enumerate(header)))}
    fields = {column: [row[index[name]] for row in rows] for column, name in found.items()}

    def at(row: int) -> str:
        return f"{where} line {lines[row]}"

    return records_frame(fields, found, at, prefix="csv", test_fraction=test_fraction, seed=seed)


def csv_columns(path: str | Path, separator: str | None = None) -> list[str]:
    """The header's column names of a (compressed) CSV file, split by ``separator`` or the
    sniffed one, read from the file's first :data:`SNIFF_BYTES` bytes only (cheap: the
    workflow calls it when it builds the DAG). :class:`IngestError` for an unreadable file."""
    where = str(path)
    try:
        with open_decompressed(path) as stream:
            data = stream.read(SNIFF_BYTES)
    except _DECOMPRESS_ERRORS as err:
        raise IngestError(
            f"{where}: could not read its header ({err}). Fix: check that the file is complete "
            f"and compressed as its name says, or point `input_path` at another input."
        ) from None
    head, newline, rest = data.partition(b"\n")
    try:  # the header strictly; the rest, for sniffing only, as well as it decodes
        text = (head + newline).decode("utf-8").lstrip("\ufeff")
        text += rest.decode("utf-8", errors="replace")
    except UnicodeDecodeError as err:
        raise IngestError(
            f"{where}: could not read its header as UTF-8 ({err}). Fix: "
            + REENCODE.format(Path(path).name)
            + "."
        ) from None
    complete = len(data) < SNIFF_BYTES
    sep = separator or sniff_separator(text, _default_separator(path), complete=complete)
    header = next((row for _, row in _records(text, sep)), [])
    return [h.strip() for h in header]
