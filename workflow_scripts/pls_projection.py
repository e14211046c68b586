"""Rule pls_projection: a sentiment-aligned linear projection fitted on train labels only."""

from sentclust.cluster.job import pls_on_train
from sentclust.files import (
    embeddings_table,
    read_embeddings_with_reviews,
    write_json,
    write_parquet,
)
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    ids, x, meta = read_embeddings_with_reviews(
        sm.input.embeddings, sm.input.reviews, ("split", "label")
    )
    z, summary, fitted = pls_on_train(
        x, meta, sm.params.projection["n_components"], source_kind=sm.wildcards.raw
    )
    write_parquet(embeddings_table(ids, z), sm.output.embeddings)
    fitted.save(sm.output.model)
    write_json(summary, sm.output.summary)
    log.info("projected %s to %d PLS components", sm.wildcards.raw, summary["n_components"])
