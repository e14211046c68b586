"""Whether the input has labels, told from its column names alone (the DAG needs it at parse time).

:func:`input_labels` returns where the run's labels come from:

- ``given``: the input has a label column (the aclImdb folder and archive always: their
  ``pos/``/``neg/`` folders; an ``input_url`` download is assumed to, as the release does);
- ``from_ratings``: no label column but a rating column, and ``ingest.labels_from_ratings`` is
  not null (the labels are derived from the ratings at ingest);
- ``none``: neither (or ratings with ``ingest.labels_from_ratings: null``).

Only names are read, never rows: a Parquet file's schema (its footer), each file's of a folder, a
CSV's header line (``.gz``/``.bz2``/``.xz`` too; the separator set or sniffed as the reader
does), a JSON Lines file's first object (compressed too). The Snakefile calls this on every
parse, so it stays cheap. ``ingest.columns`` renames are honoured (``{text: body, rating: stars}``).

:data:`HEADER_READERS` maps a format to the function that lists its field names and says whether
they match in any case (a CSV header) or exactly (Parquet, JSON Lines); a format added to the
readers adds its entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from .contract import MAX_REVIEW_BYTES
from .csvfile import ALIASES, csv_columns
from .detect import detect_format, parquet_files, require_exists
from .errors import IngestError
from .jsonl import jsonl_columns
from .ratings import LABEL_SOURCES

__all__ = [
    "ALWAYS_LABELLED",
    "HEADER_READERS",
    "LABEL_SOURCES",
    "HeaderReader",
    "csv_header",
    "input_columns",
    "input_labels",
    "jsonl_header",
    "parquet_header",
]

#: Formats whose labels are their folder names: always labelled.
ALWAYS_LABELLED: tuple[str, ...] = ("aclimdb", "aclimdb_tar")
#: Legacy field names of a contract column in a CSV (the common ``review,sentiment`` form): the
#: CSV reader's.
_CSV_ALIASES = ALIASES


class HeaderReader(NamedTuple):
    """How to list one format's field names: ``read(path, config)`` -> the names of each file
    (one list per file; a folder of Parquet files has several), ``fold_case``: whether names
    match stripped and in any case, ``aliases``: legacy names of contract columns."""

    read: Callable[[Path, Mapping[str, Any]], list[tuple[str, list[str]]]]
    fold_case: bool = False
    aliases: Mapping[str, str] = {}


def _unreadable(f: Path | str, what: str, err: Exception, fix: str) -> IngestError:
    return IngestError(f"{f}: could not read {what} ({err}). Fix: {fix}")


def parquet_header(path: Path, config: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(file, column names) of a Parquet file, or of each ``*.parquet`` file of a folder, from
    the footers (no rows are read)."""
    files = parquet_files(path) if path.is_dir() else [path]
    out = []
    for f in files:
        try:
            out.append((str(f), list(pq.read_schema(f).names)))
        except (pa.ArrowException, OSError) as err:
            raise _unreadable(
                f,
                "its Parquet schema",
                err,
                "check that the file is a complete Parquet file (re-copy or re-export it), "
                "or remove it from the folder.",
            ) from err
    return out


def csv_header(path: Path, config: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(file, field names) of a (compressed) CSV's header line, split by ``ingest.csv_separator``
    or the separator the reader sniffs (:func:`~.csvfile.csv_columns`)."""
    separator = config.get("ingest", {}).get("csv_separator")
    return [(str(path), csv_columns(path, separator))]


def jsonl_header(path: Path, config: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(file, keys) of a (compressed) JSON Lines file's first object
    (:func:`~.jsonl.jsonl_columns`): what the reader takes the file's fields from."""
    max_review_bytes = config.get("ingest", {}).get("max_review_bytes", MAX_REVIEW_BYTES)
    return [(str(path), jsonl_columns(path, max_review_bytes))]


#: Field-name readers by input format (``auto`` resolves to one first).
HEADER_READERS: dict[str, HeaderReader] = {
    "parquet": HeaderReader(parquet_header),
    "csv": HeaderReader(csv_header, fold_case=True, aliases=_CSV_ALIASES),
    "jsonl": HeaderReader(jsonl_header),
}


def _present(names: Iterable[str], columns: Mapping[str, str], reader: HeaderReader) -> set[str]:
    """The contract columns ``names`` holds, through ``columns`` (contract column -> field):
    a mapped column by its field; an unmapped one by its own name (or legacy alias) unless that
    field is mapped to another column."""

    def key(name: str) -> str:
        return name.strip().lower() if reader.fold_case else name

    have = {key(n) for n in names}
    mapped = {key(str(f)) for f in columns.values()}
    present = set()
    for column in ("text", "label", "rating", "review_id", "split"):
        if column in columns:
            if key(str(columns[column])) in have:
                present.add(column)
            continue
        own = [key(column)] + ([key(reader.aliases[column])] if column in reader.aliases else [])
        if any(n in have and n not in mapped for n in own):
            present.add(column)
    return present


def input_columns(config: Mapping[str, Any]) -> tuple[str, list[tuple[str, set[str]]]] | None:
    """(format, [(file, contract columns it holds)]) of the configured local input; None for a
    download (``input_url``) or a form whose fields are fixed (aclImdb). :class:`IngestError`
    for a missing or unreadable input."""
    path = config.get("input_path")
    if not path:
        return None
    fmt = config.get("input_format", "auto")
    fmt = detect_format(str(path)) if fmt == "auto" else fmt
    p = require_exists(path)
    reader = HEADER_READERS.get(fmt)
    if reader is None:
        return None
    columns = dict(config.get("ingest", {}).get("columns") or {})
    return fmt, [(f, _present(names, columns, reader)) for f, names in reader.read(p, config)]


def _label_column(files: list[tuple[str, set[str]]], fmt: str) -> bool:
    """Whether the files have a label column: all of them, or none (else :class:`IngestError`)."""
    with_label = [f for f, present in files if "label" in present]
    if not with_label or len(with_label) == len(files):
        return bool(with_label)
    without = next(f for f, present in files if "label" not in present)
    raise IngestError(
        f"{without} has no label column but {with_label[0]} has one: a corpus has labels in "
        f"every file or in none. Fix: add the label column to every {fmt} file of the folder, "
        f"or drop it from all of them (then labels come from ratings, or there are none)."
    )


def input_labels(config: Mapping[str, Any]) -> str:
    """``given``, ``from_ratings`` or ``none`` (see the module docstring), from column names.

    ``from_ratings`` when any file has a rating column (ingest then refuses a review without a
    rating, naming it). :class:`IngestError` for a missing or unreadable input, or a folder
    whose files disagree about the label column.
    """
    if not config.get("input_path"):
        return "given"  # a download: assumed labelled, as the aclImdb release is
    found = input_columns(config)
    if found is None:
        return "given"
    fmt, files = found
    if _label_column(files, fmt):
        return "given"
    derive = config.get("ingest", {}).get("labels_from_ratings", {}) is not None
    if derive and any("rating" in present for _, present in files):
        return "from_ratings"
    return "none"
