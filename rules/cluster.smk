# K-sweep: a sentiment-aligned projection per raw kind, one K-means job per (kind, k),
# then per kind the choice of k (with figures) and the fine-grained sentiment clusters
# (described by the terms of one count matrix, built once for every kind and k).


rule pls_projection:
    input:
        embeddings=f"{RESULTS}/embeddings/{{raw}}.parquet",
        reviews=rules.ingest.output.reviews,
    output:
        embeddings=f"{RESULTS}/embeddings/{{raw}}_pls.parquet",
        summary=f"{RESULTS}/embeddings/{{raw}}_pls_summary.json",
        # the fitted projection (means, scales, rotations): new texts are placed with it
        model=f"{RESULTS}/embeddings/{{raw}}_pls_model.npz",
    log:
        f"{LOGS}/pls_projection/{{raw}}.log",
    benchmark:
        f"{BENCH}/pls_projection/{{raw}}.tsv"
    conda:
        CONDA_CPU
    params:
        projection=result_params(config, "projection"),
    script:
        "../workflow_scripts/pls_projection.py"


rule kmeans:
    input:
        embeddings=f"{RESULTS}/embeddings/{{kind}}.parquet",
        reviews=rules.ingest.output.reviews,
    output:
        assignments=f"{RESULTS}/clusters/{{kind}}/k{{k}}/assignments.parquet",
        metrics=f"{RESULTS}/clusters/{{kind}}/k{{k}}/metrics.json",
        by_label=f"{RESULTS}/clusters/{{kind}}/k{{k}}/contingency_labels.parquet",
        by_rating=f"{RESULTS}/clusters/{{kind}}/k{{k}}/contingency_ratings.parquet",
        # the centres (float32, k x d): new texts are assigned to the nearest
        centres=f"{RESULTS}/clusters/{{kind}}/k{{k}}/centres.npz",
    log:
        f"{LOGS}/kmeans/{{kind}}_k{{k}}.log",
    benchmark:
        f"{BENCH}/kmeans/{{kind}}_k{{k}}.tsv"
    conda:
        CONDA_GPU_CAPABLE
    threads: config["kmeans"]["threads"]
    resources:
        **gpu_request("kmeans"),
    params:
        kmeans=kmeans_params(),
        supervision=supervision_of,
        seed=SEED,
    script:
        "../workflow_scripts/kmeans.py"


rule choose_k:
    input:
        metrics=sweep_files("metrics.json"),
        by_label=sweep_files("contingency_labels.parquet"),
        by_rating=sweep_files("contingency_ratings.parquet"),
    output:
        choice=f"{RESULTS}/clusters/{{kind}}/choice.json",
        table=f"{RESULTS}/clusters/{{kind}}/k_sweep.tsv",
        figures=report(
            directory(f"{RESULTS}/clusters/{{kind}}/figures"),
            patterns=["{name}.png"],
            caption="../report/choose_k.rst",
            category="2. Choice of k and overlap",
            subcategory="{kind}",
            labels={"kind": "{kind}", "figure": "{name}"},
        ),
    log:
        f"{LOGS}/choose_k/{{kind}}.log",
    benchmark:
        f"{BENCH}/choose_k/{{kind}}.tsv"
    conda:
        CONDA_CPU
    params:
        criterion=config["choose_k"]["criterion"],
        supervision=supervision_of,
        ks=sweep_ks(),
    script:
        "../workflow_scripts/choose_k.py"


rule term_counts:
    input:
        prepared=rules.prepare.output.prepared,
    output:
        counts=f"{RESULTS}/clusters/term_counts.npz",
        vocab=f"{RESULTS}/clusters/term_counts_vocab.parquet",
        rows=f"{RESULTS}/clusters/term_counts_rows.parquet",
    log:
        f"{LOGS}/term_counts.log",
    benchmark:
        f"{BENCH}/term_counts.tsv"
    conda:
        CONDA_CPU
    params:
        min_df=config["finegrained"]["min_df"],
        max_df=config["finegrained"]["max_df"],
        stop_words=config["finegrained"]["stop_words"],
    script:
        "../workflow_scripts/term_counts.py"


rule finegrained:
    input:
        choice=rules.choose_k.output.choice,
        assignments=sweep_files("assignments.parquet"),
        reviews=rules.ingest.output.reviews,
        prepared=rules.prepare.output.prepared,
        counts=rules.term_counts.output.counts,
        vocab=rules.term_counts.output.vocab,
        rows=rules.term_counts.output.rows,
        polarity=f"{RESULTS}/polarity/reviews.parquet",
        segment_scores=f"{RESULTS}/polarity/segment_scores.parquet",
        segments=f"{RESULTS}/segments/segments.parquet",
    output:
        json=f"{RESULTS}/clusters/{{kind}}/finegrained.json",
        table=f"{RESULTS}/clusters/{{kind}}/finegrained.parquet",
        figure=report(
            f"{RESULTS}/clusters/{{kind}}/rating_by_cluster.png",
            caption="../report/finegrained.rst",
            category="3. Fine-grained sentiment",
            labels={"kind": "{kind}"},
        ),
    log:
        f"{LOGS}/finegrained/{{kind}}.log",
    benchmark:
        f"{BENCH}/finegrained/{{kind}}.tsv"
    conda:
        CONDA_CPU
    params:
        finegrained=result_params(config, "finegrained"),
        explore=config["choose_k"]["explore"],
        supervision=supervision_of,
        ks=sweep_ks(),
    script:
        "../workflow_scripts/finegrained.py"
