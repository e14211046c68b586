"""JSON Lines input: ``.jsonl`` or ``.ndjson``, plain or compressed (``.gz``, ``.bz2``, ``.xz``),
one JSON object per line (how Yelp and Amazon review dumps ship).

The file is streamed line by line: only the contract fields of each object are kept
(``ingest.columns`` names them; every other key is ignored), and each line is read with a
length limit, so neither a huge line nor a compression bomb is held in memory. The texts' UTF-8
bytes are counted as they are read: one review up to ``ingest.max_review_bytes``, all of them
up to ``ingest.max_total_bytes``.

Which contract fields the file has is what its first object has (as the workflow sees it when it
builds the DAG, :func:`jsonl_columns`): every later object must have the same ones. Blank lines
(whitespace only) are skipped; they count in the line numbers of messages. Values: see
:mod:`.records`; ``review_id`` is ``jsonl_<n>`` when the file has none (``n`` the 0-based
object number).
"""

from __future__ import annotations

import json
import logging
import lzma
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from .columns import MAPPABLE, fields_read, source_fields
from .contract import MAX_REVIEW_BYTES, REENCODE
from .detect import open_decompressed, require_exists
from .errors import IngestError, show
from .limits import MAX_TOTAL_BYTES, TotalCap
from .records import records_frame

__all__ = ["jsonl_columns", "line_limit", "read_jsonl_input"]

_log = logging.getLogger(__name__)
_DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
               int: "a number", float: "a number", type(None): "null"}  # fmt: skip


def line_limit(max_review_bytes: int) -> int:
    """The longest line read: room for a review at ``max_review_bytes`` written with JSON's
    ``\\uXXXX`` escapes (6 bytes for a byte at worst) and 64 KiB of other fields."""
    return 6 * max_review_bytes + (1 << 16)


def _kind(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


class _Reader:
    """One JSON Lines file being read: the contract fields of its objects, checked per line."""

    def __init__(self, path: Path, columns, max_review_bytes: int, cap: TotalCap) -> None:
        self.where = str(path)
        self.columns = columns
        self.max_review_bytes = max_review_bytes
        self.cap = cap
        self.found: dict[str, str] | None = None  # contract column -> key, from the first object
        self.fields: dict[str, list[Any]] = {}
        self.lines: list[int] = []
        self.absent: list[str] = []

    def fail(self, line: int, problem: str, fix: str) -> IngestError:
        return IngestError(f"{self.where} line {line}: {problem}. Fix: {fix}")

    def parse(self, raw: bytes, line: int) -> dict | None:
        """The object of one line, None for a blank line."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise self.fail(
                line,
                f"byte {err.start} of the line (0x{raw[err.start]:02x}) is not valid UTF-8",
                REENCODE.format("the file") + " or correct that line",
            ) from None
        if not text.strip():
            return None
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as err:
            raise self.fail(
                line,
                f"not JSON ({err.msg} at character {err.pos + 1})",
                "write one JSON object per line (a JSON array file is not JSON Lines: e.g. "
                "`jq -c '.[]' file.json > file.jsonl`), or remove that line",
            ) from None
        if not isinstance(obj, dict):
            raise self.fail(
                line, f"{_kind(obj)}, not a JSON object", "write one JSON object per line"
            )
        return obj

    def first(self, obj: dict, line: int) -> None:
        """The contract fields of the file, from its first object (``text`` required)."""
        self.found = source_fields(obj, self.columns, f"{self.where} line {line}")
        if "text" not in self.found:
            raise self.fail(
                line,
                f"no key 'text' (the review); the object has the keys "
                f"{', '.join(repr(k) for k in obj) or '(none)'}",
                "name the review's key text, or set ingest.columns.text to its key (e.g. "
                "ingest.columns: {text: body})",
            )
        self.fields = {column: [] for column in self.found}
        _log.info("%s: %s (the first object's keys)", self.where, fields_read(self.found, obj))
        mapped = dict(self.columns or {})
        taken = set(mapped.values())
        keys = {c: mapped.get(c, c) for c in MAPPABLE if c in mapped or c not in taken}
        #: the keys of the contract columns the first object lacks
        self.absent = [key for column, key in keys.items() if column not in self.found]

    def add(self, obj: dict, line: int) -> None:
        """Keep the contract fields of one object, its text checked and counted."""
        assert self.found is not None
        for column, key in self.found.items():
            if key not in obj:
                raise self.fail(
                    line,
                    f"no key {key!r} ({column}), which the file's first object has; the object "
                    f"has the keys {', '.join(repr(k) for k in obj) or '(none)'}",
                    f"give every object the key {key!r} (null for an unknown rating), or "
                    f"remove that line",
                )
            self.fields[column].append(obj[key])
        text = obj[self.found["text"]]
        if not isinstance(text, str):
            raise self.fail(
                line,
                f"the review {self.found['text']!r} is "
                + ("null" if text is None else f"{_kind(text)} ({show(text)}), not a string"),
                "write the review as a JSON string, or remove that line",
            )
        size = len(text.encode("utf-8"))
        if size > self.max_review_bytes:
            raise self.fail(
                line,
                f"the review holds {size} bytes, more than ingest.max_review_bytes "
                f"({self.max_review_bytes}); real reviews are under 14 KB",
                "remove that line if it is not a review, or raise `ingest.max_review_bytes`",
            )
        self.cap.spend(size, f"{self.where} line {line}", "the reviews read up to here")
        self.lines.append(line)

    def read(self, stream: BinaryIO) -> None:
        limit = line_limit(self.max_review_bytes)
        line = 0
        while raw := stream.readline(limit + 1):
            line += 1
            if len(raw) > limit:
                raise self.fail(
                    line,
                    f"the line is longer than {limit} bytes (6 x ingest.max_review_bytes + 64 KiB)",
                    "check that the file is JSON Lines (one review per line), or raise "
                    "`ingest.max_review_bytes`",
                )
            obj = self.parse(raw, line)
            if obj is None:
                continue
            if self.found is None:
                self.first(obj, line)
            self.extra_keys(obj, line)
            self.add(obj, line)

    def extra_keys(self, obj: dict, line: int) -> None:
        """A contract field that a later object has and the first one lacks is an error: the
        DAG was built from the first object's fields."""
        extra = [key for key in self.absent if key in obj]
        if extra:
            raise self.fail(
                line,
                f"the object has {', '.join(map(repr, extra))}, which the file's first object "
                f"lacks (the workflow reads the file's fields from its first object)",
                "give every object the same contract keys (null for an unknown rating)",
            )


def read_jsonl_input(
    path: str,
    *,
    test_fraction: float,
    seed: int,
    max_review_bytes: int = MAX_REVIEW_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a JSON Lines file (plain, ``.gz``, ``.bz2`` or ``.xz``) as a contract frame (see
    the module's docstring); the split, when the objects have none, as for a CSV
    (:func:`~.policies.seeded_split`: ``test_fraction``, ``seed``)."""
    p = require_exists(path)
    reader = _Reader(p, columns, max_review_bytes, TotalCap(max_total_bytes))
    try:
        with open_decompressed(p) as stream:
            reader.read(stream)
    except _DECOMPRESS_ERRORS as err:
        raise IngestError(
            f"{path}: could not decompress it ({err}). Fix: check that the file is complete "
            f"and compressed as its name says (.gz gzip, .bz2 bzip2, .xz xz), or re-export it."
        ) from None
    if reader.found is None:
        raise IngestError(
            f"{path}: no JSON objects in the file (it is empty or blank). Fix: point "
            f"`input_path` at the reviews, one JSON object per line."
        )

    def at(row: int) -> str:
        return f"{path} line {reader.lines[row]}"

    return records_frame(
        reader.fields, reader.found, at, prefix="jsonl", test_fraction=test_fraction, seed=seed
    )


def jsonl_columns(path: str | Path, max_review_bytes: int = MAX_REVIEW_BYTES) -> list[str]:
    """The keys of a (compressed) JSON Lines file's first object (cheap: the workflow calls it
    when it builds the DAG; blank lines before it skipped). :class:`IngestError` when that line
    is not a JSON object or the file cannot be read; ``[]`` for an empty file."""
    reader = _Reader(Path(path), None, max_review_bytes, TotalCap())
    limit = line_limit(max_review_bytes)
    try:
        with open_decompressed(path) as stream:
            line = 0
            while raw := stream.readline(limit + 1):
                line += 1
                if len(raw) > limit:
                    raise reader.fail(
                        line, f"the line is longer than {limit} bytes", "check the file"
                    )
                obj = reader.parse(raw, line)
                if obj is not None:
                    return [str(k) for k in obj]
    except _DECOMPRESS_ERRORS as err:
        raise IngestError(
            f"{path}: could not read its first line ({err}). Fix: check that the file is "
            f"complete and compressed as its name says, or point `input_path` at another input."
        ) from None
    return []
