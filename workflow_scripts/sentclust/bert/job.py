"""The bert stage's rule-facing functions: what the rules' scripts call.

- :func:`encode_shard` (rule ``encode_shard``, ``workflow_scripts/encode_shard.py``): one shard
  of the reviews encoded as the config asks, its segment vectors, and its JSON record;
- :func:`int8_check` (rule ``int8_check``): the int8 encoder quantized and judged
  (:mod:`sentclust.bert.int8`);
- :func:`gather_bert` (rule ``gather_bert``): the shards, checked and concatenated in order
  (:mod:`sentclust.bert.shards`);
- :func:`encode_configured`: one encoding as the config asks (the model resolved and loaded, the
  backend and precision chosen by :mod:`sentclust.bert.paths`, the provenance); used by
  :func:`encode_shard` and by the polarity stage for the texts it explains.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust.bert import int8, shards
from sentclust.bert.encode import SEGMENT_VECTORS, encode, encode_segments_separately
from sentclust.bert.models import load_model, recorded_revision, resolve_device, resolve_model
from sentclust.bert.pathcache import default_cache_dir
from sentclust.bert.paths import choose_encoding, encoding_setting
from sentclust.files import embeddings_table, package_versions


def _provenance(encoding: dict, resolved, revision: str, vectors, why: dict, setting: str) -> dict:
    """A shard's provenance: the model, where it came from, its revision, the dimensions, the
    encoding path and why, the setting a resumed job matches, the package versions."""
    return {
        "model": encoding["model"],
        "model_source": resolved.source,
        "model_revision": revision,
        "dimensions": int(vectors.shape[1]),
        "encoding_path": why,
        "encoding_setting": setting,
        "versions": package_versions(
            ["torch", "openvino", "sentence-transformers", "transformers"]
        ),
    }


def _resolve(encoding: dict):
    """Which copy of the configured model is used (:func:`sentclust.bert.models.resolve_model`)."""
    return resolve_model(
        encoding["model"], models_dir=encoding["models_dir"], revision=encoding["revision"]
    )


def _load(encoding: dict, runtime: dict, log: logging.Logger):
    """(resolved model, its recorded revision, the device, the loaded model)."""
    resolved = _resolve(encoding)
    revision = recorded_revision(resolved)
    device = resolve_device(runtime["device"])
    log.info("model %s from %s (%s), %s", resolved.name, resolved.source, resolved.path, revision)
    return resolved, revision, device, load_model(resolved, device)


def encode_configured(
    texts: Sequence[str],
    encoding: dict,
    runtime: dict,
    *,
    threads: int,
    log: logging.Logger | None = None,
    segment_spans: Sequence[Sequence[tuple[int, int]]] | None = None,
    segment_vectors: str = "pooled",
    cache_dir=None,
    int8_model=None,
    siblings: Sequence[dict] = (),
):
    """One encoding job as the config asks: (vectors, :func:`~sentclust.bert.encode.encode`'s
    report, provenance), and the :class:`~sentclust.bert.pooling.SegmentVectors` as a 4th
    element when ``segment_spans`` is given: ``segment_vectors`` ``pooled`` in the reviews' own
    pass, or ``separate`` (each segment encoded as a text of its own, with the same model, mode
    and precision).

    ``encoding`` holds what changes the embeddings (the rule's ``params.encoding``: model,
    revision, models_dir, mode, max_seq_length, precision, calibration_reviews); ``runtime`` how
    the job runs (``bert.runtime``: device, backend, batch sizes). The backend and precision are
    chosen by :func:`~sentclust.bert.paths.choose_encoding` (measured on this machine, cached
    in ``cache_dir``; ``int8_model`` where an int8 model passed its check; ``siblings``: the
    records of the run's finished shards, whose path a resumed job follows). Provenance: the
    model, where it came from, its revision (``encoding["revision"]`` pins a hub model's;
    recorded: the snapshot's commit or a hash of the weights), the dimensions, the encoding path
    and why, the package versions.
    """
    import torch  # torch: only when encoding

    log = log or logging.getLogger("sentclust")
    torch.set_num_threads(threads)
    resolved, revision, device, model = _load(encoding, runtime, log)
    setting = encoding_setting(encoding, int8_model)
    kw, why = _how_to_encode(
        model,
        resolved,
        texts,
        encoding,
        runtime,
        device,
        threads=threads,
        cache_dir=cache_dir,
        int8_model=int8_model,
        follow=shards.path_to_follow(siblings, setting),
        log=log,
    )
    if segment_vectors not in SEGMENT_VECTORS:
        raise ValueError(f"segment vectors are {SEGMENT_VECTORS}, not {segment_vectors!r}")
    pooled = segment_spans if segment_vectors == "pooled" else None
    result = encode(model, texts, segment_spans=pooled, **kw)
    vectors, info = result[:2]
    if segment_spans is not None and segment_vectors == "separate":
        result = (vectors, info, encode_segments_separately(model, texts, segment_spans, **kw))
    provenance = _provenance(encoding, resolved, revision, vectors, why, setting)
    return (vectors, info, provenance, *result[2:])


def _how_to_encode(
    model, resolved, texts, encoding, runtime, device, *, threads, cache_dir, int8_model,
    follow, log,
) -> tuple[dict, dict]:  # fmt: skip
    """:func:`~sentclust.bert.encode.encode`'s settings for this job (the batch size of the
    device, the backend and precision :func:`~sentclust.bert.paths.choose_encoding` chose), and
    why that path."""
    batch = runtime["batch_size_gpu"] if device.startswith("cuda") else runtime["batch_size_cpu"]
    shape = dict(mode=encoding["mode"], max_seq_length=encoding["max_seq_length"], batch_size=batch)
    path, why = choose_encoding(
        model,
        encoding["precision"],
        runtime["backend"],
        device,
        texts[: encoding["calibration_reviews"]],
        encode_kw=shape,
        threads=threads,
        cache_dir=cache_dir,
        int8_model=int8_model,
        model_id={"name": resolved.name, "path": str(resolved.path)},
        follow=follow,
        log=log,
    )
    log.info("device %s, %d thread(s), %s (%s)", device, threads, path, why["rule"])
    kw = dict(
        device=device,
        precision=path.precision,
        backend=path.backend,
        threads=threads,
        int8_model=int8_model,
        **shape,
    )
    return kw, why


@dataclass
class EncodedShard:
    """What an encode_shard job writes: the review vectors, the segment vectors (no rows when
    none were asked for) and the shard's JSON record."""

    embeddings: pa.Table
    segments: pa.Table
    record: dict


def encode_shard(
    prepared,
    shard: int,
    n_shards: int,
    *,
    encoding: dict,
    runtime: dict,
    bert_segments: str,
    min_coverage: float,
    threads: int,
    shard_path,
    segments=None,
    int8_files: tuple | None = None,
    log: logging.Logger,
) -> EncodedShard:
    """Shard ``shard`` of ``n_shards`` of ``prepared.parquet`` encoded as the config asks.

    ``encoding``: the rule's ``params.encoding``; ``runtime``: ``bert.runtime`` (how to run:
    changing it reruns nothing); ``bert_segments``: ``polarity.bert_segments`` (``pooled``,
    ``separate``, or ``off``: no segment vectors), with the ``segments`` file when it is not
    off; ``min_coverage``: ``polarity.min_coverage``, for the record's count of scored segments;
    ``shard_path``: where the shard's vectors go (its finished siblings are looked for beside
    it); ``int8_files``: the int8_check rule's (model, check) where ``bert.int8.enabled``.
    """
    ids, texts, rows = shards.read_shard(prepared, shard, n_shards)
    log.info("shard %d/%d: rows %d-%d", shard, n_shards, *rows)
    segs = _shard_segments(segments, ids, texts, bert_segments, log)
    int8_model, check = None, None
    if int8_files is not None:  # bert.int8.enabled: a candidate only if it passed
        int8_model, check = int8_candidate(*int8_files, log=log)
    vectors, info, provenance, *made = encode_configured(
        texts,
        encoding,
        runtime,
        threads=threads,
        log=log,
        segment_spans=segs.spans if segs else None,
        segment_vectors="pooled" if bert_segments == "off" else bert_segments,
        # the measured choice of backend and precision, shared by every run on this machine
        cache_dir=runtime["path_cache"] or default_cache_dir(),
        int8_model=int8_model,
        # a resumed run's new shards encode as its finished ones did
        siblings=shards.encoded_siblings(shard_path, shard, n_shards),
    )
    if check is not None:
        provenance["encoding_path"]["int8_check"] = check
    pooled = made[0] if made else None
    if pooled is not None:
        info.update(_segment_summary(pooled, bert_segments, min_coverage, log))
    return EncodedShard(
        embeddings_table(ids, vectors),
        _segments_table(segs, pooled, vectors.shape[1]),
        shards.shard_record(info, provenance, shard, n_shards, rows),
    )


def _shard_segments(segments, ids, texts, how: str, log) -> shards.ShardSegments | None:
    """The segments of the shard's reviews, or None where ``how`` (polarity.bert_segments) is
    off."""
    if how == "off":
        return None
    if segments is None:
        raise ValueError(f"bert_segments is {how!r} but no segments file is given")
    segs = shards.read_shard_segments(segments, ids, texts)
    log.info("%d segments of these reviews, vectors %s", len(segs.review_id), how)
    return segs


def _segment_summary(made, how: str, min_coverage: float, log) -> dict:
    """What the shard's record says about its segment vectors (logged)."""
    summary = made.summary(min_coverage)
    log.info(
        "%d segment vectors (%s; %d with coverage >= %.2f) added %.2f s",
        summary["n_segments"],
        how,
        summary["segments_scored"],
        min_coverage,
        summary["segment_seconds"],
    )
    return summary


def _segments_table(segs, made, dim: int) -> pa.Table:
    """The shard's segment vectors as a table; no rows where none were made (the rule always
    has the output)."""
    if made is None:
        seg_vectors, coverage = np.zeros((0, dim), np.float32), []
    else:
        seg_vectors, coverage = made.vectors, made.coverage
    seg_ids, seg_no = (segs.review_id, segs.segment_no) if segs else ([], [])
    return shards.segments_table(seg_ids, seg_no, coverage, seg_vectors)


def int8_candidate(model_path, check_path, *, log: logging.Logger) -> tuple[str | None, dict]:
    """The int8 model a shard may use (None unless its check passed), and what the shard's
    record keeps of the check (:func:`sentclust.bert.int8.check_summary`)."""
    check = int8.check_summary(json.loads(Path(check_path).read_text()))
    model = model_path if check["passed"] else None
    log.info("int8 check %s", "passed" if model else f"failed: {check['failures']}")
    return model, check


def int8_check(
    prepared,
    reviews,
    encoding: dict,
    settings: dict,
    *,
    ks: Sequence[int],
    kmeans_kw: dict,
    seed: int,
    threads: int,
    model_path,
    log: logging.Logger,
) -> dict:
    """Quantize the configured model on train-split reviews, save it at ``model_path``, and
    judge it on held-back reviews (:func:`sentclust.bert.int8.downstream_check`) against
    PyTorch float32; the check's table is logged.

    ``prepared``/``reviews``: ``prepared.parquet`` and ``reviews.parquet`` (every review of the
    run, in order); ``encoding``: the rule's ``params.encoding`` (the bert section: model,
    revision, models_dir, mode, max_seq_length); ``settings``: ``bert.int8``
    (calibration_reviews, check_reviews, min_ari, max_change); ``ks``, ``kmeans_kw``: the sweep.
    """
    texts, labels, splits = _labelled_texts(prepared, reviews)
    cfg = settings
    if len(set(np.asarray(labels).tolist())) < 2:
        raise ValueError("the int8 check needs labelled reviews of both classes")
    model = _cpu_model(encoding, threads)
    cal, held = int8.check_sample(
        splits, calibration=cfg["calibration_reviews"], check=cfg["check_reviews"], seed=seed
    )
    msl = encoding["max_seq_length"]
    done = int8.quantize(model, [texts[i] for i in cal], model_path, max_seq_length=msl)
    log.info("quantized on %d train reviews in %.1f s", len(cal), done["seconds"])
    (ref, info_ref), (q, info_q) = int8.encode_both(
        model, [texts[i] for i in held], encoding, threads=threads, int8_model=model_path, log=log
    )
    kmeans_kw = {k: v for k, v in kmeans_kw.items() if k in int8.KMEANS_KEYS}
    check = int8.downstream_check(
        ref,
        q,
        np.asarray(labels)[held],
        np.asarray(splits)[held],
        ks=ks,
        kmeans_kw={**kmeans_kw, "threads": threads},
        seed=seed,
        min_ari=cfg["min_ari"],
        max_change=cfg["max_change"],
    )
    check["quantization"] = done
    check["reviews_per_second"] = {
        "float32": info_ref["texts_per_second"],
        "int8": info_q["texts_per_second"],
    }
    check["table"] = int8.check_table(check)
    log.info("int8 check:\n%s", check["table"])
    return check


def _cpu_model(encoding: dict, threads: int):
    """The configured model loaded on the CPU, torch running ``threads`` threads."""
    import torch  # torch: only when the check runs

    torch.set_num_threads(threads)
    return load_model(_resolve(encoding), "cpu")


def _labelled_texts(prepared, reviews) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(cleaned texts, labels, splits) of every review, checked to be the same reviews."""
    texts = pd.read_parquet(prepared, columns=["review_id", "clean_text"])
    labelled = pd.read_parquet(reviews, columns=["review_id", "split", "label"])
    if not texts["review_id"].equals(labelled["review_id"]):
        raise ValueError(
            "prepared.parquet and reviews.parquet disagree on the reviews: rerun prepare"
        )
    return (
        texts["clean_text"].tolist(),
        labelled["label"].to_numpy(),
        labelled["split"].to_numpy(),
    )


def gather_bert(shard_paths: Sequence, prepared) -> tuple[pa.Table, dict]:
    """The shards' vectors as one table in shard order, and ``bert_summary.json``; shards that
    disagree on how they were encoded are refused first
    (:func:`sentclust.bert.shards.check_consistent`)."""
    records = shards.read_records(shard_paths)
    shards.check_consistent(records, shard_paths)
    table = shards.gather(shard_paths, prepared)
    return table, shards.bert_summary(records, table.num_rows)
