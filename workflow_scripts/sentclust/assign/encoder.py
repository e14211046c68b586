"""The run's sentence-transformer for new texts: found (:func:`run_model`), checked against the
run's identity, the SHA-256 of its weights (:func:`check_identity`), and loaded once, encoding as
the corpus was encoded (:class:`BertEncoder`); whether finding it needs the hub
(:func:`needs_hub`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from sentclust.assign.manifest import ManifestError
from sentclust.bert.encode import encode
from sentclust.bert.models import (
    ModelNotAvailableError,
    ResolvedModel,
    load_model,
    resolve_model,
    weights_sha256,
)

#: texts per forward pass on a CPU (run-time only: results do not depend on it)
BATCH_SIZE_CPU = 32
BATCH_SIZE_GPU = 256


def encoding_here(about_bert: dict, *, cuda: bool) -> tuple[str, str, str]:
    """(device, precision, backend) for new texts: the run's, on a CUDA GPU when the run encoded
    on one and this machine has one; a GPU run's float16 is read in float32 on a CPU (reviews on
    a boundary may move: tests/benchmarks/gpu_assign.py measures how many)."""
    ran_on_gpu = str(about_bert.get("device", "cpu")).startswith("cuda")
    device = "cuda" if ran_on_gpu and cuda else "cpu"
    precision, backend = about_bert["precision"], about_bert["backend"]
    if device == "cpu" and precision == "float16":
        precision, backend = "float32", "torch"
    return device, precision, backend


def run_model(about_bert: dict, *, offline: bool | None = None) -> ResolvedModel:
    """The copy of the run's sentence-transformer to load: the run's own model folder when it is
    on this machine, else the model found by its name (a hub model at the run's snapshot: its
    pinned revision, or the commit the shards recorded; ``offline``: the hub's cache only, None:
    as ``HF_HUB_OFFLINE`` says)."""
    enc = about_bert["encoding"]
    path = about_bert.get("model_path")
    if path and Path(path).is_dir():
        return ResolvedModel(enc["model"], path, "the run's model folder")
    revision = enc.get("revision")
    recorded = str(about_bert.get("model_revision") or "")
    if revision is None and recorded and not recorded.startswith("sha256:"):
        revision = recorded  # the run's snapshot, not what the hub's branch points at today
    return resolve_model(
        enc["model"], models_dir=enc.get("models_dir"), revision=revision, offline=offline
    )


def needs_hub(about_bert: dict | None) -> bool:
    """Whether placing texts with the run's sentence-transformer must ask the Hugging Face hub:
    the model is not on this machine (the run's folder, a package's copy, a model folder or the
    hub's cache), so its config's hub model is downloaded. Looks at local files only."""
    if not about_bert:
        return False
    try:
        run_model(about_bert, offline=True)
    except (ModelNotAvailableError, ValueError, ImportError):
        return True
    return False


def check_identity(resolved: ResolvedModel, about_bert: dict) -> None:
    """:class:`ManifestError` unless the weights of ``resolved`` are the ones the run encoded
    with: their SHA-256 (:func:`sentclust.bert.models.weights_sha256`) against the manifest's
    ``model_weights`` (a local copy's recorded revision is that same hash), like with like."""
    expected = about_bert.get("model_weights") or about_bert.get("model_revision")
    if not str(expected).startswith("sha256:"):
        raise ManifestError(
            f"the run's manifest names its sentence-transformer by the hub commit {expected} "
            "only, not by the SHA-256 of its weights (a manifest of an earlier version), so the "
            "copy found here cannot be checked. Fix: delete the run's model/manifest.json and "
            "rerun the workflow on the run's config: only the manifest job runs"
        )
    found = weights_sha256(resolved.path)
    if found != expected:
        raise ManifestError(
            f"the sentence-transformer found now ({resolved.path}, weights {found}) is not the "
            f"one the run encoded with (weights {expected}, revision "
            f"{about_bert.get('model_revision')}): new texts would land in another embedding "
            "space. Fix: install the run's model (pin bert.revision), or rerun the workflow "
            "with the model you have"
        )


class BertEncoder:
    """The run's sentence-transformer, loaded once, encoding as the corpus was encoded."""

    def __init__(
        self,
        about_bert: dict,
        int8_model: str | Path | None = None,
        *,
        threads: int,
        log: logging.Logger,
    ):
        """``int8_model``: the run's int8 encoder (its checked copy) where the run ran one."""
        import torch  # torch: only when a kind or the polarity reads BERT vectors

        self.about, self.threads = about_bert, threads
        resolved = run_model(about_bert)
        check_identity(resolved, about_bert)
        self.device, self.precision, self.backend = encoding_here(
            about_bert, cuda=torch.cuda.is_available()
        )
        self.int8_model = None
        if self.precision == "int8":
            if int8_model is None:
                raise ValueError("the run encoded with its int8 encoder: give its model file")
            self.int8_model = str(int8_model)
        torch.set_num_threads(threads)
        self.model = load_model(resolved, self.device)
        log.info(
            "BERT %s (%s) on %s: %s %s", resolved.name, about_bert["model_revision"], self.device,
            self.backend, self.precision,
        )  # fmt: skip

    def encode(self, texts: Sequence[str], *, spans=None, progress: bool = False):
        """(vectors, segment vectors or None): ``spans`` per text (start, end) pooled in the
        same pass, as the run's shards did."""
        enc = self.about["encoding"]
        batch = BATCH_SIZE_GPU if self.device == "cuda" else BATCH_SIZE_CPU
        out = encode(
            self.model,
            list(texts),
            mode=enc["mode"],
            max_seq_length=enc["max_seq_length"],
            batch_size=batch,
            device=self.device,
            precision=self.precision,
            backend=self.backend,
            threads=self.threads,
            progress=progress,
            segment_spans=spans,
            int8_model=self.int8_model,
        )
        return out[0], (out[2] if spans is not None else None)
