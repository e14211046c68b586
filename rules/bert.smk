# BERT sentence embeddings: one encoding job per shard (a GPU job on a cluster), then a gather.


rule encode_shard:
    input:
        unpack(encode_shard_inputs),
    output:
        embeddings=results(L.SHARD),
        info=results(L.SHARD_INFO),
        # the shard's segment vectors (polarity.bert_segments; no rows when it is off)
        segments=results(L.SHARD_SEGMENTS),
    log:
        f"{LOGS}/encode_shard/shard_{{shard}}_of_{{n}}.log",
    benchmark:
        f"{BENCH}/encode_shard/shard_{{shard}}_of_{{n}}.tsv"
    # before every job that does not wait for the vectors, so that the shards run back to back
    # in every lane and end together; the network's branch then fills the lanes beside the
    # jobs on the vectors (tests/benchmarks/README.md, "End-to-end ... 2026-12-08")
    priority: ENCODE_PRIORITY
    conda:
        CONDA_GPU_CAPABLE
    threads: config["bert"]["runtime"]["threads"]
    resources:
        **gpu_request("encode_shard"),
    params:
        encoding=encoding_params(),
        bert_segments=config["polarity"]["bert_segments"],
    script:
        "../workflow_scripts/encode_shard.py"


rule int8_check:
    input:
        prepared=rules.prepare.output.prepared,
        reviews=rules.ingest.output.reviews,
    output:
        **int8_files(),
    log:
        f"{LOGS}/int8_check.log",
    benchmark:
        f"{BENCH}/int8_check.tsv"
    conda:
        CONDA_CPU
    threads: 8  # capped at --cores
    params:
        encoding=encoding_params(),
        int8=canonical(config["bert"]["int8"]),
        kmeans=kmeans_params(),
        ks=config["kmeans"]["k"],
        seed=SEED,
    script:
        "../workflow_scripts/int8_check.py"


rule gather_bert:
    input:
        shards=bert_shard_files(),
        prepared=rules.prepare.output.prepared,
    output:
        embeddings=results(L.EMBEDDINGS, kind="bert"),
        summary=results(L.EMBEDDINGS_SUMMARY, kind="bert"),
    log:
        f"{LOGS}/gather_bert.log",
    benchmark:
        f"{BENCH}/gather_bert.tsv"
    conda:
        CONDA_CPU
    script:
        "../workflow_scripts/gather_bert.py"
