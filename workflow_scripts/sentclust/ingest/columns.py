"""``ingest.columns``: which field of the source holds each contract column.

A Parquet, CSV or JSON Lines input whose fields are named otherwise (a Yelp or Amazon dump's
``body``/``stars``) is read through the mapping ``{contract column: source field}``, e.g.
``{text: body, rating: stars}``. A contract column that is not mapped is read from the field of
its own name, when the source has one (and that field is not mapped to another column); every
other field of the source is ignored.

- :func:`mapping_problems` / :func:`check_mapping`: the mapping itself (the config check at
  parse time, and the reader's guard): known contract columns, non-empty names, no field
  mapped twice;
- :func:`source_fields`: the fields one source has for the contract columns, a mapped field
  that is not there being an error naming the key, the field and the fields found;
- :func:`check_mapping_applies`: the aclImdb forms have fixed fields, so a mapping is refused;
- :func:`fields_read`: what a reader logs (the fields read, and those ignored).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .contract import COLUMNS
from .errors import IngestError

__all__ = [
    "MAPPABLE",
    "check_mapping",
    "check_mapping_applies",
    "fields_read",
    "mapping_problems",
    "source_fields",
]

#: The contract columns a source field can be mapped to: every column of the contract.
MAPPABLE: tuple[str, ...] = COLUMNS
#: The input formats whose fields ``ingest.columns`` renames.
MAPPED_FORMATS = ("parquet", "csv", "jsonl")
_FIX = (
    "Fix: set `ingest.columns` to {contract column: source field}, e.g. {text: body, rating: stars}"
)


def mapping_problems(columns: Any) -> list[str]:
    """What is wrong with ``ingest.columns`` (an empty list when nothing): not a mapping, an
    unknown contract column, a field name that is not a non-empty string, one field mapped to
    two contract columns."""
    if columns is None:
        return []
    if not isinstance(columns, Mapping):
        return [f"ingest.columns {columns!r} is not a mapping. {_FIX}."]
    problems = []
    for key, field in columns.items():
        if key not in MAPPABLE:
            problems.append(
                f"ingest.columns.{key}: {key!r} is not a contract column (one of "
                f"{', '.join(MAPPABLE)}). {_FIX}."
            )
        elif not isinstance(field, str) or not field.strip():
            problems.append(
                f"ingest.columns.{key}: {field!r} is not a field name. {_FIX} (a non-empty name)."
            )
    by_field: dict[str, list[str]] = {}
    for key, field in columns.items():
        if isinstance(field, str):
            by_field.setdefault(field, []).append(str(key))
    for field, keys in by_field.items():
        if len(keys) > 1:
            problems.append(
                f"ingest.columns maps {' and '.join(keys)} to the same field {field!r}; each "
                f"source field can be one contract column only. Fix: map each of "
                f"{', '.join(keys)} to its own field (or drop all but one)."
            )
    return problems


def check_mapping(columns: Any) -> dict[str, str]:
    """``ingest.columns`` as a dict (``{}`` for None); :class:`IngestError` listing
    :func:`mapping_problems`."""
    problems = mapping_problems(columns)
    if problems:
        raise IngestError(" ".join(problems))
    return dict(columns or {})


def check_mapping_applies(columns: Any, fmt: str) -> None:
    """:class:`IngestError` when ``ingest.columns`` is set for a format whose fields are fixed
    (the aclImdb folder and archive)."""
    if columns and fmt not in MAPPED_FORMATS:
        raise IngestError(
            f"ingest.columns {dict(columns)!r} is set, but the input is {fmt} (fixed fields: "
            f"the review files, their folders and names). ingest.columns renames the fields "
            f"of {', '.join(MAPPED_FORMATS)} inputs only. Fix: remove ingest.columns from the "
            f"config, or point `input_path` at such a file."
        )


def _lookup(found: Iterable[str], fold_case: bool) -> dict[str, str]:
    """Each found name by the key it is matched with (itself, or stripped and lower-cased)."""
    out: dict[str, str] = {}
    for name in found:
        out.setdefault(str(name).strip().lower() if fold_case else str(name), str(name))
    return out


def source_fields(
    found: Iterable[str],
    columns: Mapping[str, str] | None,
    where: str,
    *,
    fold_case: bool = False,
) -> dict[str, str]:
    """``{contract column: source field}`` for the contract columns ``found`` (the source's
    field names) holds, through ``columns`` (``ingest.columns``, checked): a mapped column's
    field must be there, else :class:`IngestError` naming the key, the field and the fields
    found; an unmapped column is read from the field of its own name unless that field is
    mapped to another column. ``fold_case``: names match stripped and in any case (a CSV
    header)."""
    columns = check_mapping(columns)
    found = list(found)
    names = _lookup(found, fold_case)

    def key(name: str) -> str:
        return name.strip().lower() if fold_case else name

    out: dict[str, str] = {}
    for column, field in columns.items():
        if key(field) not in names:
            shown = ", ".join(repr(str(f)) for f in found) or "(none)"
            raise IngestError(
                f"{where}: ingest.columns.{column} names the field {field!r}, which is not in "
                f"the input; its fields are {shown}. Fix: set ingest.columns.{column} to one "
                f"of those fields (or remove it from ingest.columns)."
            )
        out[column] = names[key(field)]
    taken = {key(f) for f in columns.values()}
    for column in MAPPABLE:
        if column not in out and key(column) in names and key(column) not in taken:
            out[column] = names[key(column)]
    return out


def fields_read(found: Mapping[str, str], fields: Iterable[str]) -> str:
    """``text <- 'body', rating <- 'stars'; ignored: 'user', 'date'``: the contract columns read
    from which source fields, and the source's other fields (what a reader logs)."""
    read = ", ".join(f"{column} <- {field!r}" for column, field in found.items())
    used = set(found.values())
    ignored = [repr(str(f)) for f in fields if str(f) not in used]
    return read + (f"; ignored: {', '.join(ignored)}" if ignored else "; no other fields")
