"""New reviews to place on a finished run's scale, as the command-line tool and rule assign read
them: texts given on the command line, or a file (``.txt`` one review per line, ``.csv`` or
``.parquet`` with a text column), an aclImdb folder or archive (:func:`from_path`), or standard
input (one review per line).

Every reader returns a frame with ``text_id`` and ``text`` (and ``label``/``rating`` where the
file has them) and refuses, naming the place and the fix: an empty or whitespace-only text,
bytes that are not UTF-8, a table without a text column, an empty input.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sentclust.ingest.aclimdb import read_aclimdb_dir, read_aclimdb_tar
from sentclust.ingest.contract import REENCODE, decode_utf8
from sentclust.ingest.detect import TAR_SUFFIXES
from sentclust.ingest.errors import IngestError

#: accepted names of the text column (any case), in order of preference
TEXT_COLUMNS = ("text", "review")
#: optional columns carried along (any case)
EXTRA_COLUMNS = ("label", "rating")
#: a table's own ids (any case), used as text_id when given and unique
ID_COLUMNS = ("review_id", "text_id", "id")


class NewTextError(ValueError):
    """New texts that cannot be placed as given."""


def _frame(texts: Sequence[str], where: Sequence[str], extra: dict | None = None) -> pd.DataFrame:
    empty = [w for t, w in zip(texts, where, strict=True) if not str(t).strip()]
    if empty:
        shown = ", ".join(empty[:5]) + (f" and {len(empty) - 5} more" if len(empty) > 5 else "")
        raise NewTextError(
            f"{len(empty)} empty or whitespace-only text(s): {shown}. Fix: remove them (a review "
            "needs words to be placed)"
        )
    if not len(texts):
        raise NewTextError("no texts were given. Fix: give texts, --file FILE, or - for stdin")
    frame = pd.DataFrame({"text_id": [f"new_{i}" for i in range(len(texts))], "text": list(texts)})
    for name, values in (extra or {}).items():
        frame[name] = list(values)
    return frame


def from_arguments(texts: Sequence[str]) -> pd.DataFrame:
    """Texts given on the command line, one per argument."""
    return _frame(list(texts), [f"argument {i + 1}" for i in range(len(texts))])


def _decode(data: bytes, where: str) -> str:
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0

    def at(offset: int) -> str:
        line = data.count(b"\n", 0, offset) + 1
        return f"{where} line {line}"

    try:
        return decode_utf8(data, at, REENCODE.format("the file"), skip=bom)
    except ValueError as err:
        raise NewTextError(str(err)) from None


def from_lines(data: bytes, where: str) -> pd.DataFrame:
    """One review per line (a ``.txt`` file or standard input); a final newline is not a line."""
    lines = _decode(data, where).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return _frame(lines, [f"{where} line {i + 1}" for i in range(len(lines))])


def from_table(table: pd.DataFrame, where: str) -> pd.DataFrame:
    """A CSV or Parquet table: its text column (:data:`TEXT_COLUMNS`, any case) and the
    optional :data:`EXTRA_COLUMNS`."""
    lower = {str(c).lower(): c for c in table.columns}
    column = next((lower[n] for n in TEXT_COLUMNS if n in lower), None)
    if column is None:
        raise NewTextError(
            f"{where} has no text column (columns: {', '.join(map(str, table.columns)) or 'none'})."
            f" Fix: name the column of the reviews {' or '.join(TEXT_COLUMNS)}"
        )
    texts = table[column].astype("string").fillna("").tolist()
    extra = {n: table[lower[n]].tolist() for n in EXTRA_COLUMNS if n in lower}
    rows = [f"{where} row {i + 1}" for i in range(len(texts))]
    frame = _frame(texts, rows, extra)
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


def from_file(path: str | Path) -> pd.DataFrame:
    """A ``.txt``, ``.csv`` or ``.parquet`` file of new reviews."""
    import io

    path = Path(path)
    if not path.is_file():
        raise NewTextError(
            f"{path} is not a file. Fix: give the path of a .txt, .csv or .parquet file"
        )
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return from_table(pd.read_parquet(path), str(path))
    data = path.read_bytes()
    if suffix == ".csv":
        text = _decode(data, str(path))
        try:
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            raise NewTextError(
                f"{path} is empty. Fix: a header line, then one review per row"
            ) from None
        return from_table(table, str(path))
    if suffix in (".txt", ""):
        return from_lines(data, str(path))
    raise NewTextError(
        f"{path}: files ending {suffix!r} are not read. Fix: use .txt (one review per line), "
        ".csv or .parquet (a column named text or review)"
    )


def from_path(path: str | Path) -> pd.DataFrame:
    """:func:`from_file`, or an aclImdb folder or ``.tar.gz`` archive (read by ingest, with
    its labels and ratings) for rule assign's inputs."""

    path = Path(path)
    reader = None
    if path.is_dir():
        reader = read_aclimdb_dir
    elif path.name.lower().endswith(TAR_SUFFIXES):
        reader = read_aclimdb_tar
    if reader is None:
        return from_file(path)
    try:
        reviews = reader(str(path))
    except IngestError as err:
        raise NewTextError(str(err)) from None
    return from_table(reviews[["review_id", "text", "label", "rating"]], str(path))
