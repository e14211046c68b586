"""Rule encode_shard: encode one contiguous shard of the reviews with sentence-transformers.

``params.bert_segments`` (polarity.bert_segments): ``pooled`` also pools a vector per segment
of the shard's reviews (``input.segments``) in the same forward pass, ``separate`` encodes
every segment as a text of its own, ``off`` writes no rows; ``output.segments`` gets them.
See :func:`sentclust.bert.job.encode_shard`.
"""

from sentclust.files import write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.bert import job

    # bert.int8.enabled: the int8_check rule's model and its verdict
    int8 = (sm.input.int8_model, sm.input.int8_check) if hasattr(sm.input, "int8_check") else None
    shard = job.encode_shard(
        sm.input.prepared,
        int(sm.wildcards.shard),
        int(sm.wildcards.n),
        encoding=sm.params.encoding,
        # results depend on params.encoding only; how to run (device, batch size) is read from
        # the config directly, so that changing it reruns nothing
        runtime=sm.config["bert"]["runtime"],
        bert_segments=sm.params.bert_segments,
        min_coverage=sm.config["polarity"]["min_coverage"],
        threads=sm.threads,
        shard_path=sm.output.embeddings,
        segments=sm.input.get("segments"),  # where polarity.bert_segments is not off
        int8_files=int8,
        log=log,
    )
    write_parquet(shard.segments, sm.output.segments)
    write_parquet(shard.embeddings, sm.output.embeddings)
    write_json(shard.record, sm.output.info)
    log.info("encoded %d reviews in %.1f s", shard.embeddings.num_rows, shard.record["seconds"])
