"""Rule term_counts: the reviews x terms count matrix that describes the fine-grained clusters,
built once (it depends on neither the embedding kind nor k)."""

import pandas as pd

from sentclust import finegrained
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    texts = pd.read_parquet(sm.input.prepared, columns=["review_id", "clean_text"])
    stop, stop_source = finegrained.stop_words()
    counts, vocab = finegrained.term_counts(
        texts["clean_text"].tolist(),
        stop_words=stop,
        min_df=sm.params.min_df,
        max_df=sm.params.max_df,
    )
    finegrained.write_term_counts(
        counts,
        vocab,
        texts["review_id"].tolist(),
        counts_path=sm.output.counts,
        vocab_path=sm.output.vocab,
        rows_path=sm.output.rows,
        about={
            "stop_words": stop_source,
            "min_df": sm.params.min_df,
            "max_df": sm.params.max_df,
            "ngram_range": [1, 2],
        },
    )
    log.info(
        "%d reviews x %d terms, %d non-zero counts (stop words: %s)",
        counts.shape[0],
        counts.shape[1],
        counts.nnz,
        stop_source,
    )
