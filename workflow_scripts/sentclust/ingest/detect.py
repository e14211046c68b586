"""Which input form a path holds (``parquet``, ``aclimdb``, ``aclimdb_tar``, ``csv``, ``jsonl``),
paths, and :func:`open_decompressed` (a CSV or JSON Lines file, plain or compressed, as a stream).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import stat
from pathlib import Path
from typing import BinaryIO

from .contract import LABEL_NAMES, SPLITS
from .errors import IngestError

__all__ = [
    "ACCEPTED_FORMS",
    "FORMATS",
    "PATH_FIX",
    "COMPRESSIONS",
    "aclimdb_root",
    "detect_format",
    "open_decompressed",
    "plain_name",
    "parquet_files",
    "require_exists",
    "require_regular_file",
]

#: Input formats ``ingest`` understands (``auto`` picks one with :func:`detect_format`).
FORMATS: tuple[str, ...] = ("parquet", "aclimdb", "aclimdb_tar", "csv", "jsonl")
#: File name endings of the aclImdb release archive.
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar")
#: Compressions of a CSV or JSON Lines file, by file name ending: the opener of each.
COMPRESSIONS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
#: File name endings (before any compression suffix) of each text form.
TEXT_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

ACCEPTED_FORMS = (
    "a .parquet file or a folder of *.parquet files; an extracted aclImdb/ folder (with "
    "train/ or test/ holding pos/ and neg/), or a folder containing one; the aclImdb_v1.tar.gz "
    "archive (.tar.gz, .tgz or .tar); a .csv or .tsv file (columns text and optionally label, "
    "rating, split, review_id; or review,sentiment); a .jsonl or .ndjson file (one JSON object "
    "per line); a CSV or JSON Lines file may be compressed (.gz, .bz2, .xz)"
)
PATH_FIX = (
    "Fix: set `input_path` in the config (config/config.yaml, or "
    "`snakemake --config input_path=...`) to an existing input"
)


def _has_acl_layout(folder: Path) -> bool:
    return any((folder / split / lab).is_dir() for split in SPLITS for lab in LABEL_NAMES)


def aclimdb_root(folder: Path) -> Path | None:
    """``folder`` itself when it has the aclImdb layout, else ``folder/aclImdb`` if that has it."""
    if _has_acl_layout(folder):
        return folder
    inner = folder / "aclImdb"
    if inner.is_dir() and _has_acl_layout(inner):
        return inner
    return None


def require_regular_file(path: Path, what: str) -> int:
    """The size of ``path``, a regular file (links are not followed); :class:`IngestError` for a
    symlink, FIFO, socket or device (a FIFO would block the reader forever)."""
    st = path.lstat()
    if stat.S_ISREG(st.st_mode):
        return st.st_size
    kind = (
        "a symbolic link"
        if stat.S_ISLNK(st.st_mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(st.st_mode)
        else "not a regular file"
    )
    raise IngestError(
        f"{what} '{path}' is {kind}; only regular files are read. Fix: replace it with a copy "
        f"of the file it stands for, or move it out of the input folder."
    )


def parquet_files(folder: Path) -> list[Path]:
    """The ``*.parquet`` files of ``folder`` by name; hidden files (``._x.parquet``,
    ``.x.parquet``) and temporaries (``x.parquet.tmp``) are ignored, and each must be a regular
    file (:func:`require_regular_file`)."""
    files = sorted(
        (f for f in folder.iterdir() if f.name.endswith(".parquet") and not f.name.startswith(".")),
        key=lambda f: f.name,
    )
    for f in files:
        require_regular_file(f, "Parquet input")
    return files


def require_exists(path: str | Path) -> Path:
    """``path`` as a Path; :class:`IngestError` (with the accepted forms) when it does not exist."""
    p = Path(path)
    if not p.exists():
        raise IngestError(f"input path '{path}' does not exist. {PATH_FIX}: {ACCEPTED_FORMS}.")
    return p


def plain_name(path: str | Path) -> str:
    """The file name of ``path`` in lower case without a compression suffix (``.gz``, ``.bz2``,
    ``.xz``): ``reviews.csv.gz`` -> ``reviews.csv``."""
    name = Path(path).name.lower()
    for suffix in COMPRESSIONS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def open_decompressed(path: str | Path) -> BinaryIO:
    """``path`` opened for reading bytes, decompressed as its name says (``.gz``, ``.bz2``,
    ``.xz``; any other name is read as it is). Nothing is read yet: the caller reads it in
    pieces, so the caps count the decompressed bytes as they come."""
    name = Path(path).name.lower()
    for suffix, opener in COMPRESSIONS.items():
        if name.endswith(suffix):
            return opener(path, "rb")
    return open(path, "rb")  # noqa: SIM115 (the caller closes it)


def _text_form(name: str) -> str | None:
    """``csv`` or ``jsonl`` for a (compressed) CSV/TSV or JSON Lines name, else None."""
    plain = plain_name(name)
    for suffix, form in TEXT_SUFFIXES.items():
        if plain.endswith(suffix):
            return form
    return None


def detect_format(path: str) -> str:
    """Tell the input form of ``path``: ``parquet``, ``aclimdb``, ``aclimdb_tar``, ``csv`` or
    ``jsonl``.

    A folder is ``aclimdb`` when it (or its ``aclImdb/`` subfolder) has ``train/`` or ``test/``
    with ``pos/``/``neg/`` subfolders, else ``parquet`` when it holds ``*.parquet`` files.
    A file is told by its suffix (``.parquet``; ``.tar.gz``/``.tgz``/``.tar``; ``.csv`` or
    ``.tsv``; ``.jsonl`` or ``.ndjson``; the last two also with ``.gz``, ``.bz2`` or ``.xz``).
    """
    p = require_exists(path)
    if p.is_dir():
        if aclimdb_root(p) is not None:
            return "aclimdb"
        if parquet_files(p):
            return "parquet"
        raise IngestError(
            f"cannot tell the input format of folder '{path}': it holds no *.parquet files "
            f"and no aclImdb layout (train/ or test/ with pos/ and neg/ subfolders). "
            f"Accepted inputs: {ACCEPTED_FORMS}. {PATH_FIX}, or set `input_format`."
        )
    name = p.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(TAR_SUFFIXES):
        return "aclimdb_tar"
    form = _text_form(name)
    if form is not None:
        return form
    hint = (
        " (a .json file that holds one JSON object per line is JSON Lines: rename it .jsonl)"
        if plain_name(name).endswith(".json")
        else ""
    )
    raise IngestError(
        f"cannot tell the input format of file '{path}' from its name{hint}. Accepted inputs: "
        f"{ACCEPTED_FORMS}. Fix: rename the file to one of these suffixes, set `input_format` "
        f"(one of {', '.join(FORMATS)}), or point `input_path` at another input."
    )
