"""Rule gather_bert: the shards, in order, as one review-embedding table.

Shards that disagree on how they were encoded (model, revision, precision, backend, ...) are
refused before anything is written (:func:`sentclust.bert.job.gather_bert`).
"""

from sentclust.files import write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.bert import job

    table, summary = job.gather_bert(sm.input.shards, sm.input.prepared)
    write_parquet(table, sm.output.embeddings)
    write_json(summary, sm.output.summary)
    log.info("gathered %d shards, %d reviews", summary["n_shards"], table.num_rows)
