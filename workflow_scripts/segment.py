"""Rule segment: every prepared review split into sentences, then into clauses at contrastive
discourse markers (one row per segment, offsets into ``clean_text``)."""

import pandas as pd

from sentclust.files import package_versions, write_json, write_parquet
from sentclust.polarity import segments
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    prepared = pd.read_parquet(sm.input.prepared, columns=["review_id", "clean_text"])
    cfg = sm.params.segments
    table = segments.segment_table(
        prepared["review_id"].tolist(),
        prepared["clean_text"].tolist(),
        splitter=cfg["splitter"],
        markers=cfg["markers"],
        min_words=cfg["min_words"],
        n_jobs=sm.threads,
    )
    write_parquet(table, sm.output.segments)
    summary = segments.segments_summary(table, len(prepared), splitter=cfg["splitter"])
    summary["settings"] = {k: cfg[k] for k in ("splitter", "markers", "min_words")}
    summary["versions"] = package_versions(["pysbd" if cfg["splitter"] == "pysbd" else "nltk"])
    write_json(summary, sm.output.summary)
    log.info(
        "%d reviews -> %d sentences, %d segments (%.1f%% of reviews split at a marker)",
        summary["n_reviews"],
        summary["n_sentences"],
        summary["n_segments"],
        100 * summary["share_split_at_marker"],
    )
