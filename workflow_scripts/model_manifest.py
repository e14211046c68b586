"""Rule model_manifest: model/manifest.json, what places new reviews on the run's scale (the
network, centres, levels, PLS parameters, segment scorers, the BERT model as the corpus was
encoded) with each file's checksum and the versions that wrote them."""

from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.assign import job

    p = sm.params
    document = job.manifest_document(
        p.run,
        sm.input.shards,
        kinds=p.kinds,
        ks=p.ks,
        prepare=p.prepare,
        encoding=p.encoding,
        segments=p.segments,
        bert_segments=p.bert_segments,
    )
    write_json(document, sm.output[0])
    log.info("manifest of %d files for kinds %s", len(document["files"]), ", ".join(p.kinds))
