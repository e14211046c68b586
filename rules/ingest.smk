# Ingest: any accepted input form -> the reviews contract (results/<run>/data/reviews.parquet).
from sentclust.ingest.inputs import input_fingerprint, local_archive_sha256
from sentclust.redact import redact_url


rule download:
    output:
        results(L.DOWNLOAD),
    log:
        f"{LOGS}/download/{{name}}.log",
    benchmark:
        f"{BENCH}/download/{{name}}.tsv"
    conda:
        CONDA_CPU
    params:
        # redacted: Snakemake stores params in .snakemake/metadata; the job reads the URL
        # from the config (the checksum pins the file, so a new token reruns nothing)
        url=redact_url(config["input_url"]),
        sha256=config["input_sha256"],
    script:
        "../workflow_scripts/download.py"


rule ingest:
    input:
        ingest_input(),
    output:
        reviews=results(L.REVIEWS),
        summary=results(L.INGEST_SUMMARY),
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
        rating_conflicts=config["ingest"]["rating_conflicts"],
        columns=config["ingest"]["columns"],
        csv_separator=config["ingest"]["csv_separator"],
        rating_scale=config["ingest"]["rating_scale"],
        labels_from_ratings=config["ingest"]["labels_from_ratings"],
        # where the labels come from, as the DAG was planned (from the input's column names):
        # ingest checks that what it reads agrees
        expect_labels=planned_labels(),
        seed=SEED,
        # a local archive is verified against input_sha256 (None otherwise)
        sha256=local_archive_sha256(config),
        # an aclImdb folder's review files (count, bytes, newest mtime): an edited review reruns
        # ingest even when the folder's own mtime stays
        fingerprint=input_fingerprint(config.get("input_path")),
    script:
        "../workflow_scripts/ingest.py"
