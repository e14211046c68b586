"""Rule model_manifest: model/manifest.json, what places new reviews on the run's scale (the
network, centres, levels, PLS parameters, segment scorers, the BERT model as the corpus was
encoded) with each file's checksum and the versions that wrote them."""

from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.assign import job

    p = sm.params
    settings = {name: getattr(p, name) for name in job.MANIFEST_SETTINGS}
    document = job.manifest_document(p.run, sm.input.shards, **settings)
    write_json(document, sm.output[0])
    log.info("manifest of %d files for kinds %s", len(document["files"]), ", ".join(p.kinds))
