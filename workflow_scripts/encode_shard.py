"""Rule encode_shard: encode one contiguous shard of the reviews with sentence-transformers."""

import pyarrow.parquet as pq

from sentclust.files import embeddings_table, package_versions, write_json, write_parquet
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    import torch

    from sentclust import encode

    # results depend on params.encoding only; how to run (device, batch size) is read from the
    # config directly, so that changing it reruns nothing
    enc, rt = sm.params.encoding, sm.config["bert"]["runtime"]
    shard, n = int(sm.wildcards.shard), int(sm.wildcards.n)
    torch.set_num_threads(sm.threads)
    table = pq.read_table(sm.input.prepared, columns=["review_id", "clean_text"])
    start, stop = encode.shard_bounds(table.num_rows, n)[shard]
    part = table.slice(start, stop - start)
    ids = part.column("review_id").to_pylist()
    texts = part.column("clean_text").to_pylist()
    resolved = encode.resolve_model(enc["model"], models_dir=enc["models_dir"])
    device = encode.resolve_device(rt["device"])
    backend = encode.resolve_backend(rt["backend"], device)
    log.info("shard %d/%d: rows %d-%d", shard, n, start, stop)
    log.info("model %s from %s (%s)", resolved.name, resolved.source, resolved.path)
    log.info("device %s, backend %s, %d thread(s)", device, backend, sm.threads)
    model = encode.load_model(resolved, device)
    batch = rt["batch_size_gpu"] if device.startswith("cuda") else rt["batch_size_cpu"]
    precision, why = encode.choose_precision(
        model,
        enc["precision"],
        device,
        texts[: enc["calibration_reviews"]],
        mode=enc["mode"],
        max_seq_length=enc["max_seq_length"],
        batch_size=batch,
        backend=backend,
        threads=sm.threads,
    )
    log.info("precision %s (%s)", precision, why)
    vectors, info = encode.encode(
        model,
        texts,
        mode=enc["mode"],
        max_seq_length=enc["max_seq_length"],
        batch_size=batch,
        device=device,
        precision=precision,
        backend=backend,
        threads=sm.threads,
    )
    write_parquet(embeddings_table(ids, vectors), sm.output.embeddings)
    info.update(
        shard=shard,
        n_shards=n,
        rows=[start, stop],
        model=enc["model"],
        model_source=resolved.source,
        dimensions=int(vectors.shape[1]),
        precision_choice=why,
        versions=package_versions(["torch", "sentence-transformers", "transformers"]),
    )
    write_json(info, sm.output.info)
    log.info("encoded %d reviews in %.1f s", len(ids), info["seconds"])
