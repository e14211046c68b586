"""A run folder's model manifest (``model/manifest.json``): the files that place new reviews on
the run's scale, with their sizes and SHA-256, and the versions that wrote them.

:func:`verify` is what every reader of a run's models calls first: a missing file, a changed one
(checksum), or a manifest of another layout stops it with what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

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
    entries = {}
    for f in files:
        path = Path(f) if Path(f).is_absolute() else run / f
        rel = path.resolve().relative_to(run).as_posix()
        entries[rel] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    return {"layout": LAYOUT, "about": about, "files": dict(sorted(entries.items())),
            "versions": versions}  # fmt: skip


def verify(run: str | Path, manifest: dict) -> None:
    """:class:`ManifestError` unless every file of ``manifest`` is in ``run`` unchanged and the
    layout is this version's; names every problem and the fix."""
    if manifest.get("layout") != LAYOUT:
        raise ManifestError(
            f"{Path(run) / L.MANIFEST} has layout {manifest.get('layout')!r}, this version reads "
            f"layout {LAYOUT}: the run was made by another version of the workflow. Fix: rerun "
            "the workflow on it with this version (only the jobs that changed rerun)"
        )
    problems = []
    for rel, entry in manifest["files"].items():
        path = Path(run) / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
        elif path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
            problems.append(f"{rel} changed since the run wrote it (checksum)")
    if problems:
        raise ManifestError(
            f"the models of the run {run} do not match its manifest: {'; '.join(problems)}. "
            "Fix: rerun the workflow on this run's config to rewrite them (never edit or copy "
            "single files into a run folder)"
        )
