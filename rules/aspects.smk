# Aspects (issue 30): K-means on the BERT segment vectors (one job per aspect count), the count
# chosen as k is, the aspects named by their terms, and the segment polarity per aspect and per
# fine-grained level x aspect. Left out when polarity.bert_segments is off (no segment vectors).


rule aspects_k:
    input:
        segments=results(L.SEGMENTS),
        shards=bert_shard_files(L.SHARD_SEGMENTS),
        reviews=results(L.REVIEWS),
    output:
        assignments=results(L.ASPECTS_ASSIGNMENTS),
        centres=results(L.ASPECTS_CENTRES),
        record=results(L.ASPECTS_RECORD),
    log:
        f"{LOGS}/aspects_k/k{{k}}.log",
    benchmark:
        f"{BENCH}/aspects_k/k{{k}}.tsv"
    conda:
        CONDA_CPU
    threads: config["kmeans"]["threads"]
    params:
        aspects=aspects_fit_params(),
        seed=SEED,
    script:
        "../workflow_scripts/aspects_k.py"


rule aspects:
    input:
        unpack(aspects_inputs),
    output:
        json=results(L.ASPECTS),
        table=results(L.ASPECTS_TABLE),
        detail=directory(results(L.ASPECTS_DETAIL)),
    log:
        f"{LOGS}/aspects.log",
    benchmark:
        f"{BENCH}/aspects.tsv"
    conda:
        CONDA_CPU
    params:
        aspects=aspects_params(),
        ks=aspects_ks(),
        sweep_ks=sweep_ks(),
        kinds=ALL_KINDS,
        seed=SEED,
        min_words=config["finegrained"]["opinion_min_words"],
    script:
        "../workflow_scripts/aspects.py"
