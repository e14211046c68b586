"""Rule download: fetch input_url with a SHA-256 check."""

from sentclust.ingest.download import fetch
from sentclust.smk import logged

with logged(snakemake.log[0]) as log:  # noqa: F821
    record = fetch(snakemake.params.url, snakemake.output[0], sha256=snakemake.params.sha256)  # noqa: F821
    log.info("downloaded %s", record)
