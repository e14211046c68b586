"""Rule segment: every prepared review split into sentences, then into clauses at contrastive
discourse markers (one row per segment, offsets into ``clean_text``)."""

import pandas as pd

from sentclust.files import write_json, write_parquet
from sentclust.polarity import job as pj
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    prepared = pd.read_parquet(sm.input.prepared, columns=pj.PREPARED_COLUMNS)
    table, summary = pj.segment_reviews(prepared, sm.params.segments, n_jobs=sm.threads)
    write_parquet(table, sm.output.segments)
    write_json(summary, sm.output.summary)
    log.info(
        "%d reviews -> %d sentences, %d segments (%.1f%% of reviews split at a marker)",
        summary["n_reviews"],
        summary["n_sentences"],
        summary["n_segments"],
        100 * summary["share_split_at_marker"],
    )
