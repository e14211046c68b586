"""Rule finegrained: clusters ordered along the sentiment axis, named from the data, checked
against the star ratings and described by the segment polarity inside their reviews, for the
chosen k and the k values the config asks to explore."""

import json
from pathlib import Path

import pandas as pd

from sentclust.files import write_json, write_parquet
from sentclust.finegrained import job as fs
from sentclust.finegrained.counts import read_term_counts
from sentclust.finegrained.scale import run_scale
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    kind, cfg = sm.wildcards.kind, sm.params.finegrained
    choice = json.loads(Path(sm.input.choice).read_text())
    # a corpus without labels has no polarity models, hence no polarity inputs
    polarity = (
        fs.read_polarity(sm.input.polarity, sm.input.segment_scores, sm.input.segments)
        if hasattr(sm.input, "polarity")
        else None
    )
    run = fs.finegrained_sweep(
        dict(zip(sm.params.ks, sm.input.assignments, strict=True)),
        choice["k"],
        sm.params.explore,
        reviews=pd.read_parquet(sm.input.reviews, columns=fs.REVIEW_COLUMNS),
        texts=pd.read_parquet(sm.input.prepared, columns=fs.TEXT_COLUMNS),
        term_counts=read_term_counts(sm.input.counts, sm.input.vocab, sm.input.rows),
        cfg=cfg,
        polarity=polarity,
        scale=run_scale(sm.input.ingest_summary),
    )
    fs.write_rating_figure(run, kind=kind, path=sm.output.figure)
    write_parquet(fs.chosen_table(run), sm.output.table)
    doc = fs.finegrained_document(
        run, kind=kind, supervision=sm.params.supervision, chosen_by=choice["chosen_by"], cfg=cfg
    )
    write_json(doc, sm.output.json)
