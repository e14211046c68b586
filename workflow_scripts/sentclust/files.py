"""Files between stages: data contracts, atomic writes, JSON/Parquet/text, embedding tables."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _default_mode(path: Path, *, folder: bool) -> None:
    """Give a temporary file/folder the mode a plainly created one would have (mkstemp: 0600)."""
    if path.exists():
        path.chmod((0o777 if folder else 0o666) & ~_umask())


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    A killed or failing writer leaves nothing at ``path`` (and removes its temporary file),
    so Snakemake never sees a half-written output.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # keep the real suffix last: some writers (Keras) insist on it
    suffix = ".tmp" + "".join(path.suffixes[-1:])
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _default_mode(tmp_path, folder=tmp_path.is_dir())
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Like :func:`atomic_path` for a folder: filled under a temporary name, then renamed."""
    import shutil

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        _default_mode(tmp, folder=True)
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def write_parquet(table: pa.Table, path: str | os.PathLike) -> None:
    """Write a table atomically (zstd-compressed Parquet)."""
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


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
