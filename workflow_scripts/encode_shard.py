"""Rule encode_shard: encode one contiguous shard of the reviews with sentence-transformers.

``params.bert_segments`` (polarity.bert_segments): ``pooled`` also pools a vector per segment
of the shard's reviews (``input.segments``) in the same forward pass, ``separate`` encodes
every segment as a text of its own, ``off`` writes no rows; ``output.segments`` gets them.
"""

import json
from pathlib import Path

from sentclust.files import embeddings_table, write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    import numpy as np

    from sentclust.bert import encode, int8, shards
    from sentclust.bert import paths as encode_paths
    from sentclust.bert import pooling as segment_pooling

    # results depend on params.encoding only; how to run (device, batch size) is read from the
    # config directly, so that changing it reruns nothing
    enc, rt = sm.params.encoding, sm.config["bert"]["runtime"]
    how = sm.params.get("bert_segments", "pooled" if hasattr(sm.input, "segments") else "off")
    min_coverage = sm.config.get("polarity", {}).get("min_coverage", segment_pooling.MIN_COVERAGE)
    shard, n = int(sm.wildcards.shard), int(sm.wildcards.n)
    ids, texts, rows = shards.read_shard(sm.input.prepared, shard, n)
    log.info("shard %d/%d: rows %d-%d", shard, n, *rows)
    segs = None
    if how != "off":
        if not hasattr(sm.input, "segments"):
            raise ValueError(f"bert_segments is {how!r} but the rule gives no input.segments")
        segs = shards.read_shard_segments(sm.input.segments, ids, texts)
        log.info("%d segments of these reviews, vectors %s", len(segs.review_id), how)
    int8_model, int8_check = None, None
    if hasattr(sm.input, "int8_check"):  # bert.int8.enabled: a candidate only if it passed
        int8_check = int8.check_summary(json.loads(Path(sm.input.int8_check).read_text()))
        int8_model = sm.input.int8_model if int8_check["passed"] else None
        log.info("int8 check %s", "passed" if int8_model else f"failed: {int8_check['failures']}")
    vectors, info, provenance, *made = encode.encode_configured(
        texts,
        enc,
        rt,
        threads=sm.threads,
        log=log,
        segment_spans=segs.spans if segs else None,
        segment_vectors="pooled" if how == "off" else how,
        # the measured choice of backend and precision, shared by every run on this machine
        cache_dir=rt.get("path_cache") or encode_paths.default_cache_dir(),
        int8_model=int8_model,
        # a resumed run's new shards encode as its finished ones did
        siblings=shards.encoded_siblings(sm.output.embeddings, shard, n),
    )
    if int8_check is not None:
        provenance["encoding_path"]["int8_check"] = int8_check
    if made:
        info.update(made[0].summary(min_coverage))
        seg_vectors, coverage = made[0].vectors, made[0].coverage
        log.info(
            "%d segment vectors (%s; %d with coverage >= %.2f) added %.2f s",
            info["n_segments"],
            how,
            info["segments_scored"],
            min_coverage,
            info["segment_seconds"],
        )
    else:  # the rule always has the output: no rows
        seg_vectors, coverage = np.zeros((0, vectors.shape[1]), np.float32), []
    if hasattr(sm.output, "segments"):
        seg_ids, seg_no = (segs.review_id, segs.segment_no) if segs else ([], [])
        table = shards.segments_table(seg_ids, seg_no, coverage, seg_vectors)
        write_parquet(table, sm.output.segments)
    write_parquet(embeddings_table(ids, vectors), sm.output.embeddings)
    write_json(shards.shard_record(info, provenance, shard, n, rows), sm.output.info)
    log.info("encoded %d reviews in %.1f s", len(ids), info["seconds"])
