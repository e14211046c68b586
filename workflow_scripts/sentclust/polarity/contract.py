"""The polarity stage's tables: their columns and types, the segment labels, the scorer names,
and the builders of the segment-scores and review-polarity tables.

- segments (rule segment, :data:`SEGMENTS_SCHEMA`): one row per segment, by review (the
  prepared texts' order), then ``segment_no``; ``start`` and ``end`` are offsets into the
  review's ``clean_text``, ``sentence_no`` counts from 0 in each review;
- segment scores (rule score_segments, :data:`SCORES_SCHEMA`): the segments' rows in their
  order, each scorer's score (NaN: that scorer did not run, or the segment is unscored), the
  primary scorer's ``score`` and its ``label`` (:data:`POSITIVE`, :data:`NEUTRAL`,
  :data:`NEGATIVE`);
- review polarity (rule polarity, :data:`REVIEW_SCHEMA`): one row per review in the reviews'
  order, the columns of :func:`sentclust.polarity.reviews.review_polarity`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

#: labels of a segment
POSITIVE, NEUTRAL, NEGATIVE = 1, 0, -1
#: the segment labels' names, as the report and new texts show them
LABEL_NAMES = {POSITIVE: "positive", NEUTRAL: "neutral", NEGATIVE: "negative"}
#: scorers, in the order of their columns
SCORERS = ("wordvec", "bert", "mil")


def arrow_schema(columns: str) -> pa.Schema:
    """The Arrow schema of ``"name:type name:type ..."``, each type named by its pyarrow
    factory (``string``, ``int32``, ``float32``, ``bool_``, ...), columns in that order."""
    fields = (column.split(":") for column in columns.split())
    return pa.schema([(name, getattr(pa, kind)()) for name, kind in fields])


SEGMENTS_SCHEMA = arrow_schema(
    "review_id:string segment_no:int32 sentence_no:int32 start:int32 end:int32 text:string"
)
SCORES_SCHEMA = arrow_schema(
    "review_id:string segment_no:int32 score_wordvec:float32 score_bert:float32 score_mil:float32 "
    "score:float32 label:int8"
)
REVIEW_SCHEMA = arrow_schema(
    "review_id:string n_segments:int32 n_scored:int32 n_positive:int32 n_negative:int32 "
    "n_neutral:int32 share_positive:float32 share_negative:float32 share_neutral:float32 "
    "spread_std:float32 spread_range:float32 most_positive_segment:int32 "
    "most_negative_segment:int32 most_positive_score:float32 most_negative_score:float32 "
    "dual_polarity:bool_"
)


def score_table(segments: pd.DataFrame, scores: dict[str, np.ndarray], *, scorer: str, labels):
    """The segment-scores table (SCORES_SCHEMA): one row per segment, in ``segments``' order;
    a scorer not run has NaN scores."""
    n = len(segments)
    cols = {name: np.asarray(scores.get(name, np.full(n, np.nan)), np.float32) for name in SCORERS}
    return pa.table(
        {
            "review_id": pa.array(segments["review_id"].astype(str).to_numpy(), pa.string()),
            "segment_no": pa.array(segments["segment_no"].to_numpy(np.int32), pa.int32()),
            "score_wordvec": pa.array(cols["wordvec"], pa.float32()),
            "score_bert": pa.array(cols["bert"], pa.float32()),
            "score_mil": pa.array(cols["mil"], pa.float32()),
            "score": pa.array(cols[scorer], pa.float32()),
            "label": pa.array(np.asarray(labels, dtype=np.int8), pa.int8()),
        },
        schema=SCORES_SCHEMA,
    )


def reviews_table(reviews: pd.DataFrame) -> pa.Table:
    """:func:`sentclust.polarity.reviews.review_polarity`'s frame as Parquet-ready Arrow
    (REVIEW_SCHEMA)."""
    return pa.Table.from_pandas(reviews, schema=REVIEW_SCHEMA, preserve_index=False)
