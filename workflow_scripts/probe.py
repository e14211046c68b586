"""Rule probe: logistic regression on one embedding kind (train split -> test split)."""

from sentclust.files import read_embeddings_with_reviews, write_json
from sentclust.wordvec.job import probe_embeddings
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    _, x, meta = read_embeddings_with_reviews(
        sm.input.embeddings, sm.input.reviews, ("split", "label")
    )
    result = probe_embeddings(
        x,
        meta,
        kind=sm.wildcards.kind,
        c=sm.params.probe["C"],
        max_iter=sm.params.probe["max_iter"],
        seed=sm.params.seed,
    )
    write_json(result, sm.output[0])
    log.info("probe %s: %s", sm.wildcards.kind, result)
