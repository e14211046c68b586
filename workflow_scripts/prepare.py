"""Rule prepare: clean and tokenise every review (keyed by review_id)."""

import pandas as pd
import pyarrow as pa

from sentclust.files import package_versions, write_json, write_parquet
from sentclust.prepare import job
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    reviews = pd.read_parquet(sm.input.reviews, columns=["review_id", "text"])
    prepared = job.prepare(
        reviews,
        lowercase=sm.params.lowercase,
        unicode_form=sm.params.unicode_form,
        n_jobs=sm.threads,
    )
    table = pa.Table.from_pandas(prepared, schema=job.PREPARED_SCHEMA, preserve_index=False)
    write_parquet(table, sm.output.prepared)
    summary = job.summarize(prepared, reviews)
    summary["versions"] = package_versions(["nltk"])
    write_json(summary, sm.output.summary)
    log.info("prepared %d reviews, %d tokens", len(prepared), summary["tokens_total"])
