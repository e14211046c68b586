"""A run folder's model manifest (``model/manifest.json``): the files that place new reviews on
the run's scale, with their sizes and SHA-256, and the versions that wrote them.

:func:`verify` is what every reader of a run's models calls first: a missing file, a changed one
(checksum), a file the reader loads that the manifest does not list, a path outside the run
folder, or a manifest of another layout or shape stops it with what to do. A reader then parses
only bytes that :func:`read_verified` read and checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from sentclust import layout as L
from sentclust.ingest.download import sha256_file as sha256_of

#: the manifest's layout; a reader refuses another one
LAYOUT = 1


class ManifestError(RuntimeError):
    """A run folder whose models cannot be trusted or used as they are."""


def build(run: str | Path, files: Iterable[str | Path], *, about: dict, versions: dict) -> dict:
    """The manifest of ``files`` (paths inside the run folder ``run``, or absolute paths under
    it): each file's size and SHA-256, ``about`` (what the models are: kinds, ks, the BERT
    model's identity) and the package ``versions``."""
    run = Path(run).resolve()
    listed = {}
    for f in files:
        path = Path(f) if Path(f).is_absolute() else run / f
        rel = path.resolve().relative_to(run).as_posix()
        listed[rel] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    return {"layout": LAYOUT, "about": about, "files": dict(sorted(listed.items())),
            "versions": versions}  # fmt: skip


#: the fix for a manifest that cannot be read as one
REWRITE = (
    "Fix: delete it and rerun the workflow on this run's config; only the manifest job runs again"
)


def verify(run: str | Path, manifest, *, required: Iterable[str] = ()) -> None:
    """:class:`ManifestError` unless ``manifest`` is a manifest of this layout, every path it
    lists (and every path of ``required``: the files the reader will load) is a plain relative
    path inside ``run`` and listed, and every listed file is in ``run`` unchanged; names every
    problem and the fix."""
    files = entries(run, manifest)
    problems = [f"{rel} is outside the run folder" for rel in files if not _inside(rel)]
    for rel in required:
        if not _inside(rel):
            problems.append(f"{rel} (a file the models load) is outside the run folder")
        elif rel not in files:
            problems.append(f"it lists no {rel}, a file the models load")
    for rel, entry in files.items():
        if not _inside(rel):
            continue
        path = Path(run) / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
        elif path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
            problems.append(f"{rel} changed since the run wrote it (checksum)")
    if problems:
        raise _mismatch(run, problems)


def read_verified(run: str | Path, manifest: dict, rel: str) -> bytes:
    """The bytes of the run's file ``rel``, read once and checked against ``manifest`` (size
    and SHA-256 of these very bytes): what a reader parses, so that a file replaced after
    :func:`verify` is refused, not loaded."""
    files = entries(run, manifest)
    if not _inside(rel):
        raise _mismatch(run, [f"{rel} (a file the models load) is outside the run folder"])
    if rel not in files:
        raise _mismatch(run, [f"it lists no {rel}, a file the models load"])
    try:
        data = (Path(run) / rel).read_bytes()
    except OSError:
        raise _mismatch(run, [f"{rel} is missing"]) from None
    entry = files[rel]
    if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise _mismatch(run, [f"{rel} changed since the run wrote it (checksum)"])
    return data


def entries(run: str | Path, manifest) -> dict:
    """The manifest's file entries (path -> bytes, sha256), after its shape and layout are
    checked (:class:`ManifestError` naming the fix otherwise)."""
    where = Path(run) / L.MANIFEST
    if not isinstance(manifest, dict):
        raise ManifestError(
            f"{where} is not a JSON object (it holds a {type(manifest).__name__}): not a "
            f"manifest this workflow wrote. {REWRITE}"
        )
    if manifest.get("layout") != LAYOUT:
        raise ManifestError(
            f"{where} has layout {manifest.get('layout')!r}, this version reads "
            f"layout {LAYOUT}: the run was made by another version of the workflow. Fix: rerun "
            "the workflow on it with this version (only the jobs that changed rerun)"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(e, dict) and isinstance(e.get("bytes"), int) and isinstance(e.get("sha256"), str)
        for e in files.values()
    ):
        raise ManifestError(
            f"{where} has no file list of this layout ('files': each path with its bytes and "
            f"sha256). {REWRITE}"
        )
    return files


def _inside(rel) -> bool:
    """Whether ``rel`` is a plain relative path inside the run folder: not absolute, no ``..``
    or empty parts, no backslashes or drive letters."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel:
        return False
    path = PurePosixPath(rel)
    parts = rel.split("/")
    return (
        not path.is_absolute()
        and ":" not in parts[0]
        and all(p not in ("", ".", "..") for p in parts)
    )


def _mismatch(run: str | Path, problems: list[str]) -> ManifestError:
    return ManifestError(
        f"the models of the run {run} do not match its manifest: {'; '.join(problems)}. "
        "Fix: rerun the workflow on this run's config to rewrite them (never edit or copy "
        "single files into a run folder)"
    )
