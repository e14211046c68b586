# Polarity inside reviews: segments (sentences, then clauses at contrastive markers), each
# scored by models trained on review labels only (the multiple-instance polarity model, fitted
# in its own job beside the encoding), then per review polarity checked against the star
# ratings. The BERT segment vectors come from the encode_shard jobs (bert.smk).


rule segment:
    input:
        prepared=rules.prepare.output.prepared,
    output:
        segments=results(L.SEGMENTS),
        summary=results(L.SEGMENTS_SUMMARY),
    log:
        f"{LOGS}/segment.log",
    benchmark:
        f"{BENCH}/segment.tsv"
    # the encoding jobs wait for it: first, as they are (bert.smk, encode_shard)
    priority: ENCODE_PRIORITY
    conda:
        CONDA_CPU
    threads: config["segments"]["threads"]
    params:
        segments=result_params(config, "segments"),
    script:
        "../workflow_scripts/segment.py"


rule polarity_model:
    input:
        unpack(polarity_model_inputs),
    output:
        model=results(L.POLARITY_MODEL),
    log:
        f"{LOGS}/polarity_model.log",
    benchmark:
        f"{BENCH}/polarity_model.tsv"
    conda:
        CONDA_CPU
    threads: config["polarity"]["threads"]
    params:
        # the score that labels segments (polarity.mil.score) refits nothing
        polarity={
            "mil": {
                k: v for k, v in config["polarity"]["mil"].items() if k != "score"
            },
            "bert_segments": config["polarity"]["bert_segments"],
        },
        # the network's validation hold-out stops the fit early (its thresholds are fitted there)
        validation_fraction=config["wordvec"]["validation_fraction"],
        lowercase=config["prepare"]["lowercase"],
        seed=SEED,
    script:
        "../workflow_scripts/polarity_model.py"


rule score_segments:
    input:
        unpack(score_segments_inputs),
    output:
        scores=results(L.SEGMENT_SCORES),
        scorers=results(L.SCORERS),
    log:
        f"{LOGS}/score_segments.log",
    benchmark:
        f"{BENCH}/score_segments.tsv"
    # first once the BERT vectors are gathered: every fine-grained job waits for it, while the
    # K-means sweep on those vectors fills the other cores
    priority: 10
    conda:
        CONDA_CPU
    threads: config["polarity"]["threads"]
    params:
        polarity=result_params(config, "polarity", drop=("examples",)),
        probe=result_params(config, "probe"),
        # the network's validation hold-out: the thresholds of its scores are fitted there
        validation_fraction=config["wordvec"]["validation_fraction"],
        lowercase=config["prepare"]["lowercase"],
        seed=SEED,
    script:
        "../workflow_scripts/score_segments.py"


rule polarity:
    input:
        scores=rules.score_segments.output.scores,
        scorers=rules.score_segments.output.scorers,
        segments=rules.segment.output.segments,
        reviews=rules.ingest.output.reviews,
        ingest_summary=rules.ingest.output.summary,
    output:
        reviews=results(L.POLARITY_REVIEWS),
        summary=results(L.POLARITY_SUMMARY),
        figure=report(
            results(L.POLARITY_FIGURE),
            caption="../report/polarity.rst",
            category="5. Polarity inside reviews",
        ),
    log:
        f"{LOGS}/polarity.log",
    benchmark:
        f"{BENCH}/polarity.tsv"
    conda:
        CONDA_CPU
    params:
        polarity=result_params(config, "polarity"),
    script:
        "../workflow_scripts/polarity.py"


rule polarity_texts:
    input:
        unpack(polarity_texts_inputs),
    output:
        results(L.POLARITY_TEXTS),
    log:
        f"{LOGS}/polarity_texts.log",
    benchmark:
        f"{BENCH}/polarity_texts.tsv"
    conda:
        CONDA_CPU
    params:
        texts=config["explain"]["texts"],
        segments=result_params(config, "segments"),
        encoding=encoding_params(),
        bert_segments=config["polarity"]["bert_segments"],
        lowercase=config["prepare"]["lowercase"],
        unicode_form=config["prepare"]["unicode_form"],
    script:
        "../workflow_scripts/polarity_texts.py"
