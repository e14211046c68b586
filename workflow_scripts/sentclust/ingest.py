"""Ingest stage: read reviews from any accepted input form into one table of the reviews contract.

Accepted inputs (``input_path`` in the config, ``input_format`` ``auto`` or one of these):

- ``parquet``: a ``.parquet`` file, or a folder of ``*.parquet`` files (read in sorted name order).
  Needs the columns ``text`` and ``label``; ``split``, ``rating`` and ``review_id`` are optional.
- ``aclimdb``: an extracted ``aclImdb/`` folder of the original release (or a folder that holds
  one): ``{train,test}/{pos,neg}/<id>_<rating>.txt``.
- ``aclimdb_tar``: the release archive ``aclImdb_v1.tar.gz`` (also ``.tgz``/``.tar``), read
  member by member without extracting anything to disk.
- ``csv``: the common single CSV with the columns ``review,sentiment`` (no ratings, no split).

The result is one pandas DataFrame with exactly the columns of
:data:`sentclust.files.REVIEWS_SCHEMA`:

======== ========================= =====================================================
column   dtype                     meaning
======== ========================= =====================================================
review_id str (unique)             e.g. ``train_pos_0_9`` for aclImdb ``train/pos/0_9.txt``
split    str                       ``train`` or ``test``
text     str                       the review, unchanged (strict UTF-8)
label    int8                      1 positive, 0 negative
rating   Int8 (pandas nullable)    star rating 1-10, ``<NA>`` where unknown (CSV)
======== ========================= =====================================================

Row order: split (train, then test), label (0, then 1), then the source's own order (numeric
id ascending for aclImdb; file then row order for Parquet; line order for CSV). This is the
order of the shared ``train.parquet``/``test.parquet`` files.

Every problem with the input raises :class:`IngestError`, whose message names the file, the
row (or line, or archive member) and the problem, and says how to fix it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .files import REVIEWS_SCHEMA, SPLITS, package_versions

__all__ = [
    "COLUMNS",
    "DUPLICATE_POLICIES",
    "FORMATS",
    "IngestError",
    "apply_duplicate_policy",
    "detect_format",
    "filter_splits",
    "find_duplicate_texts",
    "ingest",
    "read_aclimdb_dir",
    "read_aclimdb_tar",
    "read_csv_input",
    "read_parquet_input",
    "sort_reviews",
    "stratified_subsample",
    "summarize",
    "to_table",
    "validate_reviews",
]

#: Column names of the reviews contract, in order.
COLUMNS: tuple[str, ...] = tuple(REVIEWS_SCHEMA.names)
#: Input formats ``ingest`` understands (``auto`` picks one with :func:`detect_format`).
FORMATS: tuple[str, ...] = ("parquet", "aclimdb", "aclimdb_tar", "csv")
#: Policies for reviews whose exact text occurs more than once.
DUPLICATE_POLICIES: tuple[str, ...] = ("keep", "drop")

#: Row order of the contract: text of the row order, for the summary.
ROW_ORDER = "split (train, test), label (0, 1), then source order (numeric id for aclImdb)"

_LABEL_DIRS = {"neg": 0, "pos": 1}
_LABEL_NAMES = {0: "neg", 1: "pos"}
_LABEL_WORDS = {"neg": 0, "negative": 0, "pos": 1, "positive": 1}
_SPLIT_RANK = {s: i for i, s in enumerate(SPLITS)}
_ACL_NAME = re.compile(r"([0-9]+)_([0-9]+)\.txt")
_SPLIT_STEM = re.compile(r"(train|test)(?:[-_.].*)?", re.IGNORECASE)
_TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar")

_ACCEPTED_FORMS = (
    "a .parquet file or a folder of *.parquet files; an extracted aclImdb/ folder (with "
    "train/ or test/ holding pos/ and neg/), or a folder containing one; the aclImdb_v1.tar.gz "
    "archive (.tar.gz, .tgz or .tar); or a .csv file with the columns review,sentiment"
)
_PATH_FIX = (
    "Fix: set `input_path` in the config (config/config.yaml, or "
    "`snakemake --config input_path=...`) to an existing input"
)


class IngestError(ValueError):
    """A problem with the input reviews; the message names file, row and problem and a fix."""


# --------------------------------------------------------------------------------------------
# small helpers


def _show(value: Any, limit: int = 60) -> str:
    """A short printable form of a cell value for error messages."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "null (missing)"
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _contract_frame(review_id: Any, split: Any, text: Any, label: Any, rating: Any) -> pd.DataFrame:
    """Assemble the five contract columns with the contract dtypes (fresh RangeIndex)."""

    def plain(values: Any) -> Any:
        return values.to_numpy() if isinstance(values, pd.Series) else values

    return pd.DataFrame(
        {
            "review_id": pd.Series(plain(review_id), dtype="str"),
            "split": pd.Series(plain(split), dtype="str"),
            "text": pd.Series(plain(text), dtype="str"),
            "label": pd.Series(plain(label), dtype="int8"),
            "rating": pd.Series(pd.array(plain(rating), dtype="Int8")),
        }
    )


def _first_true(mask: Any) -> int:
    return int(np.flatnonzero(np.asarray(mask, dtype=bool))[0])


def _how_many(mask: Any) -> str:
    n = int(np.asarray(mask, dtype=bool).sum())
    return "" if n <= 1 else f" ({n} rows have this problem; the first is shown)"


def _as_plain_series(s: pd.Series) -> pd.Series:
    """Categorical (dictionary-encoded) columns become plain object columns."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return pd.Series(np.asarray(s, dtype=object), index=s.index)
    return s


def _is_text_dtype(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.StringDtype)


# --------------------------------------------------------------------------------------------
# format detection


def _has_acl_layout(folder: Path) -> bool:
    return any((folder / split / lab).is_dir() for split in SPLITS for lab in _LABEL_DIRS)


def _aclimdb_root(folder: Path) -> Path | None:
    """``folder`` itself when it has the aclImdb layout, else ``folder/aclImdb`` if that has it."""
    if _has_acl_layout(folder):
        return folder
    inner = folder / "aclImdb"
    if inner.is_dir() and _has_acl_layout(inner):
        return inner
    return None


def _require_exists(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise IngestError(f"input path '{path}' does not exist. {_PATH_FIX}: {_ACCEPTED_FORMS}.")
    return p


def detect_format(path: str) -> str:
    """Tell the input form of ``path``: ``parquet``, ``aclimdb``, ``aclimdb_tar`` or ``csv``.

    A folder is ``aclimdb`` when it (or its ``aclImdb/`` subfolder) has ``train/`` or ``test/``
    with ``pos/``/``neg/`` subfolders, else ``parquet`` when it holds ``*.parquet`` files.
    A file is told by its suffix (``.parquet``; ``.tar.gz``/``.tgz``/``.tar``; ``.csv``).
    """
    p = _require_exists(path)
    if p.is_dir():
        if _aclimdb_root(p) is not None:
            return "aclimdb"
        if any(p.glob("*.parquet")):
            return "parquet"
        raise IngestError(
            f"cannot tell the input format of folder '{path}': it holds no *.parquet files "
            f"and no aclImdb layout (train/ or test/ with pos/ and neg/ subfolders). "
            f"Accepted inputs: {_ACCEPTED_FORMS}. {_PATH_FIX}, or set `input_format`."
        )
    name = p.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(_TAR_SUFFIXES):
        return "aclimdb_tar"
    if name.endswith(".csv"):
        return "csv"
    raise IngestError(
        f"cannot tell the input format of file '{path}' from its name. Accepted inputs: "
        f"{_ACCEPTED_FORMS}. Fix: rename the file to one of these suffixes, set `input_format` "
        f"(one of {', '.join(FORMATS)}), or point `input_path` at another input."
    )


# --------------------------------------------------------------------------------------------
# Parquet


_NULLABLE_TYPES = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def _labels_from_values(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(labels as int8 with -1 for invalid, invalid mask) for 0/1 ints, bools or pos/neg words."""
    s = _as_plain_series(s)
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        bad = s.isna().to_numpy()
        out = s.fillna(False).astype("int8").to_numpy()
    elif pd.api.types.is_integer_dtype(dtype):
        bad = (s.isna() | ~s.isin([0, 1])).to_numpy()
        out = s.where(~bad, -1).astype("int8").to_numpy()
    elif _is_text_dtype(s):
        mapped = s.str.strip().str.lower().map(_LABEL_WORDS)
        bad = mapped.isna().to_numpy()
        out = mapped.fillna(-1).astype("int8").to_numpy()
    elif dtype is np.dtype(object):  # mixed Python values: one look per value is unavoidable

        def one(v: Any) -> int:
            if isinstance(v, bool | np.bool_):
                return int(v)
            if isinstance(v, int | np.integer) and v in (0, 1):
                return int(v)
            if isinstance(v, str):
                return _LABEL_WORDS.get(v.strip().lower(), -1)
            return -1

        out = np.fromiter((one(v) for v in s), dtype="int8", count=len(s))
        bad = out < 0
    else:  # floats, dates, ...: not an accepted label type
        out = np.full(len(s), -1, dtype="int8")
        bad = np.ones(len(s), dtype=bool)
    return out, bad


def _ratings_from_values(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(ratings as Int8 with <NA> for unknown, invalid mask): integers 1..10 or null."""
    s = _as_plain_series(s)
    n = len(s)
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        if s.isna().all():
            return pd.Series(pd.array([pd.NA] * n, dtype="Int8")), np.zeros(n, dtype=bool)
        bad = s.notna().to_numpy()
        return pd.Series(pd.array([pd.NA] * n, dtype="Int8")), bad
    values = pd.to_numeric(s).astype("Float64")
    missing = values.isna()
    ok = missing | ((values >= 1) & (values <= 10) & (values == values.round()))
    bad = ~ok.fillna(False).to_numpy(dtype=bool)
    clean = values.where(ok & ~missing)
    return pd.Series(clean.astype("Int8").array), bad


def _arrow_type_name(table: pa.Table, column: str) -> str:
    return str(table.schema.field(column).type)


def _read_one_parquet(f: Path) -> tuple[pd.DataFrame, bool]:
    """One Parquet file as a contract frame; the flag says whether review ids were generated."""
    where = str(f)
    try:
        pfile = pq.ParquetFile(f)
        names = pfile.schema_arrow.names
        wanted = [c for c in COLUMNS if c in names]
        table = pfile.read(columns=wanted)
    except (pa.ArrowException, OSError) as err:
        raise IngestError(
            f"{where}: could not read it as Parquet ({err}). Fix: check that the file is a "
            f"complete Parquet file (re-copy or re-export it), or remove it from the folder."
        ) from err
    missing = [c for c in ("text", "label") if c not in names]
    if missing:
        raise IngestError(
            f"{where}: missing required column(s) {', '.join(missing)}; found columns "
            f"{', '.join(names) or '(none)'}. A Parquet input needs `text` (the review) and "
            f"`label` (0/1, true/false or pos/neg); `split`, `rating` and `review_id` are "
            f"optional. Fix: rename or add the columns."
        )
    for column in ("text", "review_id", "split"):
        if column in names and pa.types.is_dictionary(table.schema.field(column).type):
            table = table.set_column(
                table.schema.get_field_index(column),
                column,
                table.column(column).cast(table.schema.field(column).type.value_type),
            )
    frame = table.to_pandas(types_mapper=_NULLABLE_TYPES.get)
    n = len(frame)
    row_note = "(0-based row within this file)"

    def fail(row: int, problem: str, fix: str, mask: Any = None) -> IngestError:
        extra = _how_many(mask) if mask is not None else ""
        return IngestError(f"{where} row {row} {row_note}: {problem}{extra}. Fix: {fix}")

    # text
    text = _as_plain_series(frame["text"])
    if not _is_text_dtype(text):
        if text.dtype == object and text.map(lambda v: isinstance(v, str) or v is None).all():
            text = text.astype("str")
        else:
            raise IngestError(
                f"{where}: column `text` has type {_arrow_type_name(table, 'text')}, not string. "
                f"Fix: store the reviews as UTF-8 strings."
            )
    null_text = text.isna().to_numpy()
    if null_text.any():
        row = _first_true(null_text)
        raise fail(
            row,
            "review text is missing (null)",
            "remove that row or fill in the review.",
            null_text,
        )
    stripped = text.str.strip()
    empty = (text.str.len() == 0).to_numpy()
    if empty.any():
        row = _first_true(empty)
        raise fail(row, "empty review text", "remove that row or fill in the review.", empty)
    blank = (stripped.str.len() == 0).to_numpy()
    if blank.any():
        row = _first_true(blank)
        raise fail(
            row, "review text is only whitespace", "remove that row or fill in the review.", blank
        )

    # label
    label, bad = _labels_from_values(frame["label"])
    if bad.any():
        row = _first_true(bad)
        raise fail(
            row,
            f"label {_show(frame['label'].iloc[row])} is not a valid label (column type "
            f"{_arrow_type_name(table, 'label')}); accepted: integers 0/1, booleans, or the "
            f"strings pos/neg/positive/negative",
            "correct the label (1 or pos = positive, 0 or neg = negative) or drop the row.",
            bad,
        )

    # split
    if "split" in frame.columns:
        raw = _as_plain_series(frame["split"])
        if _is_text_dtype(raw) or raw.dtype == object:
            split = raw.astype("str").str.strip().str.lower()
            bad = (raw.isna() | ~split.isin(SPLITS)).to_numpy()
        else:
            split = pd.Series(np.full(n, "", dtype=object))
            bad = np.ones(n, dtype=bool)
        if bad.any():
            row = _first_true(bad)
            raise fail(
                row,
                f"split {_show(raw.iloc[row])} is not one of {', '.join(SPLITS)}",
                "set the `split` column to train or test in every row.",
                bad,
            )
    else:
        m = _SPLIT_STEM.fullmatch(f.stem)
        if m is None:
            raise IngestError(
                f"{where}: no `split` column, and the file name '{f.name}' does not say the "
                f"split. Fix: add a `split` column (train/test), or name the files "
                f"train.parquet and test.parquet."
            )
        split = pd.Series(np.full(n, m.group(1).lower(), dtype=object))

    # rating
    if "rating" in frame.columns:
        rating, bad = _ratings_from_values(frame["rating"])
        if bad.any():
            row = _first_true(bad)
            raise fail(
                row,
                f"rating {_show(frame['rating'].iloc[row])} is not an integer 1-10 or null "
                f"(column type {_arrow_type_name(table, 'rating')})",
                "correct the rating (whole stars 1-10), set it to null, or drop the column.",
                bad,
            )
    else:
        rating = pd.Series(pd.array([pd.NA] * n, dtype="Int8"))

    # review_id
    generated = "review_id" not in frame.columns
    if generated:
        rating_part = pd.Series(
            np.where(rating.isna(), "", "_" + rating.astype("Int64").astype(str).fillna("")),
            dtype="str",
        )
        review_id = (
            split.astype("str").reset_index(drop=True)
            + "_"
            + pd.Series(np.where(label == 1, "pos", "neg"), dtype="str")
            + "_"
            + pd.Series(np.arange(n).astype(str), dtype="str")
            + rating_part
        )
    else:
        raw = _as_plain_series(frame["review_id"])
        if pd.api.types.is_integer_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            review_id = raw.astype("Int64").astype("str")
        elif _is_text_dtype(raw) or raw.dtype == object:
            review_id = raw.astype("str")
        else:
            raise IngestError(
                f"{where}: column `review_id` has type {_arrow_type_name(table, 'review_id')}; "
                f"it must be strings (or integers). Fix: convert it, or drop the column to have "
                f"ids generated."
            )
        bad = (raw.isna() | (review_id.str.strip().str.len() == 0)).to_numpy()
        if bad.any():
            row = _first_true(bad)
            raise fail(
                row,
                "review_id is missing or empty",
                "give every row a unique review_id, or drop the column.",
                bad,
            )
        dup = review_id.duplicated(keep=False).to_numpy()
        if dup.any():
            first = _first_true(dup)
            rows = np.flatnonzero((review_id == review_id.iloc[first]).to_numpy())
            raise IngestError(
                f"{where}: review_id {review_id.iloc[first]!r} appears in rows "
                f"{', '.join(str(r) for r in rows[:5])} (0-based rows within this file); "
                f"review ids must be unique. Fix: make the ids unique, or drop the column to "
                f"have ids generated."
            )

    df = _contract_frame(review_id, split, text, label, rating)
    return df, generated


def read_parquet_input(path: str) -> pd.DataFrame:
    """Read a Parquet file, or every ``*.parquet`` file of a folder (by sorted name), as one frame.

    Needs the columns ``text`` and ``label`` (integers 0/1 of any int type, booleans, or the
    strings pos/neg/positive/negative in any case); other columns are ignored except:

    - ``split`` (train/test); when absent, it comes from the file name (``train.parquet``,
      ``test.parquet``, also ``train-00000-of-00001.parquet``);
    - ``rating`` (integers 1-10 or null; absent means unknown);
    - ``review_id`` (unique strings or integers); when absent it is generated as
      ``<split>_<pos|neg>_<row-within-file>`` plus ``_<rating>`` when the rating is known, and
      prefixed with ``<file stem>_`` when that is needed to keep ids unique across files.

    Rows keep file order, then row order within each file.
    """
    p = _require_exists(path)
    if p.is_dir():
        files = sorted(p.glob("*.parquet"), key=lambda f: f.name)
        if not files:
            raise IngestError(
                f"folder '{path}' holds no *.parquet files. {_PATH_FIX} (a .parquet file or a "
                f"folder of them), or set `input_format` to the input's real form."
            )
    else:
        files = [p]
    parts = [_read_one_parquet(f) for f in files]
    frames = [frame for frame, _ in parts]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(files) > 1:
        owner = np.repeat(np.arange(len(files)), [len(f) for f in frames])
        row_in_file = np.concatenate([np.arange(len(f)) for f in frames])
        dup = df["review_id"].duplicated(keep=False).to_numpy()
        if dup.any() and any(generated for _, generated in parts):
            # generated ids of different files collide: prefix them with the file stem
            for i, (frame, generated) in enumerate(parts):
                if generated:
                    frame["review_id"] = files[i].stem + "_" + frame["review_id"]
            df = pd.concat(frames, ignore_index=True)
            dup = df["review_id"].duplicated(keep=False).to_numpy()
        if dup.any():
            first = _first_true(dup)
            rid = df["review_id"].iloc[first]
            rows = np.flatnonzero((df["review_id"] == rid).to_numpy())[:2]
            places = " and ".join(f"{files[owner[r]]} row {row_in_file[r]}" for r in rows)
            raise IngestError(
                f"review_id {rid!r} appears twice: {places} (0-based rows within each file); "
                f"review ids must be unique across all input files. Fix: make the ids unique, "
                f"or drop the review_id columns to have ids generated."
            )
    return df


# --------------------------------------------------------------------------------------------
# aclImdb (folder and archive)


def _is_review_member(parts: Sequence[str]) -> bool:
    """Whether a relative path is a review file ``<split>/<pos|neg>/<name>`` (any prefix).

    Everything else of the release (``unsup/``, ``urls_*.txt``, ``*.feat``, ``imdb.vocab``,
    ``README``) and hidden files (``.DS_Store``, ``._*``) are not review files.
    """
    return (
        len(parts) >= 3
        and parts[-3] in SPLITS
        and parts[-2] in _LABEL_DIRS
        and not parts[-1].startswith(".")
    )


def _parse_aclimdb_files(
    items: Iterable[tuple[Sequence[str], bytes]], *, describe: Callable[[Sequence[str]], str]
) -> pd.DataFrame:
    """Turn (relative path parts, file bytes) pairs of review files into a sorted contract frame.

    ``parts`` ends with ``<split>, <pos|neg>, <id>_<rating>.txt``; ``describe(parts)`` names the
    file (or archive member) in error messages. Shared by the folder and the archive readers.
    """
    ids: list[str] = []
    splits: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    ratings: list[int] = []
    numbers: list[int] = []
    for parts, data in items:
        split, lab, name = parts[-3], parts[-2], parts[-1]
        m = _ACL_NAME.fullmatch(name)
        if m is None:
            raise IngestError(
                f"{describe(parts)}: file name '{name}' in {split}/{lab}/ is not "
                f"<id>_<rating>.txt (e.g. 0_9.txt), so its id and star rating are unknown. "
                f"Fix: rename it to <id>_<rating>.txt or move it out of the {lab}/ folder."
            )
        number, rating = int(m.group(1)), int(m.group(2))
        if not 1 <= rating <= 10:
            raise IngestError(
                f"{describe(parts)}: rating {rating} in the file name is outside 1-10. "
                f"Fix: rename the file to <id>_<rating>.txt with a rating 1-10, or remove it."
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise IngestError(
                f"{describe(parts)}: byte offset {err.start} (0x{data[err.start]:02x}) is not "
                f"valid UTF-8 ({err.reason}). Fix: re-save that file as UTF-8 (e.g. "
                f"`iconv -f latin1 -t utf-8`) or replace it with the original release's copy."
            ) from None
        if not text.strip():
            raise IngestError(
                f"{describe(parts)}: {'empty' if not text else 'whitespace-only'} review text. "
                f"Fix: remove that file or fill in the review."
            )
        ids.append(f"{split}_{lab}_{number}_{rating}")
        splits.append(split)
        texts.append(text)
        labels.append(_LABEL_DIRS[lab])
        ratings.append(rating)
        numbers.append(number)
    if not ids:
        raise IngestError(
            "no review files found (expected <split>/<pos|neg>/<id>_<rating>.txt, e.g. "
            "train/pos/0_9.txt)"
        )
    split_arr = np.asarray(splits, dtype=object)
    label_arr = np.asarray(labels, dtype=np.int8)
    num_arr = np.asarray(numbers, dtype=np.int64)
    rank = np.fromiter((_SPLIT_RANK[s] for s in splits), dtype=np.int64, count=len(splits))
    order = np.lexsort((num_arr, label_arr, rank))
    key = pd.DataFrame({"rank": rank[order], "label": label_arr[order], "num": num_arr[order]})
    dup = key.duplicated(keep=False).to_numpy()
    if dup.any():
        i = _first_true(dup)
        same = [ids[order[j]] for j in range(i, min(i + 2, len(order)))]
        names = " and ".join(f"{r.split('_', 2)[2]}.txt" for r in same)
        raise IngestError(
            f"two review files with id {num_arr[order[i]]} in {split_arr[order[i]]}/"
            f"{_LABEL_NAMES[int(label_arr[order[i]])]}/: {names}. Each id must occur once per "
            f"folder. Fix: remove the extra copy."
        )
    return _contract_frame(
        np.asarray(ids, dtype=object)[order],
        split_arr[order],
        np.asarray(texts, dtype=object)[order],
        label_arr[order],
        np.asarray(ratings, dtype=np.int64)[order],
    )


def read_aclimdb_dir(path: str) -> pd.DataFrame:
    """Read an extracted aclImdb folder (or a folder containing ``aclImdb/``).

    Reads ``{train,test}/{pos,neg}/<id>_<rating>.txt``; ``unsup/`` and every other file of the
    release (``urls_*.txt``, ``*.feat``, ``imdb.vocab``, ``README``) and hidden files are
    ignored. Text is the file's bytes decoded as strict UTF-8; the rating comes from the file
    name; review_id is ``<split>_<pos|neg>_<id>_<rating>`` (as in the shared Parquet files).
    """
    p = _require_exists(path)
    root = _aclimdb_root(p) if p.is_dir() else None
    if root is None:
        raise IngestError(
            f"'{path}' is not an extracted aclImdb folder: expected train/ or test/ with pos/ "
            f"and neg/ subfolders in it (or in its aclImdb/ subfolder). {_PATH_FIX}: "
            f"{_ACCEPTED_FORMS}."
        )

    def items() -> Iterator[tuple[tuple[str, ...], bytes]]:
        for split in SPLITS:
            for lab in _LABEL_DIRS:
                folder = root / split / lab
                if not folder.is_dir():
                    continue
                for f in folder.iterdir():
                    parts = (split, lab, f.name)
                    if _is_review_member(parts) and not f.is_dir():
                        yield parts, f.read_bytes()

    try:
        return _parse_aclimdb_files(items(), describe=lambda parts: str(root.joinpath(*parts)))
    except IngestError as err:
        if str(err).startswith("no review files"):
            raise IngestError(f"{root}: {err}. {_PATH_FIX}.") from None
        raise


def read_aclimdb_tar(path: str) -> pd.DataFrame:
    """Read the aclImdb release archive (``.tar.gz``, ``.tgz`` or ``.tar``) without extracting it.

    Members are streamed with :mod:`tarfile` and parsed exactly like :func:`read_aclimdb_dir`
    (``aclImdb/train/pos/0_9.txt``; an archive without the top ``aclImdb/`` folder works too).
    """
    p = _require_exists(path)
    archive = p.name

    def describe(parts: Sequence[str]) -> str:
        return f"{archive} member {'/'.join(parts)}"

    try:
        with tarfile.open(p, mode="r:*") as tar:

            def items() -> Iterator[tuple[tuple[str, ...], bytes]]:
                for member in tar:
                    if not member.isfile():
                        continue
                    parts = PurePosixPath(member.name).parts
                    if not _is_review_member(parts):
                        continue
                    handle = tar.extractfile(member)
                    if handle is None:
                        continue
                    yield parts, handle.read()

            return _parse_aclimdb_files(items(), describe=describe)
    except IngestError as err:
        if str(err).startswith("no review files"):
            raise IngestError(
                f"{p}: {err} among the archive's members. Fix: point `input_path` at the "
                f"aclImdb_v1.tar.gz release archive (members aclImdb/train/pos/0_9.txt, ...)."
            ) from None
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise IngestError(
            f"{p}: could not read it as a tar archive ({type(err).__name__}: {err}). Fix: "
            f"download the archive again (it may be truncated) and check its SHA-256 "
            f"(`input_sha256`), or point `input_path` at the extracted folder."
        ) from err


# --------------------------------------------------------------------------------------------
# CSV


def _csv_record_lines(text: str) -> list[int]:
    """1-based line number where each data record starts (header excluded, blank lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    starts: list[int] = []
    previous = 0
    for row in reader:
        if row:
            starts.append(previous + 1)
        previous = reader.line_num
    return starts[1:]


def read_csv_input(path: str, *, test_fraction: float, seed: int) -> pd.DataFrame:
    """Read the common single CSV (columns ``review,sentiment``; sentiment positive/negative).

    The file is decoded as strict UTF-8 first (a leading BOM is allowed); column names are
    matched case-insensitively and other columns are ignored. All ratings are ``<NA>`` (the CSV
    has none). ``review_id`` is ``csv_<row>``, ``row`` being the 0-based data row (the header is
    not counted; it is line ``row + 2`` of the file when no review spans several lines).

    The CSV has no train/test split, so one is assigned: per label (negative, then positive),
    ``round(test_fraction * n_label)`` rows drawn with ``numpy.random.default_rng(seed)``
    become ``test`` and the rest ``train``, i.e. a seeded split stratified by label
    (config ``ingest.csv_test_fraction``, default 0.5, and ``seed``).
    """
    p = _require_exists(path)
    where = str(path)
    if not isinstance(test_fraction, int | float) or not 0 < float(test_fraction) < 1:
        raise IngestError(
            f"csv_test_fraction {test_fraction!r} must be a number strictly between 0 and 1. "
            f"Fix: set `ingest.csv_test_fraction` in the config (0.5 splits the CSV in halves)."
        )
    data = p.read_bytes()
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + bom
        line = data.count(b"\n", 0, offset) + 1
        raise IngestError(
            f"{where} line {line}: byte offset {offset} (0x{data[offset]:02x}) is not valid "
            f"UTF-8 ({err.reason}). Fix: re-save the file as UTF-8 (e.g. `iconv -f latin1 -t "
            f"utf-8`) or correct that line."
        ) from None
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
    missing = [c for c in ("review", "sentiment") if c not in by_name]
    if missing:
        raise IngestError(
            f"{where}: missing column(s) {', '.join(missing)}; found columns "
            f"{', '.join(str(c) for c in frame.columns) or '(none)'}. The CSV form needs the "
            f"columns review (the text) and sentiment (positive/negative). Fix: rename the "
            f"header line to review,sentiment (or use a Parquet input)."
        )
    reviews = frame[by_name["review"]].astype("str")
    sentiment = frame[by_name["sentiment"]].astype("str")
    n = len(frame)
    if n == 0:
        raise IngestError(f"{where}: no reviews after the header line. Fix: add the reviews.")

    def line_of(row: int) -> int:
        return _csv_record_lines(text)[row]

    empty = (reviews.str.len() == 0).to_numpy()
    if empty.any():
        row = _first_true(empty)
        raise IngestError(
            f"{where} line {line_of(row)}: empty review text{_how_many(empty)}. "
            f"Fix: remove that line or fill in the review."
        )
    blank = (reviews.str.strip().str.len() == 0).to_numpy()
    if blank.any():
        row = _first_true(blank)
        raise IngestError(
            f"{where} line {line_of(row)}: review text is only whitespace{_how_many(blank)}. "
            f"Fix: remove that line or fill in the review."
        )
    mapped = sentiment.str.strip().str.lower().map(_LABEL_WORDS)
    bad = mapped.isna().to_numpy()
    if bad.any():
        row = _first_true(bad)
        raise IngestError(
            f"{where} line {line_of(row)}: sentiment {_show(sentiment.iloc[row])} is not "
            f"positive or negative{_how_many(bad)}. Fix: correct it to positive or negative "
            f"(pos/neg also work), or remove that line."
        )
    label = mapped.astype("int8").to_numpy()

    rng = np.random.default_rng(seed)
    split = np.full(n, "train", dtype=object)
    for lab in (0, 1):
        members = np.flatnonzero(label == lab)
        k = int(np.floor(float(test_fraction) * len(members) + 0.5))
        if k:
            split[rng.choice(members, size=k, replace=False)] = "test"
    review_id = "csv_" + pd.Series(np.arange(n).astype(str), dtype="str")
    return _contract_frame(review_id, split, reviews, label, [pd.NA] * n)


# --------------------------------------------------------------------------------------------
# checks and policies on the combined frame


def validate_reviews(df: pd.DataFrame, source: str) -> None:
    """Last guard on a combined frame: columns, splits, labels, ratings, texts, unique ids.

    Rows in messages are 0-based positions in ``df``. Raises :class:`IngestError`.
    """
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise IngestError(
            f"{source}: the reviews table lacks column(s) {', '.join(missing)}; found "
            f"{', '.join(map(str, df.columns))}. Fix: provide {', '.join(COLUMNS)}."
        )
    ids = df["review_id"]

    def fail(mask: Any, problem: Callable[[int], str], fix: str) -> IngestError:
        row = _first_true(mask)
        return IngestError(
            f"{source} row {row} (review_id {_show(ids.iloc[row])}): {problem(row)}"
            f"{_how_many(mask)}. Fix: {fix}"
        )

    bad = (ids.isna() | (ids.astype("str").str.strip().str.len() == 0)).to_numpy()
    if bad.any():
        raise fail(bad, lambda r: "missing or empty review_id", "give every review a unique id.")
    split = df["split"]
    bad = (~split.isin(SPLITS)).to_numpy()
    if bad.any():
        raise fail(
            bad,
            lambda r: f"split {_show(split.iloc[r])} is not one of {', '.join(SPLITS)}",
            "set split to train or test.",
        )
    label = df["label"]
    bad = (label.isna() | ~label.isin([0, 1])).to_numpy()
    if bad.any():
        raise fail(
            bad,
            lambda r: f"label {_show(label.iloc[r])} is not 0 or 1",
            "use 1 for positive and 0 for negative.",
        )
    rating = df["rating"]
    numeric = pd.to_numeric(rating, errors="coerce")
    bad = (rating.notna() & ~numeric.isin(range(1, 11))).to_numpy()
    if bad.any():
        raise fail(
            bad,
            lambda r: f"rating {_show(rating.iloc[r])} is not an integer 1-10 or null",
            "correct the rating or set it to null.",
        )
    text = df["text"]
    bad = text.isna().to_numpy()
    if bad.any():
        raise fail(
            bad,
            lambda r: "review text is missing (null)",
            "remove that review or fill in its text.",
        )
    bad = (text.astype("str").str.strip().str.len() == 0).to_numpy()
    if bad.any():
        raise fail(
            bad,
            lambda r: "empty or whitespace-only review text",
            "remove that review or fill in its text.",
        )
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        first = _first_true(dup)
        rows = np.flatnonzero((ids == ids.iloc[first]).to_numpy())
        raise IngestError(
            f"{source}: review_id {ids.iloc[first]!r} is used by rows {rows[0]} and {rows[1]}"
            f"{_how_many(ids.duplicated(keep='first'))}; review ids must be unique. Fix: make "
            f"the ids unique (or let the reader generate them)."
        )


def sort_reviews(df: pd.DataFrame) -> pd.DataFrame:
    """Stable sort into the contract order: split (train, test), label (0, 1), source order."""
    rank = df["split"].map(_SPLIT_RANK).to_numpy(dtype=np.int64)
    key = rank * 2 + df["label"].to_numpy(dtype=np.int64)
    order = np.argsort(key, kind="stable")
    if np.array_equal(order, np.arange(len(df))):
        return df.reset_index(drop=True)
    return df.iloc[order].reset_index(drop=True)


def find_duplicate_texts(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose exact text already appeared earlier in row order, with that first occurrence.

    Columns: ``row`` (0-based position), ``review_id``, ``split``, ``label``, then ``first_row``,
    ``first_review_id``, ``first_split``, ``first_label`` of the text's first occurrence. Its
    length is the number of rows minus the number of distinct texts.
    """
    n = len(df)
    codes, _ = pd.factorize(df["text"], use_na_sentinel=False)
    _, first_index = np.unique(codes, return_index=True)
    first = first_index[codes] if n else np.zeros(0, dtype=np.int64)
    rows = np.flatnonzero(first != np.arange(n))
    firsts = first[rows]
    ids = df["review_id"].to_numpy()
    splits = df["split"].to_numpy()
    labels = df["label"].to_numpy()
    return pd.DataFrame(
        {
            "row": rows.astype(np.int64),
            "review_id": pd.Series(ids[rows], dtype="str"),
            "split": pd.Series(splits[rows], dtype="str"),
            "label": labels[rows],
            "first_row": firsts.astype(np.int64),
            "first_review_id": pd.Series(ids[firsts], dtype="str"),
            "first_split": pd.Series(splits[firsts], dtype="str"),
            "first_label": labels[firsts],
        }
    )


def apply_duplicate_policy(df: pd.DataFrame, policy: str) -> tuple[pd.DataFrame, dict]:
    """Apply the duplicate-text policy ``keep`` (report only) or ``drop``.

    ``drop`` removes every row whose exact text already appeared earlier in row order, so on a
    frame in the contract order it removes within-split repeats and test rows that repeat a
    train text. The info dict holds ``policy``, ``duplicate_text_rows`` (rows minus distinct
    texts), ``cross_split_duplicate_rows`` (repeats whose first occurrence is in another split)
    and ``dropped``.
    """
    if policy not in DUPLICATE_POLICIES:
        raise IngestError(
            f"unknown duplicate_texts policy {policy!r}. Fix: set `ingest.duplicate_texts` in "
            f"the config to one of {', '.join(DUPLICATE_POLICIES)}."
        )
    dups = find_duplicate_texts(df)
    info = {
        "policy": policy,
        "duplicate_text_rows": int(len(dups)),
        "cross_split_duplicate_rows": int((dups["split"] != dups["first_split"]).sum()),
        "dropped": 0,
    }
    if policy == "drop" and len(dups):
        keep = np.ones(len(df), dtype=bool)
        keep[dups["row"].to_numpy()] = False
        df = df.iloc[np.flatnonzero(keep)].reset_index(drop=True)
        info["dropped"] = int(len(dups))
    return df, info


def filter_splits(df: pd.DataFrame, splits: Sequence[str]) -> pd.DataFrame:
    """Keep the rows of the listed splits (a subset of train/test, each present in ``df``)."""
    wanted = [splits] if isinstance(splits, str) else list(splits)
    if not wanted:
        raise IngestError(
            f"no split requested. Fix: set `ingest.splits` to a non-empty subset of {list(SPLITS)}."
        )
    unknown = [s for s in wanted if s not in SPLITS]
    if unknown:
        raise IngestError(
            f"unknown split name(s) {', '.join(map(repr, unknown))}. Fix: set `ingest.splits` "
            f"to a subset of {list(SPLITS)}."
        )
    present = [s for s in SPLITS if (df["split"] == s).any()]
    absent = [s for s in wanted if s not in present]
    if absent:
        raise IngestError(
            f"split(s) {', '.join(absent)} requested in `ingest.splits` but the input holds "
            f"only: {', '.join(present) or 'no rows'}. Fix: set `ingest.splits` to "
            f"{present} or use an input with those splits."
        )
    if set(wanted) >= set(present):
        return df.reset_index(drop=True)
    return df[df["split"].isin(wanted).to_numpy()].reset_index(drop=True)


def stratified_subsample(df: pd.DataFrame, n: int | None, seed: int) -> pd.DataFrame:
    """A seeded sample of exactly ``n`` rows, stratified by (split, label, rating).

    A missing rating is a stratum of its own. Stratum sizes are allocated in proportion to the
    strata by the largest-remainder method (ties go to the earlier stratum in (split, label,
    rating) order); rows of each stratum are drawn without replacement with one
    ``numpy.random.default_rng(seed)`` visiting the strata in that order. The result keeps the
    original row order. ``n=None`` returns ``df`` unchanged.
    """
    if n is None:
        return df
    total = len(df)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= total:
        raise IngestError(
            f"subsample size {n!r} must be a whole number from 1 to the number of reviews "
            f"({total}). Fix: set `ingest.subsample` to such a number, or null to keep all."
        )
    rank = df["split"].map(_SPLIT_RANK).to_numpy(dtype=np.int64)
    rating = df["rating"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)  # 0 = null
    key = (rank * 2 + df["label"].to_numpy(dtype=np.int64)) * 11 + rating
    strata, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    quota = (int(n) * counts) // total
    remainder = (int(n) * counts) % total
    short = int(n) - int(quota.sum())
    if short:
        by_remainder = np.lexsort((np.arange(len(strata)), -remainder))
        quota[by_remainder[:short]] += 1
    rng = np.random.default_rng(seed)
    members_by_stratum = np.argsort(inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    chosen = []
    for s in range(len(strata)):
        if quota[s]:
            members = members_by_stratum[bounds[s] : bounds[s + 1]]
            chosen.append(rng.choice(members, size=int(quota[s]), replace=False))
    picked = np.sort(np.concatenate(chosen))
    return df.iloc[picked].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# summary, table, whole stage


def summarize(
    df: pd.DataFrame,
    *,
    source: str,
    fmt: str,
    duplicates: dict,
    extra: dict | None = None,
) -> dict:
    """A JSON-able summary of the ingested reviews (``extra`` keys are added at the top level).

    Keys: ``source``, ``format``, ``n_reviews``, ``counts_per_split``, ``counts_per_split_label``
    (label keys "0"/"1"), ``counts_per_split_rating`` (rating keys as strings, "null" for
    missing), ``n_missing_rating``, ``rating_label_conflicts`` (known ratings that disagree with
    the label: label 1 with rating <= 4, or label 0 with rating >= 7),
    ``ratings_consistent_with_labels`` (no conflicts), ``text_length_chars`` (min/median/max
    characters overall and per split), ``duplicates`` (the duplicate-policy info),
    ``row_order`` and ``package_versions``.
    """
    present = [s for s in SPLITS if (df["split"] == s).any()]
    label = df["label"].to_numpy(dtype=np.int64)
    rating = df["rating"]
    known = rating.notna().to_numpy()
    r = rating.astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    conflicts = int((known & (((label == 1) & (r <= 4)) | ((label == 0) & (r >= 7)))).sum())
    lengths = df["text"].str.len().to_numpy(dtype=np.int64)
    splits = df["split"].to_numpy()

    def length_stats(values: np.ndarray) -> dict:
        if not len(values):
            return {"min": None, "median": None, "max": None}
        median = float(np.median(values))
        return {
            "min": int(values.min()),
            "median": int(median) if median.is_integer() else median,
            "max": int(values.max()),
        }

    per_label: dict[str, dict[str, int]] = {}
    per_rating: dict[str, dict[str, int]] = {}
    for s in present:
        in_split = splits == s
        per_label[s] = {str(v): int((in_split & (label == v)).sum()) for v in (0, 1)}
        values, counts = np.unique(r[in_split & known], return_counts=True)
        per_rating[s] = {str(int(v)): int(c) for v, c in zip(values, counts, strict=True)}
        n_null = int((in_split & ~known).sum())
        if n_null:
            per_rating[s]["null"] = n_null

    summary: dict[str, Any] = {
        "source": str(source),
        "format": fmt,
        "n_reviews": int(len(df)),
        "counts_per_split": {s: int((splits == s).sum()) for s in present},
        "counts_per_split_label": per_label,
        "counts_per_split_rating": per_rating,
        "n_missing_rating": int((~known).sum()),
        "rating_label_conflicts": conflicts,
        "ratings_consistent_with_labels": conflicts == 0,
        "text_length_chars": {
            **length_stats(lengths),
            "by_split": {s: length_stats(lengths[splits == s]) for s in present},
        },
        "duplicates": dict(duplicates),
        "row_order": ROW_ORDER,
        "package_versions": package_versions(["pandas", "pyarrow", "numpy"]),
    }
    if extra:
        summary.update(extra)
    return summary


def to_table(df: pd.DataFrame) -> pa.Table:
    """The reviews frame as a pyarrow Table with exactly :data:`REVIEWS_SCHEMA`."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise IngestError(
            f"cannot build the reviews table: missing column(s) {', '.join(missing)}. "
            f"Fix: pass a frame from ingest()."
        )
    return pa.Table.from_pandas(df[list(COLUMNS)], schema=REVIEWS_SCHEMA, preserve_index=False)


def _read(path: str, fmt: str, *, seed: int, csv_test_fraction: float) -> pd.DataFrame:
    if fmt == "parquet":
        return read_parquet_input(path)
    if fmt == "aclimdb":
        return read_aclimdb_dir(path)
    if fmt == "aclimdb_tar":
        return read_aclimdb_tar(path)
    return read_csv_input(path, test_fraction=csv_test_fraction, seed=seed)


def ingest(
    path: str,
    *,
    fmt: str = "auto",
    splits: Sequence[str] = ("train", "test"),
    subsample: int | None = None,
    seed: int = 42,
    duplicate_texts: str = "keep",
    csv_test_fraction: float = 0.5,
) -> tuple[pd.DataFrame, dict]:
    """The whole ingest stage; returns (reviews frame in contract order, summary dict).

    Steps: detect the format (``fmt="auto"``) and read; :func:`validate_reviews`; sort into the
    contract order; :func:`apply_duplicate_policy`; :func:`filter_splits`;
    :func:`stratified_subsample` (``subsample`` rows, ``seed``); :func:`summarize`.
    """
    splits = [splits] if isinstance(splits, str) else list(splits)
    if fmt == "auto":
        fmt = detect_format(path)
    elif fmt not in FORMATS:
        raise IngestError(
            f"unknown input_format {fmt!r}. Fix: set `input_format` to auto or one of "
            f"{', '.join(FORMATS)}."
        )
    else:
        _require_exists(path)
    if duplicate_texts not in DUPLICATE_POLICIES:  # fail before the (slow) read
        apply_duplicate_policy(pd.DataFrame(columns=list(COLUMNS)), duplicate_texts)
    df = _read(path, fmt, seed=seed, csv_test_fraction=csv_test_fraction)
    n_read = len(df)
    validate_reviews(df, source=str(path))
    df = sort_reviews(df)
    df, duplicates = apply_duplicate_policy(df, duplicate_texts)
    df = filter_splits(df, splits)
    df = stratified_subsample(df, subsample, seed)
    df = sort_reviews(df)
    extra: dict[str, Any] = {
        "n_read": int(n_read),
        "splits_kept": [s for s in SPLITS if s in splits],
        "subsample": subsample,
        "seed": seed,
    }
    if fmt == "csv":
        extra["csv_test_fraction"] = csv_test_fraction
    summary = summarize(df, source=str(path), fmt=fmt, duplicates=duplicates, extra=extra)
    return df, summary
