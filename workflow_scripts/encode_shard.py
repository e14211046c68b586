"""Rule encode_shard: encode one contiguous shard of the reviews with sentence-transformers."""

from sentclust.files import embeddings_table, write_json, write_parquet
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust import encode, shards

    # results depend on params.encoding only; how to run (device, batch size) is read from the
    # config directly, so that changing it reruns nothing
    enc, rt = sm.params.encoding, sm.config["bert"]["runtime"]
    shard, n = int(sm.wildcards.shard), int(sm.wildcards.n)
    ids, texts, rows = shards.read_shard(sm.input.prepared, shard, n)
    log.info("shard %d/%d: rows %d-%d", shard, n, *rows)
    vectors, info, provenance = encode.encode_configured(
        texts, enc, rt, threads=sm.threads, log=log
    )
    write_parquet(embeddings_table(ids, vectors), sm.output.embeddings)
    write_json(shards.shard_record(info, provenance, shard, n, rows), sm.output.info)
    log.info("encoded %d reviews in %.1f s", len(ids), info["seconds"])
