"""Rule term_counts: the reviews x terms count matrix that describes the fine-grained clusters,
built once from the prepared tokens (it depends on neither the embedding kind, nor k, nor the
term weighting)."""

import pandas as pd

from sentclust.finegrained import job as fs
from sentclust.finegrained.counts import write_term_counts
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    prepared = pd.read_parquet(sm.input.prepared, columns=fs.TOKEN_COLUMNS)
    counts, vocab, about = fs.count_terms(
        prepared["tokens"].tolist(),
        min_df=sm.params.min_df,
        max_df=sm.params.max_df,
        stop_words_source=sm.params.stop_words,
    )
    write_term_counts(
        counts,
        vocab,
        prepared["review_id"].tolist(),
        counts_path=sm.output.counts,
        vocab_path=sm.output.vocab,
        rows_path=sm.output.rows,
        about=about,
    )
    log.info(
        "%d reviews x %d terms, %d non-zero counts (stop words: %s, kept: %s)",
        counts.shape[0],
        counts.shape[1],
        counts.nnz,
        about["stop_words"],
        about["kept_words"],
    )
