"""The aspects of each fine-grained level: levels named and ordered as finegrained.json ranks
them, and per level x aspect the segment most praised and the one most panned."""

import pandas as pd
import pytest

from sentclust.aspects.levels import cell_examples, kind_levels, level_names

FINE = {
    "kind": "bert",
    "results": [
        {
            "k": 2,
            "clusters": [
                {"rank": 1, "cluster": 0, "name": "positive: great"},
                {"rank": 0, "cluster": 1, "name": "negative: bad"},
            ],
        },
        {"k": 3, "clusters": []},
    ],
}


def test_levels_are_ordered_by_rank_and_named():
    order, names = level_names(FINE, 2)
    assert order == [1, 0] and names == {"0": "positive: great", "1": "negative: bad"}
    with pytest.raises(ValueError, match="no result for k=5.*rerun the fine-grained"):
        level_names(FINE, 5)


def frames():
    seg = pd.DataFrame(
        {
            "review_id": ["a", "a", "b", "b", "c"],
            "segment_no": [0, 1, 0, 1, 0],
            "aspect": [0, 1, 0, 1, 0],
            "score": [0.9, -0.8, 0.4, -0.2, -0.9],
            "label": [1, -1, 1, -1, -1],
        }
    )
    text = [
        "the acting is superb here",
        "the music is awful and loud",
        "good acting by all",
        "the song was too long",
        "Why?",
    ]
    return seg, seg[["review_id", "segment_no"]].assign(text=text)


def test_each_cell_gets_its_most_praised_and_most_panned_segment():
    seg, segments = frames()
    levels = pd.Series({"a": 0, "b": 0, "c": 1})
    got = cell_examples(seg.assign(level=seg["review_id"].map(levels)), segments, min_words=3)
    by = {(e["level"], e["aspect"]): e for e in got}
    assert by[(0, 0)] == {
        "level": 0,
        "aspect": 0,
        "praised": "the acting is superb here",
        "panned": None,
    }
    assert by[(0, 1)]["panned"] == "the music is awful and loud" and by[(0, 1)]["praised"] is None
    assert by[(1, 0)]["panned"] is None  # "Why?" is too short to name anything
    record, table = kind_levels(seg, levels, FINE, 2, segments, min_words=3)
    assert record["order"] == [1, 0] and record["k"] == 2
    assert table["n"].sum() == len(seg)
