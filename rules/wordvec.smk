# Custom word embeddings: the TensorFlow network, review vectors, LIME, linear probes.


rule train_wordvec:
    input:
        reviews=rules.ingest.output.reviews,
        prepared=rules.prepare.output.prepared,
    output:
        model=results(L.WORDVEC_MODEL),
        metrics=results(L.WORDVEC_METRICS),
        words=results(L.WORD_VECTORS),
    log:
        f"{LOGS}/train_wordvec.log",
    benchmark:
        f"{BENCH}/train_wordvec.tsv"
    conda:
        CONDA_CPU
    threads: config["wordvec"]["threads"]
    params:
        network=network_params(),
        seed=SEED,
    script:
        "../workflow_scripts/train_wordvec.py"


rule wordvec_vectors:
    input:
        model=rules.train_wordvec.output.model,
        prepared=rules.prepare.output.prepared,
    output:
        embeddings=results(L.EMBEDDINGS, kind="wordvec"),
        summary=results(L.EMBEDDINGS_SUMMARY, kind="wordvec"),
    log:
        f"{LOGS}/wordvec_vectors.log",
    benchmark:
        f"{BENCH}/wordvec_vectors.tsv"
    conda:
        CONDA_CPU
    threads: config["wordvec"]["threads"]
    params:
        seed=SEED,
    script:
        "../workflow_scripts/wordvec_vectors.py"


rule explain:
    input:
        model=rules.train_wordvec.output.model,
        reviews=rules.ingest.output.reviews,
        prepared=rules.prepare.output.prepared,
    output:
        json=results(L.EXPLANATIONS),
        figures=report(
            directory(results(L.EXPLAIN_FIGURES)),
            patterns=["{name}.png"],
            caption="../report/explain.rst",
            category="1. LIME explanations",
            labels={"text": "{name}"},
        ),
        html=directory(results(L.EXPLAIN_HTML)),
    log:
        f"{LOGS}/explain.log",
    benchmark:
        f"{BENCH}/explain.tsv"
    conda:
        CONDA_CPU
    threads: config["wordvec"]["threads"]
    params:
        explain=explain_params(),
        lowercase=config["prepare"]["lowercase"],
        unicode_form=config["prepare"]["unicode_form"],
        seed=SEED,
    script:
        "../workflow_scripts/explain.py"


rule probe:
    input:
        embeddings=results(L.EMBEDDINGS),
        reviews=rules.ingest.output.reviews,
    output:
        results(L.PROBE),
    log:
        f"{LOGS}/probe/{{kind}}.log",
    benchmark:
        f"{BENCH}/probe/{{kind}}.tsv"
    conda:
        CONDA_CPU
    params:
        probe=result_params(config, "probe"),
        seed=SEED,
    script:
        "../workflow_scripts/probe.py"
