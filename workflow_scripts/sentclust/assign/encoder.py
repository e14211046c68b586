"""The run's sentence-transformer for new texts: found, checked against the run's identity and
loaded once, encoding as the corpus was encoded (:class:`BertEncoder`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from sentclust.assign.manifest import ManifestError
from sentclust.bert.encode import encode
from sentclust.bert.models import ResolvedModel, load_model, recorded_revision, resolve_model

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


class BertEncoder:
    """The run's sentence-transformer, loaded once, encoding as the corpus was encoded."""

    def __init__(self, about_bert: dict, run: Path, *, threads: int, log: logging.Logger):
        import torch  # torch: only when a kind or the polarity reads BERT vectors

        self.about, self.threads = about_bert, threads
        enc = about_bert["encoding"]
        path = about_bert.get("model_path")
        if path and Path(path).is_dir():
            resolved = ResolvedModel(enc["model"], path, "the run's model folder")
        else:  # the run's folder moved to another machine: find the model by its name
            resolved = resolve_model(
                enc["model"], models_dir=enc.get("models_dir"), revision=enc.get("revision")
            )
        revision = recorded_revision(resolved)
        if revision != about_bert["model_revision"]:
            raise ManifestError(
                f"the sentence-transformer found now ({resolved.path}, {revision}) is not the one "
                f"the run encoded with ({about_bert['model_revision']}): new texts would land in "
                "another embedding space. Fix: install the run's model (pin bert.revision), or "
                "rerun the workflow with the model you have"
            )
        self.device, self.precision, self.backend = encoding_here(
            about_bert, cuda=torch.cuda.is_available()
        )
        self.int8_model = None
        if self.precision == "int8":
            self.int8_model = str(run / about_bert["int8"]["model"])
        torch.set_num_threads(threads)
        self.model = load_model(resolved, self.device)
        log.info(
            "BERT %s (%s) on %s: %s %s", enc["model"], revision, self.device, self.backend,
            self.precision,
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
