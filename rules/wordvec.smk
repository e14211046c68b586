# Custom word embeddings: the TensorFlow network, review vectors, LIME, linear probes.


rule train_wordvec:
    input:
        reviews=rules.ingest.output.reviews,
        prepared=rules.prepare.output.prepared,
    output:
        model=f"{RESULTS}/wordvec/model.keras",
        metrics=f"{RESULTS}/wordvec/metrics.json",
        words=f"{RESULTS}/wordvec/word_vectors.parquet",
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
        embeddings=f"{RESULTS}/embeddings/wordvec.parquet",
        summary=f"{RESULTS}/embeddings/wordvec_summary.json",
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
        json=f"{RESULTS}/explain/explanations.json",
        figures=report(
            directory(f"{RESULTS}/explain/figures"),
            patterns=["{name}.png"],
            caption="../report/explain.rst",
            category="1. LIME explanations",
            labels={"text": "{name}"},
        ),
        html=directory(f"{RESULTS}/explain/html"),
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
        embeddings=f"{RESULTS}/embeddings/{{kind}}.parquet",
        reviews=rules.ingest.output.reviews,
    output:
        f"{RESULTS}/probe/{{kind}}.json",
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
