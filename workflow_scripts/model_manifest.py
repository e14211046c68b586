"""Rule model_manifest: model/manifest.json, what places new reviews on the run's scale (the
network, centres, levels, PLS parameters, segment scorers, the BERT model as the corpus was
encoded) with each file's checksum and the versions that wrote them."""

from sentclust.files import package_versions, write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.assign import manifest, run_models
    from sentclust.bert import shards
    from sentclust.bert.models import recorded_revision, resolve_model

    p = sm.params
    records = shards.read_records(sm.input.shards)
    shards.check_consistent(records, sm.input.shards)
    enc = p.encoding
    resolved = resolve_model(enc["model"], models_dir=enc["models_dir"], revision=enc["revision"])
    if recorded_revision(resolved) != records[0]["model_revision"]:
        raise ValueError(
            f"the sentence-transformer at {resolved.path} is not the one the shards were encoded "
            f"with ({records[0]['model_revision']}): it changed since. Fix: delete "
            f"{p.run}/embeddings/bert_shards and rerun, so that the corpus and new texts are "
            "encoded with the same model"
        )
    polarity = {
        "scorers": run_models.SCORERS,
        "segments": p.segments,
        "bert_segments": p.bert_segments,
    }
    about = run_models.about_document(
        kinds=p.kinds,
        ks=p.ks,
        prepare=p.prepare,
        bert=run_models.bert_identity(enc, records, resolved.path),
        polarity=polarity,
    )
    versions = package_versions(
        ["tensorflow", "keras", "torch", "sentence-transformers", "openvino", "scikit-learn"]
    )
    document = manifest.build(p.run, run_models.model_files(about), about=about, versions=versions)
    write_json(document, sm.output[0])
    log.info("manifest of %d files for kinds %s", len(document["files"]), ", ".join(p.kinds))
