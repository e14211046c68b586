"""Rule download: fetch input_url (https only) with a SHA-256, length and size check."""

from sentclust.ingest.download import fetch
from sentclust.ingest.inputs import download_settings
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    # the scheme switch and the size cap change no result: read from the config, not params
    settings = download_settings(sm.config)
    # the URL from the config: the rule's param is redacted (params are stored in metadata)
    record = fetch(
        sm.config["input_url"],
        sm.output[0],
        sha256=sm.params.sha256,
        max_bytes=settings["max_bytes"],
        schemes=settings["schemes"],
    )
    log.info("downloaded %s", record)
