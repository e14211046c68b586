"""The assign rules' work (rules/assign.smk): rule model_manifest (what places new reviews on the
run's scale, checked and listed with each file's checksum) and rule assign (one assign.inputs
entry placed on that scale, and its segments with their aspects, polarity and comparisons).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from sentclust import layout as L
from sentclust.assign import manifest, new_texts, run_models, segment_aspects
from sentclust.assign.placing import Placer
from sentclust.bert import shards
from sentclust.bert.models import recorded_revision, resolve_model, weights_sha256
from sentclust.files import package_versions
from sentclust.ingest.contract import MAX_REVIEW_BYTES

#: the rule's params that say what the saved models are (the keyword arguments of
#: :func:`manifest_document`)
MANIFEST_SETTINGS = (
    "kinds",
    "ks",
    "prepare",
    "encoding",
    "segments",
    "bert_segments",
    "skipped",
    "aspects",
)
#: the packages whose versions the manifest records
VERSIONED = ["tensorflow", "keras", "torch", "sentence-transformers", "openvino", "scikit-learn"]


def check_encoder(encoding: dict, records: Sequence[dict], run: str | Path) -> str:
    """The folder of the sentence-transformer the shards were encoded with: the configured
    model must still resolve to it (ValueError saying what to rerun when it changed since)."""
    resolved = resolve_model(
        encoding["model"], models_dir=encoding["models_dir"], revision=encoding["revision"]
    )
    if recorded_revision(resolved) != records[0]["model_revision"]:
        raise ValueError(
            f"the sentence-transformer at {resolved.path} is not the one the shards were encoded "
            f"with ({records[0]['model_revision']}): it changed since. Fix: delete "
            f"{run}/embeddings/bert_shards and rerun, so that the corpus and new texts are "
            "encoded with the same model"
        )
    return resolved.path


def bert_about(encoding: dict, records: Sequence[dict], run: str | Path) -> dict:
    """The manifest's ``about["bert"]``: the shards' encoding (:func:`check_encoder`: the
    configured model still is the one they used) with that model's folder and the SHA-256 of its
    weights, the identity new texts' model is compared with."""
    model_path = check_encoder(encoding, records, run)
    return run_models.bert_identity(encoding, records, model_path, weights_sha256(model_path))


def run_aspects(run: str | Path, *, segments: dict, bert_segments: str, min_coverage: float):
    """The manifest's ``about["aspects"]`` of the run ``run``: its aspects.json read for the
    chosen aspect count (:func:`sentclust.assign.segment_aspects.aspects_about`)."""
    path = Path(run) / L.ASPECTS
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise ValueError(
            f"{path} cannot be read ({err}). Fix: rerun the workflow on this run's config (the "
            "aspects job writes it)"
        ) from None
    return segment_aspects.aspects_about(
        summary, segments=segments, bert_segments=bert_segments, min_coverage=min_coverage
    )


def manifest_document(
    run: str | Path,
    shard_paths: Sequence,
    *,
    kinds: Sequence[str],
    ks: Sequence[int],
    prepare: dict,
    encoding: dict,
    segments: dict,
    bert_segments: str,
    skipped: dict | None = None,
    aspects: dict | None = None,
) -> dict:
    """Rule model_manifest: model/manifest.json of the run folder ``run`` (its files with
    their checksums, what they are, the versions that wrote them). ``skipped``: the stages a
    corpus without labels left out (stage -> why): then no network and no segment scorers.
    ``aspects``: ``{"min_coverage": ...}`` when the run has the aspects stage (its aspects.json
    and chosen centres are listed), None without."""
    records = shards.read_records(shard_paths)
    shards.check_consistent(records, shard_paths)
    polarity = {"scorers": L.SCORERS, "segments": segments, "bert_segments": bert_segments}
    about = run_models.about_document(
        kinds=kinds,
        ks=ks,
        prepare=prepare,
        bert=bert_about(encoding, records, run),
        polarity=None if skipped else polarity,
        skipped=skipped,
        aspects=None
        if aspects is None
        else run_aspects(run, segments=segments, bert_segments=bert_segments, **aspects),
    )
    files = run_models.model_files(about)
    return manifest.build(run, files, about=about, versions=package_versions(VERSIONED))


def place_input(
    path: str | Path,
    run: str | Path,
    *,
    threads: int,
    log: logging.Logger,
    max_review_bytes: int = MAX_REVIEW_BYTES,
):
    """Rule assign: the new texts at ``path`` (checked as ingest checks reviews, each at most
    ``max_review_bytes``) placed on the scale of the run ``run``: (one row per text, kind and
    named k, one row per segment with its aspect, polarity and comparisons)
    (:meth:`~sentclust.assign.placing.Placer.place_with_segments`)."""
    scale = new_texts.run_rating_scale(run)
    texts = new_texts.from_path(path, max_bytes=max_review_bytes, rating_scale=scale)
    log.info("%d new texts from %s", len(texts), path)
    placed, segments = Placer(run, threads=threads, log=log).place_with_segments(texts)
    chosen = placed[placed["chosen_k"]]
    for kind, group in chosen.groupby("kind", sort=False):
        counts = group["name"].value_counts().to_dict()
        log.info("%s at k = %d: %s", kind, group["k"].iloc[0], counts)
    log.info(segment_summary(segments))
    return placed, segments


def segment_summary(segments) -> str:
    """One log line on the segments: how many, how many with an aspect, a polarity and a
    comparison."""
    n = len(segments)
    if not n:
        return "no segments (the run has neither segment polarity nor aspects)"
    with_aspect = int(segments["aspect"].notna().sum())
    with_polarity = int(segments["polarity"].notna().sum())
    compared = int(segments["comparisons"].map(len).gt(0).sum())
    return (
        f"{n} segments: {with_aspect} with an aspect, {with_polarity} with a polarity, "
        f"{compared} with a comparison"
    )
