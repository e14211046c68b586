"""What a finished run saves to place new reviews on its scale, and reading it back.

The rule ``model_manifest`` writes ``model/manifest.json`` (:mod:`sentclust.assign.manifest`): the
files below with their checksums, and ``about``, what the models are:

- ``prepare``: how texts were cleaned and tokenised (``lowercase``, ``unicode_form``);
- ``wordvec_model``: the network (``.keras``, loaded in safe mode);
- ``kinds``: per embedding kind its source vectors (``wordvec`` or ``bert``), the PLS
  parameters of a ``*_pls`` kind (``.npz``), its ``finegrained.json`` (the levels) and the k of
  its saved centres (:data:`sentclust.layout.CENTRES`);
- ``bert``: the sentence-transformer as the corpus was encoded: the encoding settings (model,
  revision pin, mode, max_seq_length, precision setting), and from the shard records the
  resolved revision (commit or weights hash), the path, device, backend and precision; the
  weights' SHA-256 (``model_weights``), what new texts' model is checked against;
- ``polarity`` (when the run has it): the segment scorers and thresholds, the segmentation;
- ``aspects`` (when the run has the aspects stage): aspects.json and the chosen aspect count's
  centres, with the segmentation and segment vectors it clustered
  (:func:`sentclust.assign.segment_aspects.aspects_about`); absent in an older manifest.

:class:`RunModels` opens a run folder: the manifest must exist, have this layout, list every file
``about`` names and match every file, or :class:`~sentclust.assign.manifest.ManifestError` says
what to do. Its readers parse only bytes checked against the manifest as they are read
(:func:`~sentclust.assign.manifest.read_verified`), so a file replaced after the run was opened
is refused, not loaded; a file that must be loaded from a path (the Keras network, the int8
encoder) is loaded from a private copy of those checked bytes.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sentclust import layout as L
from sentclust.assign import manifest as mf
from sentclust.assign.segment_aspects import aspect_files
from sentclust.cluster.model import KMeansModel
from sentclust.cluster.pls import PLSProjection
from sentclust.files import read_npz

#: the shard-record keys that say how the corpus was encoded
ENCODED_WITH = ("model_revision", "model_source", "device", "backend", "precision", "dimensions")


def centres_path(kind: str, k: int) -> str:
    """A (kind, k)'s centres inside a run folder (the kmeans rule's output)."""
    return L.path(L.CENTRES, kind=kind, k=int(k))


def bert_identity(
    encoding: dict,
    records: Sequence[dict],
    model_path: str | None,
    weights: str | None = None,
) -> dict:
    """``about["bert"]``: the encoding settings and how the shards encoded (they agree: rule
    gather_bert checked them), with the resolved model folder ``model_path`` and ``weights``,
    ``sha256:<hex>`` of its weight files (:func:`sentclust.bert.models.weights_sha256`: the one
    identity a placer compares the copy it loads with, whether the run's model came from the
    hub, a package or a folder); ``int8``: the int8 encoder's files and its check when the
    shards ran it."""
    if not records:
        raise ValueError("no shard records: the run has no BERT encoding to describe")
    first = records[0]
    encoded = {key: first.get(key) for key in ENCODED_WITH}
    int8 = None
    if first.get("precision") == "int8":
        check = first.get("encoding_path", {}).get("int8_check")
        int8 = {"model": L.INT8_MODEL, "weights": L.INT8_WEIGHTS, "check": check}
    return {"encoding": dict(encoding), **encoded, "model_path": model_path,
            "model_weights": weights, "int8": int8}  # fmt: skip


def about_document(
    *,
    kinds: Sequence[str],
    ks: Sequence[int],
    prepare: dict,
    bert: dict,
    polarity: dict | None,
    skipped: dict | None = None,
    aspects: dict | None = None,
) -> dict:
    """The manifest's ``about`` (see the module's docstring) for ``kinds`` with centres at
    every k of ``ks`` (the K-means sweep). ``skipped``: the stages a corpus without labels left
    out (stage -> why): no network then (``wordvec_model`` None), and ``skipped`` is kept so
    that ``assign`` can say why a kind is missing. ``aspects``: the run's aspects (None: the
    run has no aspects stage)."""
    sources = {kind: L.source_of(kind) for kind in kinds}  # ValueError for an unknown kind
    return {
        "prepare": {
            "lowercase": bool(prepare["lowercase"]),
            "unicode_form": prepare["unicode_form"],
        },
        "wordvec_model": None if skipped else L.WORDVEC_MODEL,
        "skipped": dict(skipped or {}),
        "kinds": {
            kind: {
                "source": sources[kind],
                "pls": L.path(L.PLS_MODEL, raw=sources[kind]) if L.is_pls(kind) else None,
                "finegrained": L.path(L.FINEGRAINED, kind=kind),
                "ks": sorted(int(k) for k in ks),
            }
            for kind in kinds
        },
        "bert": bert,
        "polarity": polarity,
        "aspects": aspects,
    }


def model_files(about: dict) -> list[str]:
    """Every file of the run that ``about`` names (paths inside the run folder): what the
    manifest checksums."""
    files = [about["wordvec_model"]] if about.get("wordvec_model") else []
    for kind, entry in about["kinds"].items():
        files.append(entry["finegrained"])
        files += [centres_path(kind, k) for k in entry["ks"]]
        if entry["pls"]:
            files.append(entry["pls"])
    if about.get("polarity"):
        files.append(about["polarity"]["scorers"])
    if (about.get("bert") or {}).get("int8"):
        files += [about["bert"]["int8"]["model"], about["bert"]["int8"]["weights"]]
    files += aspect_files(about)
    return sorted(set(files))


class RunModels:
    """A finished run's models, checked against its manifest (:func:`open_run`)."""

    def __init__(self, run: str | Path, manifest: dict):
        self.run = Path(run)
        self.manifest = manifest
        self.about = manifest["about"]
        self._finegrained: dict[str, dict] = {}
        self._copies: tempfile.TemporaryDirectory | None = None

    @property
    def kinds(self) -> list[str]:
        return list(self.about["kinds"])

    def path(self, rel: str) -> Path:
        return self.run / rel

    def read_bytes(self, rel: str) -> bytes:
        """The run's file ``rel`` as checked against the manifest while it was read."""
        return mf.read_verified(self.run, self.manifest, rel)

    def local_copy(self, rel: str) -> Path:
        """A private copy of the checked bytes of ``rel`` (same relative path, in a folder of
        this object's, removed with it): for the loaders that read a path themselves."""
        if self._copies is None:
            self._copies = tempfile.TemporaryDirectory(prefix="sentclust-run-")
        path = Path(self._copies.name) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.read_bytes(rel))
        return path

    def finegrained(self, kind: str) -> dict:
        """The kind's ``finegrained.json`` (read once)."""
        if kind not in self._finegrained:
            data = self.read_bytes(self.about["kinds"][kind]["finegrained"])
            self._finegrained[kind] = json.loads(data)
        return self._finegrained[kind]

    def centres(self, kind: str, k: int) -> KMeansModel:
        """The (kind, k)'s :class:`~sentclust.cluster.model.KMeansModel`."""
        return KMeansModel.from_arrays(read_npz(io.BytesIO(self.read_bytes(centres_path(kind, k)))))

    def projection(self, kind: str) -> PLSProjection:
        """A ``*_pls`` kind's :class:`~sentclust.cluster.pls.PLSProjection`."""
        return PLSProjection.load(io.BytesIO(self.read_bytes(self.about["kinds"][kind]["pls"])))

    def chosen_k(self, kind: str) -> int:
        return int(self.finegrained(kind)["chosen_k"])

    def named_ks(self, kind: str) -> list[int]:
        """The ks whose clusters the run named (the chosen k and choose_k.explore)."""
        saved = set(self.about["kinds"][kind]["ks"])
        return sorted(int(r["k"]) for r in self.finegrained(kind)["results"] if r["k"] in saved)

    def check_request(self, kinds: Sequence[str] | None, k: int | None) -> list[str]:
        """The kinds to place (all when None); ValueError naming what the run has when a kind
        or a ``k`` is not in it."""
        kinds = list(kinds or self.kinds)
        missing = [kind for kind in kinds if kind not in self.about["kinds"]]
        if missing:
            why = "; ".join(f"{s}: {w}" for s, w in (self.about.get("skipped") or {}).items())
            raise ValueError(
                f"the run {self.run} has no kind {', '.join(missing)}"
                + (
                    f" (the corpus has no labels, so these stages were skipped: {why})"
                    if why
                    else ""
                )
                + f". Fix: choose from {', '.join(self.kinds)}"
            )
        for kind in kinds if k is not None else []:
            if int(k) not in self.named_ks(kind):
                raise ValueError(
                    f"the run named the clusters of {kind} at k = {self.named_ks(kind)} only, "
                    f"not k = {k}. Fix: choose one of those (the chosen k is "
                    f"{self.chosen_k(kind)}), or add {k} to choose_k.explore and rerun the "
                    "workflow (only the naming jobs rerun)"
                )
        return kinds


def open_run(run: str | Path) -> RunModels:
    """The run folder ``run``'s models, after :func:`sentclust.assign.manifest.verify`. A folder
    without a manifest (not a run, a run from before manifests, or one still running) stops
    with what to do."""
    run = Path(run)
    path = run / L.MANIFEST
    if not run.is_dir():
        raise mf.ManifestError(
            f"{run} is not a folder. Fix: give the results folder of a finished run (its "
            "results_dir, e.g. results/demo)"
        )
    if not path.is_file():
        raise mf.ManifestError(
            f"{path} is missing: {run} is not a finished run of this version (no saved models). "
            "Fix: give the results_dir of a finished run, or finish this one with the same "
            "command that made it (snakemake --cores N --configfile ...): only the missing jobs "
            "run"
        )
    try:
        manifest = json.loads(path.read_text())
    except ValueError as err:
        raise mf.ManifestError(f"{path} is not valid JSON ({err}). {mf.REWRITE}") from None
    mf.entries(run, manifest)  # its shape and layout, before its about is read
    try:
        loaded = model_files(manifest["about"])
    except (KeyError, TypeError, AttributeError) as err:
        raise mf.ManifestError(
            f"{path} has no 'about' of this layout (it lacks {err}). {mf.REWRITE}"
        ) from None
    mf.verify(run, manifest, required=loaded)
    return RunModels(run, manifest)
