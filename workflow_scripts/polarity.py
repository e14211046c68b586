"""Rule polarity: per review polarity from the scored segments, checked against the star
ratings of the test split (polarity/reviews.parquet, summary.json, the by-rating figure)."""

import pandas as pd

from sentclust.figures import polarity_by_rating
from sentclust.files import write_json, write_parquet
from sentclust.finegrained.scale import run_scale
from sentclust.polarity import job as pj
from sentclust.polarity.scorers import SegmentScorers
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    scale = run_scale(sm.input.ingest_summary)
    table, doc = pj.review_polarity_outputs(
        pd.read_parquet(sm.input.scores),
        pd.read_parquet(sm.input.reviews, columns=pj.META_COLUMNS),
        pd.read_parquet(sm.input.segments, columns=["review_id", "segment_no", "text"]),
        SegmentScorers.read(sm.input.scorers),
        sm.params.polarity,
        scale,
    )
    write_parquet(table, sm.output.reviews)
    polarity_by_rating(
        pd.DataFrame(doc["by_rating"]),
        title=f"Polarity inside reviews by rating ({doc['checked_on']} split)",
        path=sm.output.figure,
        scale=scale.values,
        xlabel=scale.axis_label(),
    )
    write_json(doc, sm.output.summary)
    log.info("dual polarity: %s; rank correlation: %s", doc["all"], doc["rank_correlation"])
