"""Rule score_segments: every segment scored by each scorer (the word-embedding network; the
BERT review classifier on the segment vectors), thresholds fitted on the train split, labels."""

import pandas as pd

from sentclust.files import read_embeddings, write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.polarity import job as pj
    from sentclust.polarity.mil import MilModel
    from sentclust.wordvec.model import SentimentNetwork

    segments = pd.read_parquet(sm.input.segments)
    meta = pd.read_parquet(sm.input.reviews, columns=pj.META_COLUMNS)
    inputs = dict(sm.input.items())  # the BERT inputs are there only when that scorer runs
    mil = MilModel.read(inputs["mil"]) if "mil" in inputs else None  # scorer mil
    table, scorers = pj.score_segments(
        segments,
        meta,
        network=SentimentNetwork.load(sm.input.model),
        bert=read_embeddings(inputs["bert"]) if "bert" in inputs else None,
        bert_segment_files=inputs.get("bert_segments"),
        threads=sm.threads,
        mil=mil,
        **dict(sm.params.items()),  # polarity, probe, validation_fraction, lowercase, seed
    )
    write_parquet(table, sm.output.scores)
    write_json(scorers.to_dict(), sm.output.scorers)

    log.info("scored %d segments", table.num_rows)
