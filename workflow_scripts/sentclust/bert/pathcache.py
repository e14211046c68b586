"""Measured encoding-path choices, kept once per machine and setting.

A CPU job with ``bert.precision: auto`` times its candidate paths (:mod:`sentclust.bert.paths`);
the record of that measurement is kept in a folder shared by every run of the user
(:func:`default_cache_dir`, or ``bert.runtime.path_cache``), one JSON file per setting named by
:func:`cache_key` of the setting (the machine, the thread count, the package versions, the model
and the encoding settings). Every shard of a run, and every run of a config on one machine, then
encodes the same way; concurrent jobs of one machine wait for the first one's measurement.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from sentclust.files import write_json


def default_cache_dir() -> Path:
    """Where measured choices are kept: ``$SENTCLUST_CACHE_DIR``, else the user's cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache``) ``/sentclust/encoding_paths``. Shared by every run of
    this user, so that two runs of one config on one machine encode the same way."""
    if os.environ.get("SENTCLUST_CACHE_DIR"):
        return Path(os.environ["SENTCLUST_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sentclust" / "encoding_paths"


def cache_key(setting: dict) -> str:
    """A short hash of what a measurement depends on (machine, versions, model, settings)."""
    blob = json.dumps(setting, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def file_hash(path: str | Path) -> str:
    """sha256 of a model file (an OpenVINO model's .bin beside its .xml, where there is one)."""
    p = Path(path)
    weights = p.with_suffix(".bin") if p.suffix == ".xml" else p
    h = hashlib.sha256()
    with open(weights, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # the shard jobs of one machine measure one at a time
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def cached_record(
    cache_dir: str | Path | None, setting: dict, fresh: Callable[[str], dict]
) -> dict:
    """The record for ``setting``: read from ``cache_dir`` if an earlier job of this machine made
    it, else ``fresh(key)`` (a new measurement's record, with ``key`` and ``cached`` False), made
    under a lock, so that concurrent jobs wait for the first, and written there (less its
    ``cached``). ``cache_dir`` None: always fresh, nothing kept. A cached record comes back with
    ``cached`` True; a kept one with its ``cache_file``."""
    key = cache_key(setting)
    if cache_dir is None:
        return fresh(key)
    file = Path(cache_dir) / f"{key}.json"
    with _locked(file.with_suffix(".lock")):
        if file.exists():
            try:
                record = json.loads(file.read_text())
                if record.get("key") == key:
                    return {**record, "cached": True, "cache_file": str(file)}
            except (OSError, ValueError):
                pass  # unreadable: measure again and overwrite
        record = fresh(key)
        write_json({k: v for k, v in record.items() if k != "cached"}, file)
    return {**record, "cache_file": str(file)}
