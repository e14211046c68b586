"""Files between stages: data contracts, atomic writes, JSON/Parquet/text, embedding tables."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def _umask() -> int:
    """The process umask, read without changing it.

    ``os.umask`` can only be read by setting it: for that moment, a file another thread creates
    gets mode 0666. Linux shows the umask in /proc/self/status; elsewhere a probe file tells it.
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text(errors="replace").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return _probe_umask()


def new_file_mode() -> int:
    """The mode a plainly created file gets (0666 less the umask), for a file made by mkstemp
    (0600) that takes the place of one."""
    return 0o666 & ~_umask()


def _probe_umask() -> int:
    """The umask as the mode bits a new file asking for 0777 does not get."""
    probe = Path(tempfile.gettempdir()) / f".sentclust-umask.{os.getpid()}.{os.urandom(4).hex()}"
    fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o777)
    try:
        return 0o777 & ~os.fstat(fd).st_mode
    finally:
        os.close(fd)
        probe.unlink()


def _default_mode(path: Path, *, folder: bool) -> None:
    """Give a temporary file/folder the mode a plainly created one would have (mkstemp: 0600)."""
    if path.exists():
        path.chmod((0o777 if folder else 0o666) & ~_umask())


def _fsync(path: Path) -> None:
    """Flush a file, or a folder with everything in it, to the disk (before the rename that
    publishes it: after a power loss, the new name never points at missing data)."""
    if path.is_dir():
        for child in path.iterdir():
            if not child.is_symlink():
                _fsync(child)
        _fsync_dir(path)
    elif path.is_file():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename in it) to the disk, where the file system allows."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems refuse fsync on a folder
            os.fsync(fd)
    finally:
        os.close(fd)


def _host() -> str:
    """This machine's short name, safe inside a file name."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname().split(".")[0])[:40] or "host"


def _tmp_prefix(path: Path) -> str:
    """Start of a temporary name for ``path``: hidden, then the machine and the writer's pid, so
    a later writer can tell a dead writer's leftovers (:func:`clean_stale_temporaries`)."""
    return f".{path.name}.{_host()}.{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def clean_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove the temporaries of writes to ``path`` whose writer died (SIGKILL, power loss).

    Only names made by :func:`atomic_path`/:func:`atomic_dir` for this very path, written on
    this machine by a process that no longer runs; another machine's (a shared file system)
    are left alone, as their writer may still run. Returns what was removed.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    pattern = re.compile(
        rf"^\.{re.escape(path.name)}\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+"
        r"\.tmp(\.[^.]*)?$"
    )
    host, removed = _host(), []
    for entry in path.parent.iterdir():
        m = pattern.match(entry.name)
        if not m or m["host"] != host or _pid_alive(int(m["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        removed.append(entry)
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    A killed or failing writer leaves nothing at ``path`` (and a failing one removes its
    temporary file; a killed one's is removed by the next write to ``path``), so Snakemake never
    sees a half-written output. The data is on the disk before the rename.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path)
    # keep the real suffix last: some writers (Keras) insist on it
    suffix = ".tmp" + "".join(path.suffixes[-1:])
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(path), suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _default_mode(tmp_path, folder=tmp_path.is_dir())
        _fsync(tmp_path)
        os.replace(tmp_path, path)
        _fsync_dir(path.parent)
    finally:
        if tmp_path.is_dir() and not tmp_path.is_symlink():
            shutil.rmtree(tmp_path, ignore_errors=True)
        elif tmp_path.exists() or tmp_path.is_symlink():
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Like :func:`atomic_path` for a folder: filled under a temporary name, then renamed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path)
    tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(path), suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        _default_mode(tmp, folder=True)
        _fsync(tmp)
        old = None
        if path.is_dir() and not path.is_symlink():
            # moved aside under a name the next write cleans if this one is killed, then removed
            old = Path(tempfile.mkdtemp(prefix=_tmp_prefix(path), suffix=".tmp", dir=path.parent))
            os.replace(path, old)
        elif path.exists() or path.is_symlink():
            path.unlink()
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def write_parquet(table: pa.Table, path: str | os.PathLike) -> None:
    """Write a table atomically (zstd-compressed Parquet)."""
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def write_npz(arrays: dict[str, Any], path: str | os.PathLike) -> None:
    """Write named numpy arrays atomically (``.npz``, compressed; numbers only, no pickle)."""
    import numpy as np

    # a file object: given a name, numpy would append .npz to it
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **{k: np.asarray(v) for k, v in arrays.items()})


def read_npz(path: str | os.PathLike) -> dict[str, Any]:
    """The arrays of a :func:`write_npz` file (object arrays refused: no pickle)."""
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def write_json(obj: Any, path: str | os.PathLike) -> None:
    """Write JSON atomically, pretty-printed, keys in insertion order."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, default=_json_default) + "\n", encoding="utf-8")


def write_text(text: str, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _json_default(obj: Any) -> Any:
    # numpy arrays, numpy scalars, Paths
    if getattr(obj, "ndim", 0) and hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def package_versions(names: list[str]) -> dict[str, str]:
    """Installed versions of ``names`` (``"missing"`` for absent ones), for provenance records."""
    from importlib import metadata

    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def fixed_size_list(vectors) -> pa.FixedSizeListArray:
    """A 2-D array as an Arrow fixed-size list of float32, one row per vector, no per-row copies."""
    import numpy as np

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"vectors must be 2-D (rows x dimensions), got shape {x.shape}")
    return pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1), type=pa.float32()), x.shape[1])


def embeddings_table(review_ids, vectors) -> pa.Table:
    """The review-embedding contract: ``review_id`` and a fixed-size float32 ``embedding``."""
    ids = pa.array(list(review_ids), type=pa.string())
    return pa.table({"review_id": ids, "embedding": fixed_size_list(vectors)})


def read_embeddings(path: str | os.PathLike):
    """(review_ids as a numpy object array, embeddings as a float32 (n, d) array).

    Reads the fixed-size list column straight into one array: no per-row Python objects.
    """
    import numpy as np

    table = pq.read_table(path, columns=["review_id", "embedding"])
    col = table.column("embedding").combine_chunks()
    if not pa.types.is_fixed_size_list(col.type):
        raise ValueError(
            f"{path}: column 'embedding' is {col.type}, expected a fixed-size list of float32 "
            "(the review-embedding contract)"
        )
    dim = col.type.list_size
    values = col.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    x = values.reshape(len(col), dim)
    return table.column("review_id").to_numpy(), x


def read_embeddings_with_reviews(embeddings_path, reviews_path, columns=("split", "label")):
    """(ids, float32 vectors, the reviews' ``columns`` for those ids in the same order).

    Fails clearly when the embedding table holds a review the reviews table does not.
    """
    import pandas as pd

    ids, x = read_embeddings(embeddings_path)
    reviews = pd.read_parquet(reviews_path, columns=["review_id", *columns]).set_index("review_id")
    unknown = pd.Index(ids).difference(reviews.index)
    if len(unknown):
        raise ValueError(
            f"{embeddings_path}: {len(unknown)} review ids are not in {reviews_path} "
            f"(first: {unknown[0]}); the embeddings come from another run: delete and rerun"
        )
    return ids, x, reviews.loc[ids]
