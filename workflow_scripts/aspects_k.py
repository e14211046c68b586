"""Rule aspects_k: K-means with one aspect count on the BERT segment vectors (fit on the train
split's segments or a seeded sample of them), every segment assigned."""

from sentclust.aspects import job
from sentclust.files import write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    table, model, record = job.fit_count(
        list(sm.input.shards),
        sm.input.segments,
        sm.input.reviews,
        k=int(sm.wildcards.k),
        params=sm.params.aspects,
        seed=sm.params.seed,
        threads=sm.threads,
    )
    write_parquet(table, sm.output.assignments)
    model.save(sm.output.centres)
    write_json(record, sm.output.record)
