"""aclImdb input: the extracted release folder, or its ``aclImdb_v1.tar.gz`` archive.

Review files are ``{train,test}/{pos,neg}/<id>_<rating>.txt``; everything else of the release
(``unsup/``, ``urls_*.txt``, ``*.feat``, ``imdb.vocab``, ``README``) and hidden files are ignored.
"""

from __future__ import annotations

import re
import stat
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import numpy as np
import pandas as pd

from .contract import (
    LABEL_NAMES,
    MAX_REVIEW_BYTES,
    REENCODE,
    SPLITS,
    check_texts,
    contract_frame,
    decode_utf8,
    first_duplicate,
    make_review_ids,
    row_key,
)
from .detect import ACCEPTED_FORMS, PATH_FIX, aclimdb_root, require_exists, require_regular_file
from .errors import IngestError, fail_first
from .limits import MAX_ARCHIVE_MEMBERS, MAX_TOTAL_BYTES, TotalCap, too_many_members
from .ratings import IMDB_SCALE

__all__ = ["read_aclimdb_dir", "read_aclimdb_tar"]

_ACL_NAME = re.compile(r"([0-9]+)_([0-9]+)\.txt")
#: What is missing when an input holds no review file.
NO_REVIEWS = (
    "no review files found (expected <split>/<pos|neg>/<id>_<rating>.txt, e.g. train/pos/0_9.txt)"
)

Describe = Callable[[Sequence[str]], str]


def _is_review_member(parts: Sequence[str]) -> bool:
    """Whether a relative path is a review file ``<split>/<pos|neg>/<name>`` (any prefix).

    Everything else of the release (``unsup/``, ``urls_*.txt``, ``*.feat``, ``imdb.vocab``,
    ``README``) and hidden files (``.DS_Store``, ``._*``) are not review files.
    """
    return (
        len(parts) >= 3
        and parts[-3] in SPLITS
        and parts[-2] in LABEL_NAMES
        and not parts[-1].startswith(".")
    )


def _id_and_rating(parts: Sequence[str], describe: Describe) -> tuple[int, int]:
    """(numeric id, star rating) from the file name ``<id>_<rating>.txt``."""
    split, lab, name = parts[-3], parts[-2], parts[-1]
    m = _ACL_NAME.fullmatch(name)
    if m is None:
        raise IngestError(
            f"{describe(parts)}: file name '{name}' in {split}/{lab}/ is not "
            f"<id>_<rating>.txt (e.g. 0_9.txt), so its id and star rating are unknown. "
            f"Fix: rename it to <id>_<rating>.txt or move it out of the {lab}/ folder."
        )
    return int(m.group(1)), int(m.group(2))


def _collect(
    items: Iterable[tuple[Sequence[str], bytes]], describe: Describe, none_found: str
) -> tuple[list[Sequence[str]], list[bytes], np.ndarray, list[int]]:
    """(path parts, bytes, numeric ids, ratings) of the review files; names checked."""
    places: list[Sequence[str]] = []
    data: list[bytes] = []
    numbers: list[int] = []
    ratings: list[int] = []
    for parts, content in items:
        number, rating = _id_and_rating(parts, describe)
        places.append(parts)
        data.append(content)
        numbers.append(number)
        ratings.append(rating)
    if not places:
        raise IngestError(none_found)
    return places, data, np.asarray(numbers, dtype=np.int64), ratings


def _texts(data: list[bytes], ratings: list[int], at: Callable[[int], str]) -> list[str]:
    """The files' texts (strict UTF-8), after the ratings; then the texts are checked."""
    fail_first(
        IMDB_SCALE.outside(pd.Series(ratings)),
        at,
        lambda i: f"rating {ratings[i]} in the file name is outside 1-10",
        "rename the file to <id>_<rating>.txt with a rating 1-10, or remove it.",
    )
    fix = REENCODE.format("that file") + " or replace it with the original release's copy."
    texts = [decode_utf8(content, lambda _, i=i: at(i), fix) for i, content in enumerate(data)]
    check_texts(
        pd.Series(texts, dtype="str"),
        at,
        "remove that file or fill in the review.",
        blank="whitespace-only review text",
    )
    return texts


def _unique_per_folder(
    split: np.ndarray, label: np.ndarray, number: np.ndarray, order: np.ndarray, ids: np.ndarray
) -> None:
    """Each numeric id once per ``<split>/<pos|neg>/`` folder (rows in ``order``)."""
    no_rating = pd.Series(pd.array([pd.NA] * len(ids), dtype="Int8"))
    dup = first_duplicate(make_review_ids(split, label, number, no_rating).iloc[order])
    if dup is None:
        return
    first = order[dup.rows[0]]
    names = " and ".join(f"{r.split('_', 2)[2]}.txt" for r in ids[order[dup.rows[:2]]])
    raise IngestError(
        f"two review files with id {number[first]} in {split[first]}/"
        f"{LABEL_NAMES[label[first]]}/: {names}. Each id must occur once per "
        f"folder. Fix: remove the extra copy."
    )


def _parse_aclimdb_files(
    items: Iterable[tuple[Sequence[str], bytes]], *, describe: Describe, none_found: str
) -> pd.DataFrame:
    """Turn (relative path parts, file bytes) pairs of review files into a sorted contract frame.

    ``parts`` ends with ``<split>, <pos|neg>, <id>_<rating>.txt``; ``describe(parts)`` names the
    file (or archive member) in error messages; ``none_found`` is the message when there is no
    review file. Shared by the folder and the archive readers. Checks, in this order: file
    names, ratings, UTF-8, texts, one file per id and folder.
    """
    places, data, number, ratings = _collect(items, describe, none_found)
    texts = _texts(data, ratings, lambda i: describe(places[i]))
    split = np.asarray([p[-3] for p in places], dtype=object)
    label = np.asarray([LABEL_NAMES.index(p[-2]) for p in places], dtype=np.int8)
    rating = np.asarray(ratings, dtype=np.int64)
    order = np.lexsort((number, row_key(split, label)))
    ids = make_review_ids(split, label, number, pd.Series(rating)).to_numpy()
    _unique_per_folder(split, label, number, order, ids)
    return contract_frame(
        ids[order],
        split[order],
        np.asarray(texts, dtype=object)[order],
        label[order],
        rating[order],
    )


def _too_big(where: str, size: int, max_review_bytes: int) -> IngestError:
    return IngestError(
        f"{where}: {size} bytes, more than ingest.max_review_bytes ({max_review_bytes}); "
        f"real reviews are under 14 KB. Fix: remove that file if it is not a review, or raise "
        f"`ingest.max_review_bytes` in the config."
    )


def _folder_reviews(
    folder: Path, place: tuple[str, str], max_review_bytes: int, cap: TotalCap
) -> Iterator[tuple[tuple[str, ...], bytes]]:
    """(path parts, bytes) of the review files of one ``<split>/<pos|neg>/`` folder. Only
    regular files are read (links are not followed, a FIFO is refused rather than blocking),
    each up to ``max_review_bytes``, all together up to ``cap``; subfolders are skipped."""
    for f in folder.iterdir():
        parts = (*place, f.name)
        if not _is_review_member(parts) or stat.S_ISDIR(f.lstat().st_mode):
            continue
        size = require_regular_file(f, "review file")
        if size > max_review_bytes:
            raise _too_big(str(f), size, max_review_bytes)
        cap.spend(size, str(f))
        with open(f, "rb") as fh:
            data = fh.read(max_review_bytes + 1)
        if len(data) > max_review_bytes:  # it grew since lstat
            raise _too_big(str(f), len(data), max_review_bytes)
        cap.spend(len(data) - size, str(f))
        yield parts, data


def read_aclimdb_dir(
    path: str, *, max_review_bytes: int = MAX_REVIEW_BYTES, max_total_bytes: int = MAX_TOTAL_BYTES
) -> pd.DataFrame:
    """Read an extracted aclImdb folder (or a folder containing ``aclImdb/``).

    Reads ``{train,test}/{pos,neg}/<id>_<rating>.txt``; ``unsup/`` and every other file of the
    release (``urls_*.txt``, ``*.feat``, ``imdb.vocab``, ``README``) and hidden files are
    ignored. Text is the file's bytes decoded as strict UTF-8; the rating comes from the file
    name; review_id is ``<split>_<pos|neg>_<id>_<rating>`` (as in the shared Parquet files).
    Review files must be regular files of at most ``max_review_bytes`` bytes, and at most
    ``max_total_bytes`` together.
    """
    p = require_exists(path)
    root = aclimdb_root(p) if p.is_dir() else None
    if root is None:
        raise IngestError(
            f"'{path}' is not an extracted aclImdb folder: expected train/ or test/ with pos/ "
            f"and neg/ subfolders in it (or in its aclImdb/ subfolder). {PATH_FIX}: "
            f"{ACCEPTED_FORMS}."
        )

    cap = TotalCap(max_total_bytes)

    def items() -> Iterator[tuple[tuple[str, ...], bytes]]:
        for split in SPLITS:
            for lab in LABEL_NAMES:
                folder = root / split / lab
                if folder.is_dir():
                    yield from _folder_reviews(folder, (split, lab), max_review_bytes, cap)

    return _parse_aclimdb_files(
        items(),
        describe=lambda parts: str(root.joinpath(*parts)),
        none_found=f"{root}: {NO_REVIEWS}. {PATH_FIX}.",
    )


class _TarCaps(NamedTuple):
    """What one archive may hold: bytes per review, reviews' bytes together, members."""

    max_review_bytes: int
    total: TotalCap
    max_members: int


def _tar_members(
    tar: tarfile.TarFile, archive: str, caps: _TarCaps
) -> Iterator[tuple[tuple[str, ...], bytes]]:
    """(path parts, bytes) of the archive's review files, in archive order. A review member must
    be a regular, non-sparse file of at most ``caps.max_review_bytes`` bytes; the review members
    together may hold ``caps.total``, the archive ``caps.max_members`` members of any kind
    (counted as they stream past, each costs memory)."""
    max_review_bytes = caps.max_review_bytes
    for count, member in enumerate(tar, start=1):
        if count > caps.max_members:
            raise too_many_members(archive, count, caps.max_members)
        parts = PurePosixPath(member.name).parts
        if member.isdir() or not _is_review_member(parts):
            continue
        where = f"{archive} member {member.name}"
        if member.issparse():
            raise IngestError(
                f"{where} is a sparse file; review files are plain text. Fix: re-create the "
                f"archive without --sparse (or use the original aclImdb_v1.tar.gz)."
            )
        if not member.isfile():
            raise IngestError(
                f"{where} is a link or special file, not a regular file. Fix: re-create the "
                f"archive with the review files themselves (e.g. tar --dereference)."
            )
        if member.size > max_review_bytes:
            raise _too_big(where, member.size, max_review_bytes)
        caps.total.spend(member.size, where)
        handle = tar.extractfile(member)
        if handle is None:
            continue
        yield parts, handle.read(max_review_bytes + 1)


def read_aclimdb_tar(
    path: str,
    *,
    max_review_bytes: int = MAX_REVIEW_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_archive_members: int = MAX_ARCHIVE_MEMBERS,
) -> pd.DataFrame:
    """Read the aclImdb release archive (``.tar.gz``, ``.tgz`` or ``.tar``) without extracting it.

    Members are streamed with :mod:`tarfile` and parsed exactly like :func:`read_aclimdb_dir`
    (``aclImdb/train/pos/0_9.txt``; an archive without the top ``aclImdb/`` folder works too).
    Review members must be regular, non-sparse files of at most ``max_review_bytes`` bytes and
    ``max_total_bytes`` together; the archive may have ``max_archive_members`` members.
    """
    p = require_exists(path)
    archive = p.name
    none_found = (
        f"{p}: {NO_REVIEWS} among the archive's members. Fix: point `input_path` at the "
        f"aclImdb_v1.tar.gz release archive (members aclImdb/train/pos/0_9.txt, ...)."
    )
    caps = _TarCaps(max_review_bytes, TotalCap(max_total_bytes), max_archive_members)
    try:
        with tarfile.open(p, mode="r:*") as tar:
            return _parse_aclimdb_files(
                _tar_members(tar, archive, caps),
                describe=lambda parts: f"{archive} member {'/'.join(parts)}",
                none_found=none_found,
            )
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise IngestError(
            f"{p}: could not read it as a tar archive ({type(err).__name__}: {err}). Fix: "
            f"download the archive again (it may be truncated) and check its SHA-256 "
            f"(`input_sha256`), or point `input_path` at the extracted folder."
        ) from err
