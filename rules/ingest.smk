# Ingest: any accepted input form -> the reviews contract (results/<run>/data/reviews.parquet).


rule download:
    output:
        f"{DOWNLOAD_DIR}/{{name}}",
    log:
        f"{LOGS}/download/{{name}}.log",
    benchmark:
        f"{BENCH}/download/{{name}}.tsv"
    conda:
        CONDA_CPU
    params:
        url=config["input_url"],
        sha256=config["input_sha256"],
    script:
        "../workflow_scripts/download.py"


rule ingest:
    input:
        ingest_input(),
    output:
        reviews=f"{RESULTS}/data/reviews.parquet",
        summary=f"{RESULTS}/data/ingest_summary.json",
    log:
        f"{LOGS}/ingest.log",
    benchmark:
        f"{BENCH}/ingest.tsv"
    conda:
        CONDA_CPU
    params:
        source=ingest_source,
        fmt=config["input_format"],
        splits=config["ingest"]["splits"],
        subsample=config["ingest"]["subsample"],
        duplicate_texts=config["ingest"]["duplicate_texts"],
        csv_test_fraction=config["ingest"]["csv_test_fraction"],
        seed=SEED,
    script:
        "../workflow_scripts/ingest.py"
