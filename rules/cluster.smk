# K-sweep: a sentiment-aligned projection per raw kind, one K-means job per (kind, k),
# then per kind the choice of k (with figures) and the fine-grained sentiment clusters
# (described by the terms of one count matrix, built once for every kind and k).


rule pls_projection:
    input:
        embeddings=results(L.EMBEDDINGS, kind="{raw}"),
        reviews=rules.ingest.output.reviews,
    output:
        embeddings=results(L.EMBEDDINGS, kind="{raw}_pls"),
        summary=results(L.EMBEDDINGS_SUMMARY, kind="{raw}_pls"),
        # the fitted projection (means, scales, rotations): new texts are placed with it
        model=results(L.PLS_MODEL),
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
        embeddings=results(L.EMBEDDINGS),
        reviews=rules.ingest.output.reviews,
    output:
        assignments=results(L.ASSIGNMENTS),
        metrics=results(L.METRICS),
        by_label=results(L.BY_LABEL),
        by_rating=results(L.BY_RATING),
        # the centres (float32, k x d): new texts are assigned to the nearest
        centres=results(L.CENTRES),
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
        metrics=sweep_files(L.METRICS),
        by_label=sweep_files(L.BY_LABEL),
        by_rating=sweep_files(L.BY_RATING),
    output:
        choice=results(L.CHOICE),
        table=results(L.SWEEP),
        figures=report(
            directory(results(L.CHOICE_FIGURES)),
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
        counts=results(L.TERM_COUNTS),
        vocab=results(L.TERM_VOCAB),
        rows=results(L.TERM_ROWS),
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
        unpack(finegrained_polarity_inputs),
        choice=rules.choose_k.output.choice,
        assignments=sweep_files(L.ASSIGNMENTS),
        reviews=rules.ingest.output.reviews,
        ingest_summary=rules.ingest.output.summary,
        prepared=rules.prepare.output.prepared,
        counts=rules.term_counts.output.counts,
        vocab=rules.term_counts.output.vocab,
        rows=rules.term_counts.output.rows,
        segments=rules.segment.output.segments,
    output:
        json=results(L.FINEGRAINED),
        table=results(L.FINEGRAINED_TABLE),
        figure=report(
            results(L.RATING_FIGURE),
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
