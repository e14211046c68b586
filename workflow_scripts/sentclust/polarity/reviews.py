"""Per-review polarity from its scored segments: the shares of positive, neutral and negative
segments, the spread of the scores, the most positive and most negative segment, and whether
the review holds both polarities (``dual_polarity``). The same for a corpus review (rule
polarity) and for a new text (:mod:`sentclust.assign.placing`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sentclust.polarity.contract import NEGATIVE, NEUTRAL, POSITIVE


def review_polarity(scored: pd.DataFrame, review_ids) -> pd.DataFrame:
    """One row per review of ``review_ids`` (in that order; REVIEW_SCHEMA's columns) from the
    scored segments (``review_id``, ``segment_no``, ``score``, ``label``).

    Shares are of the scored segments (a NaN score is unscored); the spread is the population
    standard deviation and the range of the scores (0 with one scored segment, NaN with none);
    ``dual_polarity``: at least one positive and one negative segment. A review without scored
    segments has counts 0, NaN shares, segment numbers -1.
    """
    df = scored[["review_id", "segment_no", "score", "label"]].copy()
    n_all = df.groupby("review_id", sort=False).size()
    df = df[np.isfinite(df["score"].to_numpy(np.float64))]
    g = df.groupby("review_id", sort=False)
    lab = df["label"].to_numpy()
    counts = (
        pd.DataFrame(
            {
                "review_id": df["review_id"],
                "pos": lab == POSITIVE,
                "neg": lab == NEGATIVE,
                "neu": lab == NEUTRAL,
            }
        )
        .groupby("review_id", sort=False)[["pos", "neg", "neu"]]
        .sum()
    )
    stats = g["score"].agg(["count", "max", "min"])
    stats["std"] = g["score"].std(ddof=0)
    top = df.loc[g["score"].idxmax(), ["review_id", "segment_no"]].set_index("review_id")
    low = df.loc[g["score"].idxmin(), ["review_id", "segment_no"]].set_index("review_id")
    out = pd.DataFrame(index=pd.Index(list(review_ids), name="review_id"))
    out["n_segments"] = n_all.reindex(out.index).fillna(0).astype(np.int32)
    out["n_scored"] = stats["count"].reindex(out.index).fillna(0).astype(np.int32)
    for col, src in (("n_positive", "pos"), ("n_negative", "neg"), ("n_neutral", "neu")):
        out[col] = counts[src].reindex(out.index).fillna(0).astype(np.int32)
    scored_n = out["n_scored"].where(out["n_scored"] > 0).astype(np.float64)
    for col, src in (
        ("share_positive", "n_positive"),
        ("share_negative", "n_negative"),
        ("share_neutral", "n_neutral"),
    ):
        out[col] = (out[src] / scored_n).astype(np.float32)
    out["spread_std"] = stats["std"].reindex(out.index).astype(np.float32)
    out["spread_range"] = (stats["max"] - stats["min"]).reindex(out.index).astype(np.float32)
    out["most_positive_segment"] = top["segment_no"].reindex(out.index).fillna(-1).astype(np.int32)
    out["most_negative_segment"] = low["segment_no"].reindex(out.index).fillna(-1).astype(np.int32)
    out["most_positive_score"] = stats["max"].reindex(out.index).astype(np.float32)
    out["most_negative_score"] = stats["min"].reindex(out.index).astype(np.float32)
    out["dual_polarity"] = (out["n_positive"] > 0) & (out["n_negative"] > 0)
    return out.reset_index()
