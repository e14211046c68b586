"""Caps on how much an input may hold, checked while it is read (before the bytes are kept).

- ``ingest.max_review_bytes`` (:data:`~.contract.MAX_REVIEW_BYTES`): one review;
- ``ingest.max_total_bytes`` (:data:`MAX_TOTAL_BYTES`): all reviews together (the aclImdb
  release's 50,000 reviews hold 65 MB), spent by :class:`TotalCap` as review files and archive
  members are read, taken from a Parquet file's metadata before its text is decoded, spent on a
  CSV file's decompressed bytes as they are read (:func:`read_capped`), and on each JSON Lines
  review's text as its line is read;
- ``ingest.max_archive_members`` (:data:`MAX_ARCHIVE_MEMBERS`): members of a tar archive, all
  kinds counted (the release has about 100,000; each costs memory while the archive is read).

:func:`read_text_table` reads a Parquet file's columns with its text column's sizes checked
before the texts are decoded (the Parquet reader's and the new texts' of ``assign``).

The defaults are the config schema's (``config/schema.yaml``); these constants are the same
values, for callers without a config (the command-line tool). A too small cap fails with a
message naming the place, the cap and the key to raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import IngestError, fail_first, show

__all__ = [
    "MAX_ARCHIVE_MEMBERS",
    "MAX_TOTAL_BYTES",
    "TotalCap",
    "check_cap_setting",
    "check_parquet_metadata",
    "dictionary_text_sizes",
    "read_capped",
    "read_text_table",
    "text_sizes",
    "too_many_members",
]

#: Default cap on all reviews' bytes together (config ``ingest.max_total_bytes``: 128 MiB,
#: twice the aclImdb release's 65 MB of review text).
MAX_TOTAL_BYTES = 1 << 27
#: Default cap on a tar archive's members (config ``ingest.max_archive_members``; the release
#: has about 100,000).
MAX_ARCHIVE_MEMBERS = 200_000
_RAISE = "or raise `ingest.{key}` in the config if the input is really that large"


def check_cap_setting(key: str, value: Any, default: int) -> None:
    """:class:`IngestError` unless ``value`` (config ``ingest.<key>``) is a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise IngestError(
            f"ingest.{key} {value!r} must be a positive whole number. Fix: set it in the "
            f"config (default {default})."
        )


class TotalCap:
    """The bytes of reviews read so far, against ``ingest.max_total_bytes``."""

    def __init__(self, max_total_bytes: int = MAX_TOTAL_BYTES, *, fix: str | None = None) -> None:
        self.limit = max_total_bytes
        self.used = 0
        #: what the message advises (ingest's: check the input, or raise the config key)
        self.fix = fix

    @property
    def left(self) -> int:
        return self.limit - self.used

    def spend(self, size: int, where: str, what: str = "") -> None:
        """Count ``size`` more bytes, read at ``where``; fail once the total passes the cap."""
        self.used += int(size)
        if self.used <= self.limit:
            return
        fix = self.fix or (
            "check that the input is the reviews (not another file, or an archive that unpacks "
            "to far more than it holds), " + _RAISE.format(key="max_total_bytes") + "."
        )
        raise IngestError(
            f"{where}: {what or 'the reviews read up to here'} hold {self.used} bytes, more "
            f"than ingest.max_total_bytes ({self.limit}); the aclImdb release's 50,000 reviews "
            f"hold 65 MB. Fix: {fix}"
        )

    def within(self) -> TotalCap:
        """A fresh cap of the same limit and advice (one file's own check)."""
        return TotalCap(self.limit, fix=self.fix)


#: bytes read at a time from a (decompressed) stream
CHUNK_BYTES = 1 << 20


def read_capped(stream: BinaryIO, cap: TotalCap, where: str, what: str) -> bytes:
    """All bytes of ``stream`` (a decompressing one: they are counted as they come out),
    read a chunk at a time and spent on ``cap``: a stream that holds more than ``cap`` allows
    (a compression bomb) stops within one chunk of the cap, before the rest is decompressed."""
    chunks = []
    while chunk := stream.read(min(CHUNK_BYTES, max(cap.left, 0) + 1)):
        cap.spend(len(chunk), where, what)
        chunks.append(chunk)
    return b"".join(chunks)


def too_many_members(archive: str, count: int, limit: int) -> IngestError:
    return IngestError(
        f"{archive}: more than ingest.max_archive_members ({limit}) members (stopped at member "
        f"{count}); the aclImdb release has about 100,000. Fix: point `input_path` at the "
        f"aclImdb_v1.tar.gz release archive, " + _RAISE.format(key="max_archive_members") + "."
    )


def _leaf_columns(meta: pq.FileMetaData, column: str) -> list[int]:
    """The Parquet leaf columns of the top-level column ``column`` (one, or several for a
    list or struct)."""
    row_group = meta.row_group(0)
    return [
        i
        for i in range(meta.num_columns)
        if row_group.column(i).path_in_schema.split(".")[0] == column
    ]


def check_parquet_metadata(pfile: pq.ParquetFile, column: str, where: str, cap: TotalCap) -> None:
    """:class:`IngestError` when ``column`` alone takes more than ``cap``'s limit uncompressed, as
    the Parquet metadata says before any page is decoded (a little more than the texts: it
    counts lengths and page statistics too), or has more rows than the limit has bytes (one
    byte per review at least: a dictionary-encoded column stores each distinct text once, so
    its rows can hold far more than its pages; :func:`text_sizes` counts them after reading)."""
    meta = pfile.metadata
    leaves = _leaf_columns(meta, column) if meta.num_row_groups else []
    size = sum(
        meta.row_group(g).column(i).total_uncompressed_size
        for g in range(meta.num_row_groups)
        for i in leaves
    )
    what = (
        f"its `{column}` column's {meta.num_rows} rows (Parquet metadata, before decoding: "
        f"{size} bytes uncompressed)"
    )
    cap.within().spend(max(size, meta.num_rows), where, what)


def text_sizes(column: pa.ChunkedArray) -> np.ndarray:
    """The UTF-8 size of each row of a string column (0 for a null); a dictionary-encoded one
    is sized from its dictionary and indices, without decoding its rows."""
    if not pa.types.is_dictionary(column.type):
        lengths = pc.binary_length(column).fill_null(0)
        return lengths.to_numpy().astype(np.int64)
    return dictionary_text_sizes(column)


def dictionary_text_sizes(column: pa.ChunkedArray) -> np.ndarray:
    """The UTF-8 size of each row of a dictionary-encoded string column, computed from its
    dictionary and indices without decoding the rows (0 for a null)."""
    sizes = []
    for chunk in column.chunks:
        lengths = pc.binary_length(chunk.dictionary)
        per_row = pc.take(lengths, chunk.indices)
        sizes.append(per_row.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64))
    return np.concatenate(sizes) if sizes else np.zeros(0, dtype=np.int64)


def _is_text_type(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def read_text_table(
    f: Path | str,
    text_column: str,
    columns: Sequence[str] | None,
    *,
    max_review_bytes: int,
    cap: TotalCap,
    id_column: str | None = None,
) -> pa.Table:
    """``columns`` (None: all) of one Parquet file, the sizes of its ``text_column`` checked
    before the texts are decoded: the metadata's against ``cap``'s limit
    (:func:`check_parquet_metadata`), then each row's size (a dictionary-encoded column's from
    its dictionary) against ``max_review_bytes`` and their sum against what is left of ``cap``.
    Dictionary-encoded strings come back decoded. Messages name the row (and its ``id_column``
    value when there is one). Raises :class:`IngestError`."""
    try:
        pfile = pq.ParquetFile(f)  # reads the footer only
        schema = pfile.schema_arrow
        if text_column in schema.names:
            check_parquet_metadata(pfile, text_column, str(f), cap)
            if _is_text_type(schema.field(text_column).type):
                # the dictionary stays encoded: its rows are sized before they are decoded
                pfile = pq.ParquetFile(f, read_dictionary=[text_column])
        names = [c for c in (schema.names if columns is None else columns) if c in schema.names]
        table = pfile.read(columns=names)
    except (pa.ArrowException, OSError) as err:
        raise IngestError(
            f"{f}: could not read it as Parquet ({err}). Fix: check that the file is a "
            f"complete Parquet file (re-copy or re-export it), or remove it from the folder."
        ) from err
    if text_column in table.column_names and _is_text_type(_value_type(table[text_column])):
        _check_text_sizes(table, text_column, str(f), max_review_bytes, cap, id_column)
    return _decode_dictionaries(table)


def _value_type(column: pa.ChunkedArray) -> pa.DataType:
    """The column's type, or the values' type of a dictionary-encoded one."""
    return column.type.value_type if pa.types.is_dictionary(column.type) else column.type


def _check_text_sizes(
    table: pa.Table,
    text_column: str,
    f: str,
    max_review_bytes: int,
    cap: TotalCap,
    id_column: str | None,
) -> None:
    """Each row of the string ``text_column`` up to ``max_review_bytes``, all of them within
    ``cap`` (a dictionary-encoded column is sized from its dictionary: its rows are not
    decoded)."""
    sizes = text_sizes(table[text_column])
    ids = table[id_column] if id_column in table.column_names else None

    def at(row: int) -> str:
        named = "" if ids is None else f", {id_column} {show(ids[row].as_py())}"
        return f"{f} row {row} (0-based row within this file)" + named

    fail_first(
        sizes > max_review_bytes,
        at,
        lambda i: (
            f"{sizes[i]} bytes, more than ingest.max_review_bytes ({max_review_bytes}); real "
            f"reviews are under 14 KB"
        ),
        "remove that row if it is not a review, or raise `ingest.max_review_bytes` in the config.",
    )
    cap.spend(int(sizes.sum()), f, "its texts")


def _decode_dictionaries(table: pa.Table) -> pa.Table:
    """Dictionary-encoded string columns as plain strings."""
    for index, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type) and _is_text_type(field.type.value_type):
            column = table.column(index).cast(field.type.value_type)
            table = table.set_column(index, field.name, column)
    return table
