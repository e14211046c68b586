"""Rule gather_bert: the shards, in order, as one review-embedding table.

Shards that disagree on how they were encoded (model, revision, precision, backend, ...) are
refused before anything is written (:func:`sentclust.bert.shards.check_consistent`).
"""

from sentclust.bert import shards
from sentclust.files import write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    records = shards.read_records(sm.input.shards)
    shards.check_consistent(records, sm.input.shards)
    table = shards.gather(sm.input.shards, sm.input.prepared)
    write_parquet(table, sm.output.embeddings)
    write_json(shards.bert_summary(records, table.num_rows), sm.output.summary)
    log.info("gathered %d shards, %d reviews", len(records), table.num_rows)
