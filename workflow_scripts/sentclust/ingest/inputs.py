"""What the workflow checks about its input when the DAG is built (rules/common.smk and
rules/ingest.smk call these), before any job starts.

- :func:`check_input_config`: a URL download's settings (https, a checksum, a size cap);
- :func:`download_name`: the file name the download rule writes (from the URL's redacted path);
- :func:`ingest_files`: the files the ingest rule depends on;
- :func:`input_fingerprint`: a cheap fingerprint of an aclImdb folder's review files (count,
  bytes, newest mtime), a param of the ingest rule, so that editing a review reruns ingest even
  when the folder's own mtime does not change;
- :func:`local_archive_sha256`: the checksum a local ``.tar.gz`` input is verified against.
"""

from __future__ import annotations

import os
import re
import stat
import urllib.parse
from pathlib import Path
from typing import Any

from .contract import LABEL_NAMES, SPLITS
from .detect import TAR_SUFFIXES, aclimdb_root, parquet_files
from .download import DEFAULT_MAX_BYTES, allowed_schemes, check_download_config

__all__ = [
    "check_input_config",
    "download_name",
    "download_settings",
    "ingest_files",
    "input_fingerprint",
    "local_archive_sha256",
]


def download_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The download's run-time settings from the config: accepted ``schemes``, ``max_bytes``."""
    return {
        "schemes": allowed_schemes(bool(config.get("input_url_allow_file", False))),
        "max_bytes": config.get("input_max_bytes", DEFAULT_MAX_BYTES),
    }


def download_name(url: str) -> str:
    """The file name of ``url``'s download: the last part of its path, without the user info,
    ``;parameters``, query or fragment that may carry a token, percent-decoded, with any
    character but letters, digits, ``.``, ``_`` and ``-`` made ``_`` and no leading dot
    (``download`` when nothing is left, e.g. ``/`` or ``/..``). The suffix stays: it tells
    ingest the format (``.tar.gz``, ``.csv``, ``.parquet``)."""
    last = urllib.parse.urlsplit(str(url)).path.rsplit("/", 1)[-1].partition(";")[0]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", urllib.parse.unquote(last)).lstrip(".")
    return name or "download"


def check_input_config(config: dict[str, Any]) -> None:
    """:class:`~.download.DownloadError` when ``input_url`` is used (``input_path`` is null)
    with settings the download would refuse: a scheme other than https (file:// only with
    ``input_url_allow_file``), no ``input_sha256``, a bad ``input_max_bytes``."""
    url = config.get("input_url")
    if config.get("input_path") or not url:
        return
    settings = download_settings(config)
    check_download_config(
        url,
        config.get("input_sha256"),
        schemes=settings["schemes"],
        max_bytes=settings["max_bytes"],
    )


def _is_archive(path: str, fmt: str) -> bool:
    return fmt == "aclimdb_tar" or (fmt == "auto" and path.lower().endswith(TAR_SUFFIXES))


def local_archive_sha256(config: dict[str, Any]) -> str | None:
    """``input_sha256`` when ``input_path`` is a local archive (the ingest job verifies it),
    else None (a downloaded archive was verified by the download rule)."""
    path = config.get("input_path")
    if not path or not _is_archive(str(path), config.get("input_format", "auto")):
        return None
    return config.get("input_sha256") or None


def ingest_files(path: str) -> list[str]:
    """The ingest rule's input for a local ``path``: the Parquet files of a Parquet folder (so
    editing one reruns ingest; hidden files and temporaries left out), else ``path``."""
    p = Path(path)
    if p.is_dir() and aclimdb_root(p) is None:
        files = parquet_files(p)
        if files:
            return [str(f) for f in files]
    return [str(path)]


def input_fingerprint(path: str | None) -> dict[str, int] | None:
    """(count, total bytes, newest mtime in ns) of the review-folder entries of an aclImdb folder
    (``{train,test}/{pos,neg}/*``, links not followed); None for any other input."""
    if not path or not Path(path).is_dir():
        return None
    root = aclimdb_root(Path(path))
    if root is None:
        return None
    count = size = newest = 0
    for split in SPLITS:
        for lab in LABEL_NAMES:
            folder = root / split / lab
            if not folder.is_dir():
                continue
            newest = max(newest, folder.stat().st_mtime_ns)
            with os.scandir(folder) as entries:
                for entry in entries:
                    st = entry.stat(follow_symlinks=False)
                    count += 1
                    size += st.st_size if stat.S_ISREG(st.st_mode) else 0
                    newest = max(newest, st.st_mtime_ns)
    return {"files": count, "bytes": size, "newest_mtime_ns": newest}
