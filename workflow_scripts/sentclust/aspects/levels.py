"""The aspects of each fine-grained level: the level x aspect table of net polarity (from
:mod:`sentclust.aspects.polarity`), the levels named and ordered as ``finegrained.json`` names
and ranks them, and per cell the segment its reviewers praise most and the one they pan most
(the levels' own opinion summary, :func:`sentclust.finegrained.polarity.opinion_segments`,
within one aspect)."""

from __future__ import annotations

import pandas as pd

from sentclust.aspects import polarity as apol
from sentclust.finegrained.polarity import opinion_segments


def level_names(finegrained: dict, k: int) -> tuple[list[int], dict[str, str]]:
    """(the levels of the result with ``k`` clusters from the lowest rank to the highest,
    {level: name}) of a kind's ``finegrained.json``; ValueError naming the fix when that
    result is missing."""
    for result in finegrained.get("results", []):
        if int(result["k"]) == int(k):
            clusters = sorted(result["clusters"], key=lambda c: c["rank"])
            order = [int(c["cluster"]) for c in clusters]
            return order, {str(c["cluster"]): str(c["name"]) for c in clusters}
    raise ValueError(
        f"finegrained.json of kind {finegrained.get('kind')!r} has no result for k={k}: it "
        "comes from another sweep than the choice; rerun the fine-grained stage"
    )


def cell_examples(frame: pd.DataFrame, segments: pd.DataFrame, *, min_words: int) -> list[dict]:
    """Per level x aspect cell, the most positive and the most negative segment of its
    reviews (``frame``: review_id, segment_no, aspect, level, score, label; ``segments``: the
    segments table with their text), each of at least ``min_words`` words, as
    {level, aspect, praised, panned} (a text or None)."""
    out = []
    for aspect, part in frame.groupby("aspect", sort=True):
        summary = opinion_segments(
            part["level"].to_numpy(),
            part["review_id"].to_numpy(),
            part[["review_id", "segment_no", "score", "label"]],
            segments,
            n=1,
            min_words=min_words,
        )
        for level in sorted(summary):
            sides = {
                s: summary[level][s][0]["text"] if summary[level][s] else None
                for s in ("praised", "panned")
            }
            out.append({"level": int(level), "aspect": int(aspect), **sides})
    return out


def kind_levels(frame, levels: pd.Series, finegrained: dict, k: int, segments, *, min_words):
    """A kind's level x aspect record: {k, order, names, table, examples} and the table as a
    frame (``frame``: the segments with aspect, label and score; ``levels``: each review's
    level at the chosen ``k``, indexed by review_id)."""
    table = apol.level_table(frame, levels)
    order, names = level_names(finegrained, k)
    with_level = frame.assign(level=frame["review_id"].map(levels).astype(int))
    examples = cell_examples(with_level, segments, min_words=min_words)
    record = {"k": int(k), "order": order, "names": names, "examples": examples}
    return record, table
